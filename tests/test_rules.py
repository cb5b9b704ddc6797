"""Each fixer on the damage it exists for, and on the look-alikes it must leave alone."""

from __future__ import annotations

from pathlib import Path

import pytest

import mtfix

FIXES = [
    # spacing.hyphen
    ("Kim Jong -un met him", "Kim Jong-un met him", "spacing.hyphen"),
    ("a six -day visit", "a six-day visit", "spacing.hyphen"),
    ("Kim Jong -un", "Kim Jong-un", "spacing.hyphen"),  # at the very end of the text
    ("China -DPRK strategic talks", "China-DPRK strategic talks", "spacing.hyphen"),
    ("Nana Akufo -Addo, president", "Nana Akufo-Addo, president", "spacing.hyphen"),
    ("Kim Jong- un met him", "Kim Jong-un met him", "spacing.hyphen"),
    ("the sixty-year- old man", "the sixty-year-old man", "spacing.hyphen"),
    # a capitalised part: after a single capital letter, or mid-sentence after a capitalised word
    ("the E -Locomotive", "the E-Locomotive", "spacing.hyphen"),
    ("a T -Shirt shop", "a T-Shirt shop", "spacing.hyphen"),
    ("the Worry -Free plan", "the Worry-Free plan", "spacing.hyphen"),
    ("Sino -US relations", "Sino-US relations", "spacing.hyphen"),
    # a capitalised part that goes on into the sentence is a name's half, not an attribution dash
    ("Frank -Walter Steinmeier said so.", "Frank-Walter Steinmeier said so.", "spacing.hyphen"),
    ("in the Azov -Black Sea basin", "in the Azov-Black Sea basin", "spacing.hyphen"),
    ("near Hemsbach (Rhine -Neckar District).", "near Hemsbach (Rhine-Neckar District).", "spacing.hyphen"),
    ("with ‘Net -Fiber’ venture", "with ‘Net-Fiber’ venture", "spacing.hyphen"),
    # an aside, a colon or another sentence follows: the line goes on, no headline ends there
    ("the Deutsche Presse -Agentur (dpa) said", "the Deutsche Presse-Agentur (dpa) said", "spacing.hyphen"),
    ("near Kii -Gobo Station 【Jalan】", "near Kii-Gobo Station 【Jalan】", "spacing.hyphen"),
    ('Gold for Denise Herrmann -Wick: "Pinch me"', 'Gold for Denise Herrmann-Wick: "Pinch me"', "spacing.hyphen"),
    ("hopes rest on Herrmann -Wick. The start", "hopes rest on Herrmann-Wick. The start", "spacing.hyphen"),
    (
        "the All -Japan Women's Team Selection Soft Tennis Tournament (held",
        "the All-Japan Women's Team Selection Soft Tennis Tournament (held",
        "spacing.hyphen",
    ),
    # a command name that is an English word too, followed by no flag
    ("they produce top -notch content", "they produce top-notch content", "spacing.hyphen"),
    # honorifics glued to the name by MT
    ("Mr.Lu said so.", "Mr. Lu said so.", "spacing.sentence"),
    ("Ms.Mu met Dr.Wang and Prof.Li.", "Ms. Mu met Dr. Wang and Prof. Li.", "spacing.sentence"),
    ("as Mrs.Thatcher, then", "as Mrs. Thatcher, then", "spacing.sentence"),
    # spacing.sentence
    ("North Korea.At the same time", "North Korea. At the same time", "spacing.sentence"),
    ("in October.I believe", "in October. I believe", "spacing.sentence"),
    ("allegations.The United States", "allegations. The United States", "spacing.sentence"),
    ("in recent years,from the start", "in recent years, from the start", "spacing.sentence"),
    # spacing.tokenized
    ("On 17 June , Pétain declared", "On 17 June, Pétain declared", "spacing.tokenized"),
    ("the clause ( c ) applies", "the clause (c) applies", "spacing.tokenized"),
    ('named " Hanna " by them , too .', 'named "Hanna" by them, too.', "spacing.tokenized"),
    ("Fu Kunbao 's kitchen", "Fu Kunbao's kitchen", "spacing.tokenized"),
    ("I do n't know", "I don't know", "spacing.tokenized"),
    ("I don 't know", "I don't know", "spacing.tokenized"),
    ("rose by 5 % , they said .", "rose by 5%, they said.", "spacing.tokenized"),
    ("as follows :", "as follows:", "spacing.tokenized"),
    (
        "the ' Housing Prize ' was awarded , again .",
        "the 'Housing Prize' was awarded, again.",
        "spacing.tokenized",
    ),
    ("a bid of $ 10 million", "a bid of $10 million", "spacing.tokenized"),
    # quotes.run
    ('closely in contact with cooperation.""" ".', 'closely in contact with cooperation."', "quotes.run"),
    ('the ""Long Twin Tail""" show', 'the "Long Twin Tail" show', "quotes.run"),
    # a stray quote after the run that opens nothing (a space or the end follows it)
    ('as "veneration of saints.""" " and more', 'as "veneration of saints." and more', "quotes.run"),
    ('as "veneration of saints.""" "', 'as "veneration of saints."', "quotes.run"),
    ('He said "yes."" "No," she said.', 'He said "yes." "No," she said.', "quotes.run"),  # '"No' opens one
    # words.doubled: a word doubled after a longer word that ends like it is not a triple
    ("visible in Poland and and the Baltic States", "visible in Poland and the Baltic States", "words.doubled"),
    # punctuation.fullwidth
    ("He arrived，then left（quickly）。", "He arrived, then left (quickly).", "punctuation.fullwidth"),
    ("Source：Xinhua", "Source: Xinhua", "punctuation.fullwidth"),
    # a separator between digits takes no space: a number, a time, a score
    ("It cost 41，000 yuan，at 10：30.", "It cost 41,000 yuan, at 10:30.", "punctuation.fullwidth"),
    ("They won 3：1，then lost.", "They won 3:1, then lost.", "punctuation.fullwidth"),
    ("「Hello」", '"Hello"', "punctuation.fullwidth"),
    # punctuation.doubled
    ("Hello,, world", "Hello, world", "punctuation.doubled"),
    ("it became popular. .", "it became popular.", "punctuation.doubled"),
    # words.doubled
    ("the the cat", "the cat", "words.doubled"),
    ("The the cat", "The cat", "words.doubled"),
    ("for 15 consecutive consecutive days", "for 15 consecutive days", "words.doubled"),
    ("drunk driving drunk driving is a crime", "drunk driving is a crime", "words.doubled"),
    # encoding.mojibake
    ("The café doesnâ€™t open", "The café doesn’t open", "encoding.mojibake"),
    ("cafÃ© au lait", "café au lait", "encoding.mojibake"),
    ("M&amp;C Saatchi", "M&C Saatchi", "encoding.mojibake"),
    ("a\x07b", "ab", "encoding.mojibake"),
]

