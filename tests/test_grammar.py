"""The grammar stage: Harper proposes, mtfix judges; nothing of Harper reaches stdout or stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mtfix
from mtfix import grammar
from mtfix.scanning import first_letter

RULES_ONLY = mtfix.Cleaner(model=None, grammar=False)
GRAMMAR = mtfix.Cleaner(model=None, mode="thorough")  # every accepted edit applied, none withheld
SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_a531eb22376dc238.txt"


@pytest.mark.parametrize(
    ("text", "fixed", "kind"),
    [
        ("The plan will help the goverment.", "The plan will help the government.", "spelling.typo"),
        ("He is a honest man.", "He is an honest man.", "grammar.article"),
        ("Yesterday i went home.", "Yesterday I went home.", "casing.pronoun"),
        ("He have two dogs.", "He has two dogs.", "grammar.agreement"),
    ],
)
def test_harper_proposes_and_the_change_is_logged_as_grammar(text: str, fixed: str, kind: str) -> None:
    r = GRAMMAR.clean(text)
    assert r.text == fixed and r.apply() == fixed
    (change,) = r.changes
    assert (change.source, change.kind) == ("grammar", kind) and change.message.startswith("Harper ")


@pytest.mark.parametrize(
    "text",
    [
        "Kim Jong-un met Lavrov in Pyongyang.",  # names: capitalised, or part of a compound
        "Kim Jong -un met Sergei Lavrov.",
        "The file is at https://exmaple.com/teh and `teh` in code.",  # protected spans
        "Replace {usr} and %s in <b>the</b> template, $HOME and &amp; too.",  # placeholders
        "The colour of the centre, organised by the council.",  # British spelling
        "Also the album called A smrt je stéblo trávy is out.",  # a foreign title
    ],
)
def test_names_terms_placeholders_and_dialects_are_never_touched(text: str) -> None:
    r = GRAMMAR.clean(text)
    assert [c for c in r.changes if c.source == "grammar"] == []
    assert [c.before for c in r.changes] == [c.before for c in RULES_ONLY.clean(text).changes]


def test_a_foreign_phrase_is_left_alone_when_a_slip_beside_it_is_fixed() -> None:
    # 'lait' is one typo from 'laid'; its neighbours 'au' (unknown) and 'café' (not ASCII) say French
    r = GRAMMAR.clean("We drank café au lait and ate teh cake.")
    assert r.text == "We drank café au lait and ate the cake."
    assert mtfix.clean("A café au lait, then soupe du jour.").text == "A café au lait, then soupe du jour."


def test_a_word_that_recurs_is_a_term_and_the_user_dictionary_is_respected() -> None:
    assert GRAMMAR.clean("The frobnicaton failed, so the frobnicaton was retried.").changes == []
    text = "We ship the goverment build today."
    assert GRAMMAR.clean(text).text != text
    mine = mtfix.Cleaner(model=None, mode="thorough", dictionary={"goverment"})
    assert mine.clean(text).changes == []


@pytest.mark.parametrize(
    ("text", "source", "word"),
    [
        # an app name and a Romanian word the MT copied: 'like' and 'abundant' would be guesses
        ("I sit in the likee, there are few subscribers.", "Я сижу в likee , подписчиков мало .", "likee"),
        ("Ficus comprises abundent latex species.", "Genul Ficus cuprinde specii cu latex abundent .", "abundent"),
    ],
)
def test_a_word_copied_from_the_source_is_kept_and_flagged(text: str, source: str, word: str) -> None:
    assert GRAMMAR.clean(text).text != text  # without the source it is a typo to Harper and to mtfix
    r = GRAMMAR.clean(text, source=source)
    assert r.text == text and r.changes == []
    (flag,) = [f for f in r.flags if f.kind == "grammar.rejected"]
    assert text[flag.start : flag.end] == word and f"'{word}', which the source has too" in flag.message
    # a typo the source does not have is still fixed, and clean_batch agrees with clean
    other = "We sat in the appartment."
    fixed = GRAMMAR.clean_batch([text, other], sources=[source, "Stăteam în apartament."])
    assert [x.text for x in fixed] == [text, "We sat in the apartment."]


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("the plan", "t"),
        (' "(Vláda', "V"),
        ("— and so", "a"),
        ("{0} files", ""),
        ("<b>x</b>", ""),
        ("42 cats", ""),
        ("", ""),
        ("  ", ""),
        ("政府", "政"),
    ],
)
def test_first_letter_is_the_start_of_the_first_word(text: str, letter: str) -> None:
    assert first_letter(text) == letter


def test_a_segment_whose_source_opens_in_lower_case_keeps_its_lower_case_start() -> None:
    text = "the goverment said no to the plan."
    assert mtfix.clean(text).text == "The government said no to the plan."  # a start beside a slip
    # the source is a fragment too (the rest of a sentence, a list item): only the slip is mended
    assert mtfix.clean(text, source="vláda řekla plánu ne.").text == "the government said no to the plan."
    assert mtfix.clean(text, source="Vláda řekla plánu ne.").text == "The government said no to the plan."
    assert mtfix.clean(text, source="政府拒绝了该计划。").text == "The government said no to the plan."  # no case


def test_standard_mode_withholds_a_lone_grammar_edit_as_a_flag() -> None:
    text = "He is a honest man."
    r = mtfix.Cleaner(model=None).clean(text)  # standard mode, no model to confirm
    assert r.text == text and r.changes == []
    (flag,) = r.flags
    assert flag.kind == "grammar.withheld" and text[flag.start : flag.end] == "a"
    # with a second slip on the line, both are evidence of each other
    r = mtfix.Cleaner(model=None).clean("He is a honest man who help the goverment.")
    assert {c.kind for c in r.changes} >= {"grammar.article", "spelling.typo"}


@pytest.mark.parametrize(
    ("text", "applied"),
    [
        ("The bridge was atracted to the river.", "attracted"),  # one slip, unseen in English: its own evidence
        ("Spending has been aplied since Sunday.", None),  # 'allied' or 'applied': ambiguous alone
        # common enough to be a word, but two letters swapped, a hand's slip, where a real word is not one
        ("We will recieve the parcel.", "receive"),
        ("They toured an old manufactory.", None),  # a rare real word: never guessed at alone
        ("Thus the plan failed.", None),  # an optional comma: never alone
        ("The guard greated us at the door.", None),  # 'greater' or 'greeted': the fix itself is a guess
        # 'confessions' is Harper's fix, but 'confusions' is a letter doubled away (a hand's slip), rarer
        # as it is, and 'ministers' is two letters swapped where 'ministries' is a letter left out
        ("Since there used to be confussions caused by it.", None),
        ("It has to be approved by ministres first.", None),
    ],
)
def test_a_lone_typo_is_applied_only_on_the_frequency_lists_evidence(text: str, applied: str | None) -> None:
    r = mtfix.Cleaner(model=None).clean(text)
    if applied is None:
        assert r.text == text and [f.kind for f in r.flags] == ["grammar.withheld"]
    else:
        (change,) = r.changes
        assert change.after == applied and change.confidence >= grammar.SELF_EVIDENT and r.apply() == r.text


def test_the_rules_form_beats_the_spellers_and_a_past_tense_is_not_agreement() -> None:
    r = GRAMMAR.clean("The fire had spreaded to the roof.")
    assert r.text == "The fire had spread to the roof." and r.changes[0].kind == "grammar.inflection"
    # with evidence (here: thorough), the most frequent of the candidates a typo away wins, not Harper's first
    assert GRAMMAR.clean("Spending has been aplied since Sunday.").text == "Spending has been applied since Sunday."
    assert GRAMMAR.clean("He choosed it.").text == "He chose it."  # Harper's order of the two varies
    assert GRAMMAR.clean("It was choosed.").text == "It was chosen."
    # drank/drunk: the table of irregular verbs says which is the participle, and the guard takes either
    # for a form of 'drinked' (a suffix rule cannot); a form that does not fit is never proposed
    assert mtfix.clean("He has drinked it.").text == "He has drunk it."
    assert mtfix.clean("He drinked it.").text == "He drank it."
    assert GRAMMAR.clean("Then we goed home.").text == "Then we went home."
    assert GRAMMAR.clean("He buyed a car and teached his son.").text == "He bought a car and taught his son."
    assert GRAMMAR.clean("They found an unidentified body.").changes == []  # un- is not uni-
    assert GRAMMAR.clean("It was an university.").text == "It was a university."
    assert GRAMMAR.clean("So you guys are the best.").changes == []  # a noun with its pronoun, then the verb
    assert GRAMMAR.clean("Yesterday it beat the record.").changes == []
    assert GRAMMAR.clean("Every day it beat the record.").changes == []  # 'beat' is ambiguous: left


def test_a_change_log_quotes_harpers_alternatives_in_one_order() -> None:
    # Harper lists 'drank' or 'drunk' in an order that varies from process to process: the log must not
    one, other = "Use 'drunk' or 'drank' instead of 'drinked'.", "Use 'drank' or 'drunk' instead of 'drinked'."
    assert grammar._stable_message(one) == grammar._stable_message(other) == other
    assert grammar._stable_message("'b', 'c' or 'a'") == "'a', 'b' or 'c'"
    logged = [x.message for x in mtfix.clean("He has drinked it.").changes]
    assert logged and all("'drank' or 'drunk' instead" in m for m in logged)


def test_no_grammar_is_exactly_the_rule_layer() -> None:
    text = SEED.read_text(encoding="utf-8") + "\nHe is a honest man and he have two dogs.\n"
    off = mtfix.Cleaner(model=None, grammar=False).clean(text)
    stages = mtfix.Cleaner(model=None, stages=("repair", "detect")).clean(text)
    assert off == stages and all(c.source == "rule" for c in off.changes)
    assert mtfix.Cleaner(model=None).clean(text).text != off.text


@pytest.mark.parametrize("part", ["linter", "speller"])
def test_a_harper_failure_leaves_the_sentence_to_the_other_stages(monkeypatch: pytest.MonkeyPatch, part: str) -> None:
    cleaner = mtfix.Cleaner(model=None, mode="thorough")
    (stage,) = [s for s in cleaner.pipeline.stages if s.name == "grammar"]

    def broken(text: str, **kwargs: object) -> dict[str, list[object]]:
        raise RuntimeError("boom")

    class Broken:
        organized_lints = lint = staticmethod(broken)

    monkeypatch.setattr(stage, part, Broken())
    # 'he have' sends the first sentence to the linter, 'goverment' to the speller; either failing
    # leaves that sentence to the rules, flagged
    r = cleaner.clean("Kim Jong -un said he have the goverment. He is a honest man.")
    assert r.text.startswith("Kim Jong-un said he have the goverment. ")  # the rules still ran
    failed = [f for f in r.flags if f.kind == "grammar.failed"]
    assert failed and all("boom" in f.message for f in failed)
    assert failed[0].end <= len("Kim Jong -un said he have the goverment.")
    assert cleaner.stats()["grammar"]["failed"] == len(failed)
    # the second sentence needs no speller: without one it is still served
    assert r.text.endswith("He is an honest man." if part == "speller" else "He is a honest man.")
    assert len(failed) == (1 if part == "speller" else 2)


def _lint_view(lint: object) -> object:
    if lint is None:
        return None
    return (lint.message, [str(x) for x in lint.suggestions])  # type: ignore[attr-defined]


WORDS = ["recieve", "teh", "atracted", "goverment", "brooklet", "manufactory", "pyongyang", "xqzt", "spreaded",
         "childs", "informations", "taget", "selas", "colour", "analyse", "runnig", "coronaviru", "milion"]  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12), max_size=12))
def test_words_asked_together_get_the_lints_they_get_alone(words: list[str]) -> None:
    """The spell checker is asked about many words in one call (its cost is per call): each word's
    lint is the one Harper gives the word alone."""
    together = grammar.GrammarStage(grammar.GrammarOptions())
    together.PREFETCH = 5  # several calls, the last one short
    together._prefetch(words)
    alone = grammar.GrammarStage(grammar.GrammarOptions())
    for word in words:
        assert _lint_view(together._lookup(word)) == _lint_view(alone._lookup(word)), word


def test_quiet_silences_native_prints() -> None:
    """Harper's LookingForwardTo rule prints a debug line from Rust to file descriptor 1; inside
    grammar.quiet() nothing reaches the process's stdout or stderr."""
    code = (
        "import harper, mtfix.grammar as g\n"
        "L = harper.Linter()\n"
        "with g.quiet():\n"
        "    L.lint('She was looking forward to see them again.', language='plaintext')\n"
        "print('done')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (out.stdout, out.stderr) == ("done\n", "")
    loud = subprocess.run(
        [sys.executable, "-c", code.replace("with g.quiet():\n    ", "")], capture_output=True, text=True, check=True
    )
    assert "gerund_form" in loud.stdout  # the print is real: without quiet() it reaches stdout


def test_clean_writes_exactly_the_corrected_text_to_stdout(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8") + "She was looking forward to see them again, he have said.\n"
    src = tmp_path / "in.txt"
    src.write_text(text, encoding="utf-8")
    expected = "\n".join(r.text for r in mtfix.Cleaner(model=None).clean_batch(text.split("\n")))
    out = subprocess.run(
        [sys.executable, "-m", "mtfix", "clean", "--no-model", "-q", str(src)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout == expected


def test_dialect_and_options_are_checked() -> None:
    with pytest.raises(ValueError, match="dialect"):
        mtfix.Config(dialect="martian")
    british = mtfix.Cleaner(model=None, mode="thorough", dialect="british")
    assert british.clean("The colour of the centre.").changes == []


def test_read_dictionary_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# names\nPyongyang\n\n  frobnicaton  # a term\n", encoding="utf-8")
    assert grammar.read_dictionary(path) == frozenset({"Pyongyang", "frobnicaton"})


def test_cli_dictionary_no_grammar_and_dialect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mtfix import cli

    src = tmp_path / "in.txt"
    src.write_text("He said the goverment will help.\n", encoding="utf-8")
    words = tmp_path / "words.txt"
    words.write_text("# our terms\ngoverment\n", encoding="utf-8")
    base = ["clean", "--no-model", "--thorough", "-q"]
    assert cli.main([*base, str(src)]) == 0
    assert capsys.readouterr().out == "He said the government will help.\n"
    for extra in (["--dictionary", str(words)], ["--no-grammar"]):
        assert cli.main([*base, *extra, str(src)]) == 0
        assert capsys.readouterr().out == "He said the goverment will help.\n"
    assert cli.main([*base, "--dictionary", str(tmp_path / "missing.txt"), str(src)]) == 2
    assert "--dictionary" in capsys.readouterr().err
    assert cli.main([*base, "--dialect", "british", str(src)]) == 0
    assert cli.main([*base, "--dialect", "martian", str(src)]) == 2
    assert "unknown dialect 'martian'" in capsys.readouterr().err


def test_the_trigger_lists_are_what_harper_says_today() -> None:
    """mtfix/data/grammar_triggers.json was made by asking Harper (mtfix.train.triggers): ask again
    about a sample of the lexicon; a harper-py upgrade that changes its rules fails here."""
    import random

    from mtfix.lexicon import known_words
    from mtfix.train import triggers

    lists = grammar._trigger_words()
    words = sorted(w for w in known_words() if w.isascii() and w.isalpha() and w.islower())
    sample = random.Random(7).sample(words, 150)
    for name, found in triggers.probe(sample).items():
        assert set(found) == lists[name] & set(sample), name


def test_the_words_harper_knows_are_what_harper_says_today() -> None:
    """mtfix/data/speller_words.txt.gz lists words outside the lexicon that every dialect's spell checker
    accepts (mtfix.train.speller_words): ask again about a sample; an upgrade that drops one fails here."""
    import random

    import harper

    from mtfix.lexicon import known_words
    from mtfix.train import speller_words

    listed = grammar.speller_words()
    assert len(listed) > 10_000 and listed.isdisjoint(known_words())
    rnd = random.Random(11)
    sample = rnd.sample(sorted(listed), 300)
    some = grammar._speller_table()[1]  # the words only some dialects accept -> which
    partial = rnd.sample(sorted(some), 100)
    for dialect in harper.Dialect:
        assert speller_words.accepted(sample, dialect) == set(sample), dialect
        name = dialect.name.lower()
        assert speller_words.accepted(partial, dialect) == {w for w in partial if name in some[w]}, dialect
    # a word none of them knows is never listed; one only some dialects accept is known to those
    assert not {"goverment", "recieve", "colour", "color"} & listed
    assert "accessorise" in grammar.speller_words("british") and "accessorise" not in grammar.speller_words("american")
    # the table covers the frequency list: the words asked about are exactly those wordfreq knows
    universe = speller_words.universe()
    assert all(grammar._zipf(w) > 0 for w in rnd.sample(universe, 300))
    made = {"".join(rnd.choice("etaoinshrdlu") for _ in range(rnd.randint(4, 9))) for _ in range(400)}
    assert all(grammar._zipf(w) == 0 for w in made - set(universe) - known_words())


def test_the_closed_compounds_are_those_harper_splits() -> None:
    lists = grammar._trigger_words()
    assert {"infact", "alot", "eachother"} <= lists["closed_compounds"]
    linter = grammar._make_linter(grammar.GrammarOptions(rules=("OpenCompounds",)))
    with grammar.quiet():
        for word in lists["closed_compounds"]:
            assert linter.organized_lints(f"We saw {word} today.", language="plaintext")["OpenCompounds"], word


class _Counting:
    """A stand-in for Harper that counts what it is asked and finds nothing."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def lint(self, text: str, **kwargs: object) -> list[object]:
        self.asked.append(text)
        return []

    def organized_lints(self, text: str, **kwargs: object) -> dict[str, list[object]]:
        self.asked.append(text)
        return {}


def test_words_harper_knows_cost_nothing() -> None:
    """A sentence whose only words outside the lexicon are words Harper knows ('ceasefire') takes the
    fast path, and Harper is never asked about them."""
    known = grammar.speller_words()
    words = [w for w in ("ceasefire", "stakeholders", "mothership", "uncrewed", "checkbox") if w in known]
    assert len(words) >= 2
    cleaner = mtfix.Cleaner(model=None, mode="thorough")
    (stage,) = [s for s in cleaner.pipeline.stages if s.name == "grammar"]
    stage.speller, stage.linter = speller, linter = _Counting(), _Counting()
    text = f"The {words[0]} and the {words[1]} held."
    assert stage.quiet(text) and cleaner.clean(text).changes == []
    assert speller.asked == [] and linter.asked == []


def test_another_dialects_spelling_is_answered_by_the_table_as_harper_would() -> None:
    """The other-dialect check reads the table where the frequency list has the word: the same verdict
    as asking the other dialects' spell checkers."""
    import harper

    stage = grammar.GrammarStage(grammar.GrammarOptions())
    others = [grammar._make_linter(stage.options, d) for d in harper.Dialect if d != harper.Dialect.AMERICAN]

    def asked(word: str) -> bool:
        with grammar.quiet():
            return any(not other.lint(word, language="plaintext") for other in others)

    for word in ("accessorise", "acclimatisation", "abridgement", "goverment", "recieve"):
        assert stage._variant(word) == asked(word), word
    assert stage._others is None  # none of them was asked: the table knew, or wordfreq ruled them out
    assert stage._variant("stakeholderz") == asked("stakeholderz") and stage._others is not None  # asked


def test_a_verb_the_line_writes_with_a_capital_is_a_name() -> None:
    assert GRAMMAR.clean("Ram or he ram, whose name means God.").changes == []
    assert GRAMMAR.clean("But if he want, he can do it.").text == "But if he wants, he can do it."


def test_only_the_unknown_words_harper_can_mend_reach_its_sentence_linter() -> None:
    """A word the spell checker flags sends its sentence to the sentence linter only when the other rules
    can mend it: a regularised inflection or a run-together phrase Harper splits, not any two known
    words run together ('waterfowlmen')."""
    cleaner = mtfix.Cleaner(model=None, mode="thorough")
    (stage,) = [s for s in cleaner.pipeline.stages if s.name == "grammar"]
    assert stage._inflected("teached") and stage._inflected("childs") and stage._inflected("infact")
    assert not stage._inflected("waterfowlmen") and not stage._inflected("backhandkite")
    real, asked = stage.linter, []

    class Watched:
        def organized_lints(self, text: str, **kwargs: object) -> object:
            asked.append(text)
            return real.organized_lints(text, **kwargs)

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

    stage.linter = Watched()
    assert cleaner.clean("They teached us well.").text == "They taught us well."
    cleaner.clean("She was infact right about it.")  # Harper splits it (the guard has the last word)
    assert asked == ["They teached us well.", "She was infact right about it."]
    cleaner.clean("The backhandkite flew over the waterfowlmen.")
    assert len(asked) == 2


def test_a_mass_noun_before_a_noun_does_not_send_its_sentence_to_harper() -> None:
    """MassNouns is silent where a noun follows ('a traffic accident'): the pre-check leaves those, and
    wherever Harper does fire on a quantifier and a mass noun, the pre-check selects the sentence."""
    import random

    assert not grammar._triggered("They had a traffic accident.")
    assert not grammar._triggered("We ran an information campaign.")
    assert grammar._triggered("We need an information.") and grammar._triggered("I have a furniture, too.")
    assert grammar._triggered("It was a gold, he said.")  # a mark glued to it: Harper may fire
    lists = grammar._trigger_words()
    rnd = random.Random(5)
    masses = rnd.sample(sorted(w for w in lists["mass"] if not w.endswith("ing")), 40)  # participles: left
    followers = rnd.sample(sorted(lists["mass_silenced_by"]), 40) + rnd.sample(sorted(lists["mass_fires_before"]), 40)
    linter = grammar._make_linter(grammar.GrammarOptions(rules=("MassNouns",)))
    texts = [f"We saw a {m} {f} today." for m, f in zip(masses * 2, followers, strict=True)]
    with grammar.quiet():
        fired = [t for t in texts if linter.organized_lints(t, language="plaintext").get("MassNouns")]
    assert fired and all(grammar._triggered(t) for t in fired)
    assert sum(map(grammar._triggered, texts)) < len(texts)  # and some are left out


def test_the_pre_check_misses_few_sentences_harper_would_lint(shared_data: Path) -> None:
    """The cheap pre-check decides what Harper sees: of the JFLEG dev sentences on which the stage's
    rules fire, it must select nearly all, and far fewer than all of clean news."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from benchtools import detokenize

    from mtfix.segment import sentences

    stage = grammar.GrammarStage(grammar.GrammarOptions())
    learner = [s.text for line in (shared_data / "jfleg" / "dev.src").open() for s in sentences(detokenize(line))]
    fired = selected = 0
    with grammar.quiet():
        for s in learner:
            lints = stage.linter.organized_lints(s, language="plaintext")
            if any(lints.get(r) for r in grammar.RULES if r != "SpellCheck"):
                fired += 1
                # what propose sends to the linter: a trigger, or a flagged word the other rules mend
                flagged = [s[w.span.start : w.span.end].lower() for w in stage._misspellings(s)]
                selected += grammar._triggered(s) or any(map(stage._inflected, flagged))
    assert fired > 50 and selected / fired >= 0.95
    refs = (shared_data / "wmt21" / "references").glob("*")
    news = [line for f in sorted(refs) for line in f.read_text(encoding="utf-8").splitlines()[:300]]
    cleaner = mtfix.Cleaner(model=None)
    cleaner.clean_batch(news)
    linted = cleaner.stats()["grammar"]["linted"]  # sentences Harper's sentence linter saw
    assert linted / sum(len(list(sentences(line))) for line in news) < 0.1


_WORDS = st.sampled_from(
    "the a an he she they i we plan works work informations childs goed there their however , . is are"
    " teh recieve atracted more better and also for example Kim Jong-un {0} <b> said".split()
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, max_size=14).map(" ".join), st.booleans())
def test_the_grammar_pre_check_rules_out_only_texts_it_would_leave_alone(text: str, two_lines: bool) -> None:
    """The default pipeline's per-call fast path rests on this: where the grammar stage's ``quiet``
    says so, it proposes nothing; and a clean sentence takes the fast path."""
    from mtfix.changes import ChangeLog
    from mtfix.pipeline import Document

    if two_lines:
        text = f"{text}\nThe plan works."
    stage = next(s for s in GRAMMAR.pipeline.stages if s.name == "grammar")
    if stage.quiet(text):
        proposal = stage.propose(Document(ChangeLog(text)))
        assert not proposal.edits and not proposal.flags and not proposal.findings
    assert GRAMMAR.pipeline.quiet("The plan works.")
    assert not stage.quiet("We goed home.") and not stage.quiet("A teh plan.")


DEFAULT = mtfix.Cleaner(model=None)


def test_the_pronoun_i_beside_a_slip_is_no_name() -> None:
    # a capitalised neighbour marks a name ('Jong'), but 'I' and 'I'm' are no names
    assert GRAMMAR.clean("However, I woud prefer tea.").text == "However, I would prefer tea."
    assert GRAMMAR.clean("Yesterday I'm sory to say it rained.").text == "Yesterday I'm sorry to say it rained."


def test_two_slips_side_by_side_are_no_foreign_phrase() -> None:
    # 'lifestile' is a self-evident misspelling, so its unknown neighbour 'ther' is no foreign word
    assert DEFAULT.clean("They like ther lifestile very much.").text == "They like their lifestyle very much."
    # an unknown two-letter neighbour still says French ('lait' is one typo from 'laid')
    assert GRAMMAR.clean("We drank café au lait.").changes == []


def test_a_word_in_common_use_is_not_a_slip_unless_its_fix_is_far_commoner() -> None:
    assert GRAMMAR.clean("We use unix daily.").changes == []  # 'unix' → 'unit': a word, not a slip
    assert GRAMMAR.clean("We ate teh cake.").text == "We ate the cake."  # 'teh' is listed, 'the' far more so


def test_a_rival_fix_as_frequent_makes_a_spelling_fix_a_guess() -> None:
    # 'superviors' is a typo from 'superiors' and from 'supervisors': no evidence of its own, withheld alone
    r = DEFAULT.clean("The superviors met today.")
    assert r.text == "The superviors met today."
    assert [f.kind for f in r.flags] == ["grammar.withheld"]


def test_a_capitalised_first_word_is_spelled_as_a_lower_case_one() -> None:
    assert GRAMMAR.clean("Beacuse it rained, we stayed hoem.").text == "Because it rained, we stayed home."
    # beside a repair of another stage: the line's evidence
    assert DEFAULT.clean("Beacuse it rained.We stayed home.").text == "Because it rained. We stayed home."
    # alone it may be a name the checker lacks: left in every mode ('Catry' is a typo from 'Carry')
    for cleaner in (DEFAULT, GRAMMAR):
        assert cleaner.clean("Beacuse it rained, we stayed home.").changes == []
        assert cleaner.clean("Catry warned earlier that the plan would fail.").changes == []


def test_a_lower_case_sentence_start_is_capitalised_only_beside_other_slips() -> None:
    r = DEFAULT.clean("the cat sat on the mat beacuse it was tired.")
    assert r.text == "The cat sat on the mat because it was tired."
    assert "casing.sentence" in {c.kind for c in r.changes}
    assert DEFAULT.clean("the cat sat on the mat.").changes == []  # a fragment or list item alone
    assert DEFAULT.clean("brown eyes").changes == []
    fixed = DEFAULT.clean("de Havilland built the plane beacuse it was needed.").text
    assert fixed == "de Havilland built the plane because it was needed."  # a name's particle stays
    # a segment that starts with 'and' continues another: its start stays, even where nothing is withheld
    fixed = GRAMMAR.clean("and causes a great many diseases beacuse of it.").text
    assert fixed == "and causes a great many diseases because of it."


def test_a_derived_word_the_dictionary_lacks_is_not_turned_into_another_word() -> None:
    # 'de-' + 'inking', 'inhabit' + '-ance', 'compensate' + '-or': words, not slips, even on thorough
    for text in (
        "Natural dyes are used for deinking paper.",
        "The inhabitance of the valley is old.",
        "The compensator keeps the voltage steady.",
        "Trucks need underride guards.",  # 'under-' + 'ride', not 'underside'
    ):
        assert GRAMMAR.clean(text).changes == [], text
    # a fix that keeps the derivation mends its spelling ('argue' + '-ment', '-ance' for '-ence')
    assert GRAMMAR.clean("This arguement is weak.").text == "This argument is weak."
    assert GRAMMAR.clean("The differance is small.").text == "The difference is small."
    # a letter at the seam of prefix and stem ('co' + 'mission'): the stem kept, the word mended
    assert GRAMMAR.clean("They got their comission plate.").text == "They got their commission plate."


def test_the_commonest_slips_of_a_hand_carry_their_own_evidence() -> None:
    # a letter left out inside, a double written single: applied alone, though 'trafic' is a letter
    # changed from 'tragic' and 'somthing' from 'soothing'
    assert DEFAULT.clean("They never tried somthing new.").text == "They never tried something new."
    assert DEFAULT.clean("We hate trafic jams.").text == "We hate traffic jams."
    # a final letter dropped is how other languages' words differ from English ones: withheld alone
    r = DEFAULT.clean("They reported their first corna case.")
    assert r.text == "They reported their first corna case." and [f.kind for f in r.flags] == ["grammar.withheld"]


@pytest.mark.parametrize(
    ("word", "fix", "shape"),
    [
        ("somthing", "something", True),
        ("trafic", "traffic", True),
        ("succes", "success", True),
        ("successfull", "successful", True),
        ("tarvel", "travel", True),
        ("corna", "corn", False),
        ("unti", "until", False),
        ("surprize", "surprise", False),
        ("reaserch", "research", False),
    ],
)
def test_slip_shapes(word: str, fix: str, shape: bool) -> None:
    from mtfix.grammar import _slip_shape

    assert _slip_shape(word, fix) is shape


def test_a_name_after_a_comma_is_a_neighbour_too() -> None:
    # the comma glued to 'marichi' is no neighbour: 'Angira' is, and says the list is of names
    text = "It rests on the traditions of marichi, Angira and Atri."
    assert GRAMMAR.clean(text).changes == []


def test_among_fixes_a_typo_away_the_slip_of_a_hand_comes_first() -> None:
    # 'totally' is a double written single, 'total' a final letter added: the shape decides before
    # the frequency list does ('total' is the commoner word)
    assert GRAMMAR.clean("The advertisement totaly changed my mind.").text == (
        "The advertisement totally changed my mind."
    )
    assert GRAMMAR.clean("They shape the future of the youg generation.").text == (
        "They shape the future of the young generation."
    )


@given(st.text(alphabet="abcdeilnorst", min_size=2, max_size=9), st.integers(0, 9), st.sampled_from("abcdeilnorst"))
@settings(max_examples=300, deadline=None)
def test_a_slip_shape_is_one_typo_and_a_letter_left_out_inside_is_one(word: str, at: int, letter: str) -> None:
    from mtfix.grammar import _slip_shape, typo_distance

    at = at % len(word)  # a letter left out inside the word (never at its end)
    fix = word[:at] + letter + word[at:]
    assert _slip_shape(word, fix)
    # a double written single, read the other way: the word with the letter doubled
    doubled = word[: at + 1] + word[at] + word[at + 1 :]
    assert _slip_shape(doubled, word)
    for other in (fix, doubled, word[::-1], word + letter, letter + word):
        if _slip_shape(word, other):
            assert typo_distance(word, other) == 1, other


def test_a_vowel_after_an_english_word_is_no_slip_on_its_own() -> None:
    # 'juryo' (a sumo division), 'lidi', 'tuta': how words of other languages end, withheld alone
    r = DEFAULT.clean("In the juryo division, he won again.")
    assert r.text == "In the juryo division, he won again." and [f.kind for f in r.flags] == ["grammar.withheld"]
