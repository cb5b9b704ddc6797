"""The qa stage (mtfix/qa.py): each bilingual check on pairs that must be flagged and pairs that must not,
the source-settled placeholder-space edit, properties with hypothesis, and the WMT21 references' false
alarm rates (shared data)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mtfix
from mtfix.qa import CHECKS, QAOptions, QAStage, numbers

from .conftest import ROOT

mtfix.default_stages()  # registers the built-in stages that `import mtfix` leaves to the pipeline (qa)
QA = mtfix.Cleaner(mtfix.Config(stages=("qa",)))
STAGE = QAStage()


def kinds(source: str, target: str, stage: QAStage = STAGE) -> list[str]:
    p = stage.review(source, target)
    return [f.kind for f in p.flags] + [e.kind for e in p.edits]


def flags_of(kind: str, source: str, target: str) -> list[mtfix.Flag]:
    return [f for f in STAGE.review(source, target).flags if f.kind == kind]


# ------------------------------------------------------------------------------------------ qa.number

NUMBER_FLAGGED = [
    ("Der Preis stieg um 15 Prozent.", "The price rose by 50 percent."),
    ("Am 24. April unterschrieb Trump.", "On April 14 Trump signed."),
    ("大连市当前54例无症状感染者。", "There are 43 asymptomatic cases in Dalian."),
    ("下达省级救灾资金2030万元。", "It allocated 203 million yuan of relief funding."),
    ("Das kostet 1.234,5 Euro.", "It costs 1,243.5 euros."),
    ("Er starb im Jahr 2013.", "He died."),
    ("Es kamen 3 Kinder.", "4 children came."),  # a single digit changed
    ("Es kamen etwa 3.000 Menschen.", "About 5,000 people came."),  # approximate, but clearly different
    ("Sie zahlten 1.520 Euro.", "They paid 1,500 euros."),  # a count rounded without an 'about'
    ("Wallafawa ranar: 24/08/2020 - 16:33.", "Published August 8, 2020 - 16:33."),
    ("根据调查，黄某某于7月6日19时54分进入青海省境内。", "Huang entered Qinghai Province at 19:00 on July 6."),
]

NUMBER_CLEAN = [
    ("Das kostet 1.234,5 Euro.", "It costs 1,234.5 euros."),
    ("Die Quote liegt bei 3,5 %.", "The rate is 3.5%."),
    ("Přišlo 1 000 lidí.", "1000 people came."),
    ("Пришло 12 500 человек.", "12,500 people came."),
    ("Sie kostet 1'250.50 Franken.", "It costs 1,250.5 francs."),
    ("販売数は１２３個。", "123 were sold."),
    ("Der Umsatz betrug 2,3 Mrd. Euro.", "Turnover was 2.3 billion euros."),
    ("Es sind 1,5 Millionen Menschen.", "That is 1.5 million people."),
    ("Es sind 1,5 Millionen Menschen.", "That is 1,500,000 people."),
    ("人口为150万人。", "The population is 1.5 million."),
    ("人口为150万人。", "The population is 1,500,000."),
    ("培育村后备力量6.1万名。", "61,000 village reserve members were trained."),
    ("直播人气峰值超过3500万。", "The live stream peaked at over 35 million viewers."),
    ("来場者は2万5000人だった。", "There were 25,000 visitors."),
    ("新华社成都7月26日电", "Xinhua News Agency, Chengdu, July 26"),
    ("Das Fest ist am 5. Mai.", "The festival is on May 5th."),
    ("2021年は良い年だった。", "2021 was a good year."),
    ("令和3年の予算", "the budget for 2021"),
    ("Es kamen 25 Gäste.", "Twenty-five guests came."),
    ("Es kamen 3 Kinder.", "Three children came."),
    ("Es sind 1,5 Millionen.", "That is one and a half million."),
    ("会议于下午3点开始。", "The meeting began at 3 p.m."),
    ("Das Spiel beginnt um 15 Uhr.", "The match starts at 3 pm."),
    ("前日比１８２・４４ドル安", "down 182.44 dollars from the previous day"),
    ("５０代の男性", "a man in his fifties"),
    ("Es kamen etwa 3.000 Menschen.", "About 2,980 people came."),
    ("V Česku je několik ohnisek nemoci covid-19.", "There are several outbreaks of covid in Czechia."),
    ("直近1週間の新規感染者", "new infections in the past week"),
    ("当地时间23日宣布", "announced on Thursday, local time"),
    ("上世纪90年代的影片", "a film of the 1990s"),
    ("Der Song bescherte ihr im Winter 1968/69 den ersten Hit.", "The song gave her the first hit in 1968/1969."),
    ("十九大召开", "The 19th National Congress opens"),
    ("打率２割８分２厘", "a batting average of .282"),
    ("6成是男性", "60% are men"),
    ("从20里外的家赶来", "came from their home 10 kilometers away"),
    ("１敗に正代ら４人", "1 loss for Shodai and 3 others"),
    ("Alkaluman sun nuna dala biliyan 2 da miliyan 300.", "Figures show 2.3 billion dollars."),
    ("福建省7月25日0—24时报告新增病例1例。", "Fujian reported one new case on July 25."),
    ("Besuchen Sie www.example24.de.", "Visit www.example24.de."),  # digits of a link: qa.url's business
]


@pytest.mark.parametrize(("source", "target"), NUMBER_FLAGGED)
def test_number_flags(source: str, target: str) -> None:
    assert "qa.number" in kinds(source, target)


@pytest.mark.parametrize(("source", "target"), NUMBER_CLEAN)
def test_number_equivalences_are_not_flagged(source: str, target: str) -> None:
    assert "qa.number" not in kinds(source, target)


def test_number_flag_lies_on_the_changed_number_and_quotes_both_sides() -> None:
    source, target = "Am 24. April unterschrieb Trump.", "On April 14 Trump signed."
    (flag,) = flags_of("qa.number", source, target)
    assert target[flag.start : flag.end] == "14"
    assert "'24'" in flag.message and source in flag.message and target in flag.message
    # a number simply missing: the whole target
    (flag,) = flags_of("qa.number", "Er starb im Jahr 2013.", "He died.")
    assert (flag.start, flag.end) == (0, len("He died."))


def test_number_readings() -> None:
    (n,) = [n for n in numbers("1.234,5") if n.strict]
    assert (1234.5,) in n.readings
    (n,) = [n for n in numbers("1,5 Mio.") if n.strict]
    assert (1_500_000.0,) in n.readings
    (n,) = [n for n in numbers("三千五百万") if not n.strict]
    assert (35_000_000.0,) in n.readings


# ------------------------------------------------------------------------------------- placeholders

PLACEHOLDER_FLAGGED = [
    ("Bonjour {0} !", "Hello!"),
    ("Bonjour {name}.", "Hello {nom}."),
    ("%s a %d ans.", "%s is years old."),
    ("Fichier %(name)s introuvable.", "File %(nom)s not found."),
    ("Valeur ${var}", "Value {var}"),
    ("Hallo {{user}}", "Hello"),
    ("Hallo", "Hello {0}"),  # the target's own placeholder
    ("%1$s von %1$s", "%1$s of"),  # the multiset, not the set
    ("%s von %d", "%d of %s"),  # unnumbered placeholders moved
]
PLACEHOLDER_CLEAN = [
    ("Bonjour {0} !", "Hello {0}!"),
    ("{0} von {1}", "{1} of {0}"),  # numbered ones may move
    ("%1$s von %2$s", "%2$s of %1$s"),
    ("%(user)s hat %(n)d Dateien", "%(n)d files of %(user)s"),
    ("Zu 100% sicher, 50 % der Leute", "100% sure, 50% of people"),
    ("Hallo {{ user }}", "Hello {{user}}"),
]


@pytest.mark.parametrize(("source", "target"), PLACEHOLDER_FLAGGED)
def test_placeholder_flags(source: str, target: str) -> None:
    assert "qa.placeholder" in kinds(source, target)


@pytest.mark.parametrize(("source", "target"), PLACEHOLDER_CLEAN)
def test_placeholder_matches_are_not_flagged(source: str, target: str) -> None:
    assert "qa.placeholder" not in kinds(source, target)


# ---------------------------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("<b>Achtung</b> bitte", "Attention please"),
        ('<x id="1"/> Text', "Text"),
        ("<b>Achtung</b>", "<i>Attention</i>"),
        ("<a href='x'>Link</a>", "<a href='y'>Link</a>"),
    ],
)
def test_tag_flags(source: str, target: str) -> None:
    assert "qa.tag" in kinds(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("<b>Achtung</b> bitte", "<b>Attention</b> please"),
        ('<x id="1"/> Text', "Text <x id='1' />"),
        ("a < b und c > d", "a < b and c > d"),
        ("Zeile<br/>zwei", "Line<br />two"),
    ],
)
def test_tag_matches_are_not_flagged(source: str, target: str) -> None:
    assert "qa.tag" not in kinds(source, target)


# ---------------------------------------------------------------------------------------------- URLs


def test_url_flags() -> None:
    source, target = "Mehr unter www.example.de.", "More at www.example.com."
    (flag,) = flags_of("qa.url", source, target)
    assert target[flag.start : flag.end] == "www.example.com"  # the changed address
    assert flags_of("qa.url", "Schreiben Sie an info@firma.de.", "Write to us.")
    assert flags_of("qa.url", "Передать можно по почте: str@krd.ru.", "Send it by email: str@kd.ru.")


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Mehr unter https://www.example.de/.", "More at www.example.de."),
        ("Mehr unter www.Example.de", "More at example.de"),  # a bare domain in running text
        ("经济观察网 记者 张斌", "www.eeo.com.cn - Reporter Zhang Bin"),  # a site's name given as its address
        ("通过全国征兵网（网址：http://www.gfbzb.gov.cn）查询", "check on the website (http://www.gfbzb.gov.cn)"),
        ("Kontakt: Jana.Novak@firma.cz", "Contact: jana.novak@firma.cz"),
    ],
)
def test_url_matches_are_not_flagged(source: str, target: str) -> None:
    assert "qa.url" not in kinds(source, target)


# -------------------------------------------------------------------------------------- untranslated


def test_untranslated_flags() -> None:
    german = "Die Regierung hat am Montag die Steuern für alle Bürger deutlich erhöht."
    assert "qa.untranslated" in kinds(german, german)
    assert "qa.untranslated" in kinds(german, "The Regierung hat am Montag die Steuern für alle Bürger erhöht.")
    chinese = "乡村振兴，人才是关键。"
    assert "qa.untranslated" in kinds(chinese, chinese)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Manchester United - Liverpool 2:1", "Manchester United - Liverpool 2:1"),  # names and a score
        ("www.autodrom-most.cz", "www.autodrom-most.cz"),
        ("ČTK, Reuters, AFP", "ČTK, Reuters, AFP"),
        ("Die Regierung hat die Steuern erhöht.", "The government has raised taxes."),
        ("12:30 - 14:45", "12:30 - 14:45"),
    ],
)
def test_rightful_copies_are_not_flagged(source: str, target: str) -> None:
    assert "qa.untranslated" not in kinds(source, target)


# -------------------------------------------------------------------------------------------- empty


def test_empty() -> None:
    assert kinds("Hallo Welt.", "  ") == ["qa.empty"]
    assert "qa.empty" in kinds("Hallo Welt.", "")
    assert "qa.empty" not in kinds("", "")
    assert "qa.empty" not in kinds("   ", "")
    assert "qa.empty" not in kinds("Hallo Welt.", "Hello world.")


# ------------------------------------------------------------------------------------------- length


def test_length() -> None:
    long_de = "Die Regierung hat am Montag beschlossen, die Steuern für alle Bürger des Landes deutlich zu erhöhen."
    assert "qa.length" in kinds(long_de, "Yes.")
    assert "qa.length" in kinds(long_de, long_de.replace("Die", "The") * 3)
    assert "qa.length" not in kinds(long_de, "On Monday the government decided to raise taxes for all citizens a lot.")
    # a Chinese source is short in characters: about 3.8 English letters to a character
    zh = "面对极不寻常的上半年，全省上下坚持一盘棋，全力以赴打好防疫、防汛两场硬仗。"
    en = (
        "Facing an extremely unusual first half of the year, the whole province acted as one and went all out"
        " to win the two tough battles of epidemic prevention and flood control."
    )
    assert "qa.length" not in kinds(zh, en)
    assert "qa.length" not in kinds("Ja.", "Yes, absolutely, without any doubt at all.")  # too short to judge


def test_length_bounds_are_options() -> None:
    src, tgt = "Die Regierung hat die Steuern erhöht, sagte der Minister.", "Taxes up."
    assert "qa.length" in kinds(src, tgt)
    assert "qa.length" not in kinds(src, tgt, QAStage(QAOptions(length_min=0.1)))
    with pytest.raises(ValueError, match="length bounds"):
        QAOptions(length_min=1.5)


# ----------------------------------------------------------------------------------------- brackets


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Er sagte (gestern) das.", "He said (yesterday that."),
        ("治安警察局 17宗 (涉及：查询出入境措施。）", "Public Security Police: 17 cases (on border measures) )"),
        ('Er sagte: "Ja, das stimmt".', "He said: “Yes, that's right."),  # the target lost a quote
        ("深受喜爱的“看家”本领", "their “core” competitiveness”, to await"),  # one added mid-segment
    ],
)
def test_bracket_flags(source: str, target: str) -> None:
    assert "qa.brackets" in kinds(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Er sagte (gestern) das.", "He said (yesterday) that."),
        ("„Ja“, sagte er.", '"Yes," he said.'),
        ("「はい」と言った。", "“Yes,” he said."),
        ("Я хочу обратиться ко всем.", '"I want to appeal to everyone.'),  # a quotation over segments
        ("Нет доверия, - согласилась Лариса.", "I don't trust them.\" Larisa agreed."),
        ("It's Jones' car.", "It's Jones' car."),  # apostrophes are not quotes
    ],
)
def test_balanced_or_running_quotes_are_not_flagged(source: str, target: str) -> None:
    assert "qa.brackets" not in kinds(source, target)


# ---------------------------------------------------------------------------------- edge whitespace


def test_edge_whitespace() -> None:
    assert "qa.edge-whitespace" in kinds("Hallo Welt ", "Hello world")
    assert "qa.edge-whitespace" in kinds("Hallo Welt", " Hello world")
    assert "qa.edge-whitespace" in kinds("Hallo Welt\n", "Hello world ")  # a line break is not a space
    assert "qa.edge-whitespace" not in kinds("Hallo Welt", "Hello world")
    assert "qa.edge-whitespace" not in kinds("  Hallo Welt ", " Hello world  ")
    flag = flags_of("qa.edge-whitespace", "Hallo", "Hello  ")[0]
    assert (flag.start, flag.end) == (5, 7)


# ---------------------------------------------------------------------------------- end punctuation


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Das ist gut.", "That is good!"),
        ("Kommst du?", "Are you coming."),
        ("Folgendes:", "The following."),
        (
            "Die Regierung hat am Montag beschlossen, die Steuern für alle Bürger des Landes zu erhöhen.",
            "On Monday the government decided to raise the taxes of all the citizens of the country",
        ),
        ("这是真的吗？", "Is this true."),
    ],
)
def test_end_punctuation_flags(source: str, target: str) -> None:
    assert "qa.end-punctuation" in kinds(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("人才是关键。", "Talent is the key."),
        ("人才哪里找？", "Where is talent found?"),
        ("ついに！", "Finally!"),
        ("生死を分けたものは何だったのか。", "What was it that made the difference between life and death?"),
        ("Muž hrozil, že vyhodí kojence z okna.", "Man threatened to throw baby out of window"),  # a headline
        ('Er sagte: "Ja."', 'He said: "Yes."'),
        ("“希望水早点退吧。”", "“We hope the water recedes soon. “"),  # a quote's shape is not the full stop
        ("Xinhua Commentary: Outstanding workers", "Xinhua Commentary: Outstanding workers"),
    ],
)
def test_end_punctuation_matches_are_not_flagged(source: str, target: str) -> None:
    assert "qa.end-punctuation" not in kinds(source, target)


# ------------------------------------------------------------------------- the stage and the edit


def test_placeholder_space_edit_applies_exactly() -> None:
    source, target = "Bonjour {0}, vous avez {count} messages.", "Hello{0}, you have {count}messages."
    r = QA.clean(target, source=source)
    assert r.text == "Hello {0}, you have {count} messages."
    assert [(c.kind, c.source, c.before, c.after) for c in r.changes] == [
        ("qa.placeholder-space", "qa", "", " "),
        ("qa.placeholder-space", "qa", "", " "),
    ]
    assert r.apply() == r.text
    assert r.apply([]) == target
    assert r.apply(r.changes[:1]) == "Hello {0}, you have {count}messages."
    assert not [f for f in r.flags if f.kind == "qa.placeholder"]


def test_placeholder_space_edit_is_conservative() -> None:
    assert not QA.clean("你好{0}", source="你好{0}").changes  # no space in the source
    assert not QA.clean("Hello{0}", source="Bonjour  {0}").changes  # not a single space
    assert not QA.clean("Hello{0} and {0}", source="Bonjour {0} et {0}").changes  # ambiguous
    assert not QA.clean("Hello,{0}", source="Bonjour, {0}").changes  # glued to punctuation, not a word
    r = QA.clean("Hello %s!", source="Bonjour %s !")
    assert not r.changes


def test_the_stage_is_quiet_without_a_source_and_runs_by_default() -> None:
    assert "qa" in mtfix.default_stages()
    assert mtfix.default_stages()[0] == "qa"  # it sees the text as given
    text = "Er sagte: 1.234,5"
    assert not QA.clean(text).flags
    assert STAGE.quiet(text)
    r = mtfix.Cleaner().clean("He paid 1,243.5 euros .", source="Er zahlte 1.234,5 Euro.")
    assert [f.kind for f in r.flags] == ["qa.number"]
    assert r.text == "He paid 1,243.5 euros."  # the other stages still run


def test_batch_with_sources_matches_one_by_one() -> None:
    pairs = [(s, t) for s, t in NUMBER_FLAGGED[:4]] + [("Hallo {0}", "Hello{0}")]
    batch = QA.clean_batch([t for _, t in pairs], sources=[s for s, _ in pairs])
    assert batch == [QA.clean(t, source=s) for s, t in pairs]


def test_skip_option() -> None:
    src, tgt = "Das kostet 15 Euro.", "It costs 50 euros!"
    assert set(kinds(src, tgt)) == {"qa.number", "qa.end-punctuation"}
    stage = QAStage(QAOptions(skip="number, qa.end-punctuation"))
    assert kinds(src, tgt, stage) == []
    cleaner = mtfix.Cleaner(mtfix.Config(stages=("qa",), options={"qa": {"skip": "qa.number"}}))
    assert [f.kind for f in cleaner.clean(tgt, source=src).flags] == ["qa.end-punctuation"]
    with pytest.raises(ValueError, match="unknown QA check"):
        QAOptions(skip="qa.nonsense")


def test_cli_switches() -> None:
    from mtfix.cli.options import STAGE_DEST
    from mtfix.cli.parser import build_parser

    ns = build_parser().parse_args(["clean", "--qa-length-max", "3", "--qa-skip", "length", "-"])
    assert getattr(ns, f"{STAGE_DEST}qa__length_max") == 3.0
    assert getattr(ns, f"{STAGE_DEST}qa__skip") == "length"


def test_every_check_is_registered() -> None:
    assert set(CHECKS) == {
        "qa.number",
        "qa.placeholder",
        "qa.placeholder-space",
        "qa.tag",
        "qa.url",
        "qa.untranslated",
        "qa.empty",
        "qa.length",
        "qa.brackets",
        "qa.edge-whitespace",
        "qa.end-punctuation",
    }


# ------------------------------------------------------------------------------------------ properties

# One value written in two locales' conventions: (digits, a decimal part or None).
_LOCALES = {
    "en": (",", "."),
    "de": (".", ","),
    "fr": ("\u202f", ","),
    "ru": (" ", ","),
    "ch": ("'", "."),
    "plain": ("", "."),
}


def _written(whole: int, decimals: str | None, locale: str, wide: bool = False) -> str:
    group, point = _LOCALES[locale]
    digits = f"{whole:,}".replace(",", group) if group else str(whole)
    text = digits + (point + decimals if decimals else "")
    return text.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}) if wide else text


_value = st.tuples(
    st.integers(0, 10**10),
    st.one_of(st.none(), st.from_regex(r"[0-9]{1,2}[1-9]", fullmatch=True)),
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(_value, min_size=1, max_size=4),
    locales=st.tuples(st.sampled_from(sorted(_LOCALES)), st.sampled_from(sorted(_LOCALES))),
    wide=st.booleans(),
)
def test_numbers_reformatted_in_another_locale_are_never_flagged(
    values: list[tuple[int, str | None]], locales: tuple[str, str], wide: bool
) -> None:
    words = ["Wert", "und", "sowie", "oder"]
    source = " ".join(f"{words[i % 4]} {_written(w, d, locales[0], wide)}" for i, (w, d) in enumerate(values)) + "."
    target = " ".join(f"value {_written(w, d, locales[1])}" for w, d in values) + "."
    assert "qa.number" not in kinds(source, target), (source, target)


_pieces = st.sampled_from(
    [
        "{0}", "{name}", "%s", "%1$s", "%(x)s", "${v}", "{{v}}", "<b>", "</b>", '<x id="1"/>', "www.a.de",
        "a@b.cz", "1.234,5", "1,234.5", "3,5 %", "１２３", "150万", "三千", "2021年", "7月26日", "million",
        "twenty-five", "(", ")", "“", "”", '"', "。", "?", "!", ":", " ", "\n", "\t", "Hallo", "Welt", "de",
    ]
)  # fmt: skip
_text = st.lists(st.one_of(_pieces, st.text(max_size=4)), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(source=_text, target=_text)
def test_flags_lie_within_the_target_and_replay_is_exact(source: str, target: str) -> None:
    r = QA.clean(target, source=source)
    for f in r.flags:
        assert 0 <= f.start <= f.end <= len(target)
        assert f.kind.startswith("qa.") and f.message
    assert r.apply() == r.text
    assert r.apply([]) == target
    for c in r.changes:  # only insertions of a space, at a placeholder's edge
        assert (c.before, c.after, c.kind) == ("", " ", "qa.placeholder-space")


# ----------------------------------------------------------------------------------------- shared data


def _bench() -> ModuleType:
    path = ROOT / "benchmarks" / "bench_qa.py"
    spec = importlib.util.spec_from_file_location("bench_qa", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_reference_false_alarms_within_the_bar(shared_data: Path) -> None:
    """The 7,950 WMT21 reference pairs (ref.A against the sources): at most one false alarm in 1,000 for
    qa.number, qa.placeholder and qa.url, over all pairs and in each language pair (a flag not judged in
    benchmarks/bench_qa.py counts as a false alarm)."""
    bench = _bench()
    sizes, flags = bench.reference_flags(shared_data)
    assert sum(sizes.values()) == 7950
    rates = bench.false_alarms(flags, sizes)
    for kind, r in rates.items():
        assert r["per_1000"] <= bench.BAR, (kind, r)
        for pair, n in sizes.items():
            allowed = max(1, round(n / 1000 * bench.BAR))  # one in 997 ha-en pairs is the bar's one
            assert r["per_pair_per_1000"][pair] * n / 1000 <= allowed + 1e-9, (kind, pair, r)