CLEAN = [
    "He said - quietly - that it was over.",
    "Temperatures fell to -5 degrees.",
    "Use ls -la or grep -rn to look.",
    "Run top -n 1 or sort -rn, then make -j.",
    "Temperatures of 28 -38 degrees, or -5 at night.",
    "Coronavirus -IFAD.",  # an attribution dash after a headline (WMT21 system output)
    "Edo election -Prof. Yakubu.",
    "Hotels in Nigeria -Report",
    "Expo - News Today -Hunan Daily - www.example.com",  # a chain of sources: a spaced dash follows
    "the only solution -Mahomes.",
    "INEC prepares for the election of Edo -Professor Jacob.",  # a source at the headline's end
    "INEC has prepared for the Edo -Professor Jacob election.",  # a source named by title
    "Transfer 17.5% of shares -Economic Observer-Professional",
    "I -Love",  # 'I' is a word, not a letter prefix
    "Mr. Lu met Mr. and Mrs. Smith in the U.S. and St.Petersburg, not Dr.Web or MR.X.",
    "It is permitted (as in C++) utilizing the hail -fthis—is-variable.",  # a compiler flag (WMT23 reference)
    "Too many ? in this drama.",  # the mark is a word here (WMT23 reference)
    "Run mtfix --help for options.",
    "Pages 10-20 and the 1990-2000 period.",
    "- a bullet point",
    "pre- and post-war Europe, first- or second-hand",
    "The U.S. economy, e.g. growth of 3.5 percent and 1,874 jobs, per J.K. Rowling.",
    "Meet at 10:30 at Yahoo!News.",
    "See https://example.com/A.B?x=1,y and mail a.b@example.org or open report.Pdf now.",
    "Console.WriteLine(x) and Math.Max(a, b)",
    "He had had enough; I know that that is true.",
    "again and again, more and more, from time to time to time",
    "Yang Yang met Bora Bora in Walla Walla.",
    "Wait... what? . . . no.",
    "The ratio was 3 : 1.",
    "I recommend it :)",
    "Two stars from me. :( 1. For the quick ones",  # the face's mouth is no opening bracket
    "Thanks to the United States :') and Nice :-( really ;) :D :P :/ :-) ^_^ xD",
    "【Official】We Smile 《Latest 2022 Version》",
    'He said "it is over." "Really?" she asked.',
    "“We will stay.” “",
    'x = "" and f("")',
    "Rumbling rumbling rumbling rumbling.",
    "According to Kostroma.Today, the Diia.Business centre opened.",
    "Tax:On, Source:cctv.com",
    "It costs US$ 5.",
    "Das ist gut.",
    "naïve café, Zürich, São Paulo, “curly quotes” and ‘single’ — dashes – too",
    "Cafe\u0301 written with a combining accent",
    "Dear {{ name }}, see ${ total } or {% if paid %} and #{ id }.",  # template placeholders keep their spaces
    "A next line\x85 (NEL) is a line break, not an ellipsis.",
]


THOROUGH = mtfix.Cleaner(model=None, mode="thorough", grammar=False)  # every repair applied, none withheld


@pytest.mark.parametrize(("text", "expected", "kind"), FIXES)
def test_fixer_repairs(rules: mtfix.Cleaner, text: str, expected: str, kind: str) -> None:
    r = THOROUGH.clean(text)
    assert r.text == expected
    assert kind in {c.kind for c in r.changes}
    for c in r.changes:
        assert c.source == "rule" and 0 < c.confidence <= 1 and c.message.endswith(".")
    # The default applies it too, unless it is a lone slip human writers make as well: then it is a flag.
    default = rules.clean(text)
    assert default.text == expected or [f.kind for f in default.flags] == ["rule.withheld"]


@pytest.mark.parametrize("text", CLEAN)
def test_fixers_leave_clean_text_alone(text: str) -> None:
    r = THOROUGH.clean(text)
    assert r.changes == [] and r.flags == []


def test_fullwidth_inside_untranslated_cjk_is_flagged_not_changed(rules: mtfix.Cleaner) -> None:
    text = "He wrote 北京，上海。 in the note."
    r = rules.clean(text)
    assert (r.text, r.changes) == (text, [])  # the full-width marks stay, and nothing else changes
    assert [f.kind for f in r.flags] == ["untranslated"] and "北京" in text[r.flags[0].start : r.flags[0].end]
    assert "Chinese" in r.flags[0].message


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Der Hund ist sehr groß und er läuft schnell nach Hause.", "German"),
        ("Acesta este un test pentru limba română și nu este tradus.", "Romanian"),
    ],
)
def test_untranslated_sentence_is_flagged(rules: mtfix.Cleaner, text: str, language: str) -> None:
    r = rules.clean("This part is English. " + text)
    assert r.changes == []
    assert len(r.flags) == 1 and language in r.flags[0].message
    assert r.flags[0].start == len("This part is English. ")


@pytest.mark.parametrize(
    "text",
    [
        "“I don't set any personal goals.",  # langdetect alone calls this Catalan (p=1.00)
        "Video referee took Sassuola footballers four goals, lost 0:2",  # a headline: no function words
    ],
)
def test_short_english_without_function_words_is_not_flagged(rules: mtfix.Cleaner, text: str) -> None:
    assert rules.clean(text).flags == []


def test_protected_span_stays_protected_after_earlier_edits(rules: mtfix.Cleaner) -> None:
    # The edits before the URL shift it; the sentence-spacing rule must still not split 'News.Today'.
    r = rules.clean("Kim Jong -un said , see www.example.com/News.Today and the six -day plan.")
    assert r.text == "Kim Jong-un said, see www.example.com/News.Today and the six-day plan."
    assert [c.kind for c in r.changes] == ["spacing.hyphen", "spacing.tokenized", "spacing.hyphen"]


def test_odd_quote_count_is_not_balanced() -> None:
    # A quotation continuing from the previous segment: one lone quote, nothing to pair.
    assert THOROUGH.clean('" and so it goes on , he said').text == '" and so it goes on, he said'


def test_emoticons_in_human_references_keep_their_spaces(shared_data: Path) -> None:
    """Every emoticon in the WMT21 and WMT23 references comes out with the spaces around it."""
    import re

    face = re.compile(r"(?<=\s)[:;=][-'’^]?[()DPp/](?=\s|$)")
    lines = [
        line
        for folder in ("wmt21", "wmt23")
        for f in sorted((shared_data / folder / "references").glob("*"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if face.search(line)
    ]
    assert len(lines) >= 10
    cleaner = mtfix.Cleaner(model=None, grammar=False, mode="thorough")
    for line in lines:
        out = cleaner.clean(line).text
        for m in face.finditer(line):
            context = line[max(0, m.start() - 1) : m.end() + 1]
            assert context in out, (line, out)


def test_lone_spaced_marks_in_otherwise_untokenised_lines_are_withheld(rules: mtfix.Cleaner) -> None:
    """A space before '.', '!', '?', ':' or after '(' alone on a line that writes such marks glued
    elsewhere is a human slip (French spacing, a typo): withheld and flagged. The same mark ending a
    line with nothing glued is Moses tokenisation, MT's own, and is repaired."""
    for text in (
        "Otherwise, really nice well made !",
        "Roadside Market (store manager : Kouki Masuoka), in town.",
        "The forces ( meaning the army), then more.",
        'Thousands of tanks . "As we know, our enemy",',
    ):
        r = rules.clean(text)
        assert (r.text, [f.kind for f in r.flags]) == (text, ["rule.withheld"]), text
        assert THOROUGH.clean(text).text != text
    assert rules.clean("He came back home .").text == "He came back home."
    assert rules.clean("Why did he come ?").text == "Why did he come?"


def test_rules_on_held_out_references(shared_data: Path) -> None:
    """WMT23 references (never used to choose a rule): the default rule layer changes fewer than 1.5
    segments in 1,000; WMT21 (where the typo tests were measured): at most 1 in 1,000."""
    cleaner = mtfix.Cleaner(model=None, grammar=False)
    for folder, per_1000 in (("wmt23", 1.5), ("wmt21", 1.0)):
        lines = [
            line
            for f in sorted((shared_data / folder / "references").glob("*"))
            for line in f.read_text(encoding="utf-8").splitlines()
        ]
        changed = sum(r.text != s for s, r in zip(lines, cleaner.clean_batch(lines), strict=True))
        assert 1000 * changed / len(lines) < per_1000, (folder, changed, len(lines))


def test_injected_artifacts_are_restored(shared_data: Path) -> None:
    """One artifact injected per clean WMT23 reference segment: at least 90% restored exactly in
    thorough mode for every class but the capitalised part before a name (MT's attribution dash looks
    the same: left alone by design), and emoticons always kept (benchmarks/bench_restore.py)."""
    import importlib.util
    import sys

    from .conftest import ROOT

    spec = importlib.util.spec_from_file_location("bench_restore", ROOT / "benchmarks" / "bench_restore.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    res = bench.measure(bench.segments(shared_data), per_class=120)
    assert set(res["classes"]) == {*bench.CLASSES, bench.KEEP_CLASS}
    for name, row in res["classes"].items():
        if "before a name or the end" in name:  # the headline ends: 46 of 63 restored when measured
            assert row["thorough"]["restored"] >= 0.7 * row["cases"], (name, row["thorough"]["misses"])
            continue
        assert row["cases"] >= 15, name
        assert row["thorough"]["restored"] >= 0.9 * row["cases"], (name, row["thorough"]["misses"])
    assert res["classes"][bench.KEEP_CLASS]["standard"]["restored"] == res["classes"][bench.KEEP_CLASS]["cases"]


@pytest.mark.parametrize(
    ("text", "auto", "decode", "keep"),
    [
        ("Use &lt;b&gt; tags", "Use &lt;b&gt; tags", "Use <b> tags", "Use &lt;b&gt; tags"),
        ("M&amp;C Saatchi &amp; Co", "M&C Saatchi & Co", "M&C Saatchi & Co", "M&amp;C Saatchi &amp; Co"),
        ("write &amp;lt; for it", "write &amp;lt; for it", "write < for it", "write &amp;lt; for it"),
        ("say &quot;hi&quot; &mdash; ok", 'say "hi" — ok', 'say "hi" — ok', "say &quot;hi&quot; &mdash; ok"),
        # ftfy itself leaves numeric '<' and '>' alone
        (
            "cafÃ© &#60;i&#62; x &amp;copy",
            "café &#60;i&#62; x &amp;copy",
            "café &#60;i&#62; x &copy",
            "café &#60;i&#62; x &amp;copy",
        ),
    ],
)
def test_entity_policies(text: str, auto: str, decode: str, keep: str) -> None:
    """auto (the default) never makes markup the author escaped; decode decodes all; keep none (the
    mojibake next to them is repaired all the same)."""
    for policy, expected in (("auto", auto), ("decode", decode), ("keep", keep)):
        r = mtfix.Cleaner(model=None, grammar=False, mode="thorough", entities=policy).clean(text)
        assert r.text == expected, policy
        assert mtfix.apply_changes(text, r.changes) == r.text
    assert mtfix.clean(text, grammar=False, mode="thorough").text == auto
    with pytest.raises(ValueError, match="entities"):
        mtfix.Cleaner(model=None, entities="sometimes").clean(text)


def test_an_encoding_repair_covers_the_whole_symptom_wherever_the_line_stands() -> None:
    """Found by the fuzz harness: ``&amp;a`` -> ``&a`` was logged as ``mp;a`` deleted alone and as
    ``amp;`` deleted in a batch, where the piece given to ftfy took in the next line. A change covers
    the whole entity, and a line's changes do not depend on the lines around it."""
    line = "thethethethetheÃ©drunk drivingthethethethe&amp;athehttp://x.com/A.B"
    cleaner = mtfix.Cleaner(model=None, grammar=False, mode="thorough")
    alone = cleaner.clean(line)
    assert [(c.before, c.after) for c in alone.changes] == [("Ã©", "é"), ("&amp;", "&")]
    assert "HTML entity '&amp;'" in alone.changes[1].message
    for context in (["the Ã©"], ["x"], ["&lt;Ã©"]):
        assert cleaner.clean_batch([line, *context])[0] == alone
        assert cleaner.clean_batch([*context, line])[-1] == alone


@pytest.mark.parametrize("n", [3, 4, 5, 9])
def test_a_word_three_times_or_more_is_on_purpose_at_the_end_of_a_line_too(n: int) -> None:
    # found by the fuzz harness: 'the the the' at the end of a line lost a word, and nine of them
    # were not idempotent
    text = " ".join(["the"] * n)
    assert THOROUGH.clean(text).changes == []
