"""Protected spans: placeholders, inline tags, URLs and code survive every stage, because the pipeline
enforces it (not each fixer), for the spans it finds and for those a caller marks; the source segment
as the guard's evidence."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mtfix
from mtfix import guard
from mtfix.changes import Edit
from mtfix.pipeline import Document, GuardPolicy, Pipeline, Proposal
from mtfix.segment import protected_spans, sentences

PLACEHOLDERS = ["{0}", "{name}", "{count, number}", "%s", "%1$s", "%d", "%(name)s", "${var}", "{{var}}", "%@"]
TAGS = ['<x id="1"/>', "<b>", "</b>", '<a href="https://e.com/a?b=1">', "</a>", "<br />", "<!-- note -->"]
OTHER = ["https://example.com/a,b", "info@example.org", "`x = 1`"]
# MT damage the rules repair, so that there is something to repair next to the spans
PIECES = ["Kim Jong -un", "six -day", "Korea.At", "said ,", "the the", "cafÃ©", "，", "( c )", ",,", "He go"]
WORDS = ["the", "report", "said", "a", "new", "plan", "Seoul", "in", "2021", "."]


def test_placeholders_and_tags_are_found() -> None:
    text = "Hi {0}, %1$s and %(n)s or %s: <b>x</b> <x id='1'/> {{v}} ${v} {} %@ <!-- c -->"
    found = [text[a:b] for a, b in protected_spans(text)]
    assert found == [
        "{0}",
        "%1$s",
        "%(n)s",
        "%s",
        "<b>",
        "</b>",
        "<x id='1'/>",
        "{{v}}",
        "${v}",
        "{}",
        "%@",
        "<!-- c -->",
    ]


@pytest.mark.parametrize(
    "text",
    ["It rose 5% since May, 10% in June.", "a < b and c > d", "5%s share", "{not a placeholder}", "100 %", "%%"],
)
def test_ordinary_text_is_not_a_placeholder(text: str) -> None:
    assert protected_spans(text) == []


class Hostile:
    """A stage that proposes the given edits wherever they land (an unguarded stage: a rule)."""

    name = source = "hostile"
    guard = None

    def __init__(self, picks: list[tuple[int, int, str]]) -> None:
        self.picks = picks

    def propose(self, doc: Document) -> Proposal:
        n = len(doc.text)
        edits, end = [], -1
        for a, b, after in sorted((min(a, n), min(max(a, b), n), after) for a, b, after in self.picks):
            if a > end or (a == end and b > a):
                edits.append(Edit(a, b, after, "hostile.edit", "test"))
                end = b
        return Proposal(edits)


class Rewriter:
    """A guarded stage that rewrites each sentence whole, as a model would: here it drops or changes
    every placeholder and tag, and fixes 'He go'."""

    name = source = "rewriter"

    def __init__(self) -> None:
        self.guard = GuardPolicy(0.5, max_edit_ratio=1.0)

    def propose(self, doc: Document) -> Proposal:
        edits = []
        for s in sentences(doc.text):
            new = re.sub(r"\{\w+\}|%s|<[^>]+>", "", s.text).replace("He go", "He goes")
            if new != s.text:
                edits.append(Edit(s.start, s.end, new, "fluency.rewrite", "", 0.99))
        return Proposal(edits)


def _assemble(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A line of MT-like pieces with placeholders, tags and URLs between them, and those in order."""
    parts: list[str] = []
    kept: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["piece", "word", "protected"]))
        if kind == "protected":
            p = draw(st.sampled_from(PLACEHOLDERS + TAGS + OTHER))
            kept.append(p)
            parts.append(p)
        else:
            parts.append(draw(st.sampled_from(PIECES if kind == "piece" else WORDS)))
        # a placeholder glued to a letter is no placeholder ('%sKim'): after one, a space or a comma
        parts.append(draw(st.sampled_from([" ", ", "] if kind == "protected" else [" ", " ", "", ", "])))
    return "".join(parts).strip(), kept


@st.composite
def lines(draw: st.DrawFn) -> tuple[str, list[str]]:
    return _assemble(draw)


def _in_order(text: str, kept: list[str]) -> bool:
    pos = 0
    for p in kept:
        i = text.find(p, pos)
        if i < 0:
            return False
        pos = i + len(p)
    return True


def _untouched(result: mtfix.Result) -> bool:
    """No change of ``result`` overlaps a protected span of its original (an insertion at an edge is fine)."""
    spans = protected_spans(result.original)
    for c in result.changes:
        for p in spans:
            if c.start < c.end and c.start < p.end and c.end > p.start:
                return False
            if c.start == c.end and p.start < c.start < p.end:
                return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines(), st.lists(st.tuples(st.integers(0, 120), st.integers(0, 120), st.sampled_from(["", " ", "X", "}"]))))
def test_no_stage_can_touch_a_protected_span(line: tuple[str, list[str]], picks: list[tuple[int, int, str]]) -> None:
    text, kept = line
    cleaner = mtfix.Cleaner(mtfix.Config(mode="thorough"))
    stages = [*cleaner.pipeline.stages, Hostile(picks), Rewriter()]
    result = Pipeline(stages).run(text)
    assert result.apply(result.changes) == result.text
    assert _in_order(result.text, kept), (text, result.text)
    assert _untouched(result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_the_default_and_thorough_cleaners_keep_every_span_in_order(line: tuple[str, list[str]]) -> None:
    text, kept = line
    for config in (mtfix.Config(), mtfix.Config(mode="thorough"), mtfix.Config(grammar=False)):
        result = mtfix.Cleaner(config).clean(text)
        assert _in_order(result.text, kept) and _untouched(result), (config, text, result.text)


def test_a_rewrite_that_drops_a_placeholder_is_rejected_whole_and_one_that_keeps_them_applies() -> None:
    pipeline = Pipeline([Rewriter()])
    dropped = pipeline.run("He go home with {0} now.")
    assert dropped.text == "He go home with {0} now."
    assert [f.kind for f in dropped.flags] == ["fluency.rejected"]
    assert "protected '{0}'" in dropped.flags[0].message
    kept = pipeline.run("He go home with %d apples.")  # %d is not one the rewriter removes
    assert kept.text == "He goes home with %d apples."


def test_spans_the_caller_marks_are_protected_too() -> None:
    text = "Click [[1]] ,then [[2]]here ."
    spans = [(m.start(), m.end()) for m in re.finditer(r"\[\[\d\]\]", text)]
    cleaner = mtfix.Cleaner(mtfix.Config(mode="thorough"))
    result = cleaner.clean(text, protected=spans)
    assert "[[1]]" in result.text and "[[2]]" in result.text
    hostile = Pipeline([Hostile([(s, s + 2, "") for s, _ in spans] + [(11, 12, "")])]).run(text, protected=spans)
    assert hostile.text == text[:11] + text[12:]  # only the edit outside the spans applied
    batch = cleaner.clean_batch([text, text], protected=[spans, []])
    assert batch[0].text == result.text
    with pytest.raises(ValueError, match="outside"):
        cleaner.clean("short", protected=[(2, 40)])
    with pytest.raises(ValueError, match="2 protected for 1 texts"):
        cleaner.clean_batch(["a"], protected=[[], []])


def test_a_guessing_stage_refused_on_a_span_says_so() -> None:
    class Guessing(Hostile):
        guard = GuardPolicy(0.0, max_edit_ratio=1.0, whole=False)

    text = "Send it to {name} today."
    result = Pipeline([Guessing([(11, 17, "Name")])]).run(text)
    assert result.text == text
    assert [f.kind for f in result.flags] == ["hostile.protected"]
    assert "{name}" in result.flags[0].message


def test_the_guard_keeps_what_the_source_has() -> None:
    kwargs = {"min_confidence": 0.5, "max_edit_ratio": 0.9}
    # a name that opens the sentence is no name to the guard alone; the source says it is one
    assert guard.check("Lavrov met him.", "Lvov met him.", 0.9, **kwargs).reason.startswith("it replaces")
    verdict = guard.check("Merkel met him.", "Markel met him.", 0.9, source="Merkel traf ihn.", **kwargs)
    assert not verdict.ok and "'Merkel', which the source has too" in verdict.reason
    assert guard.check("He go home.", "He goes home.", 0.9, source="Er geht nach Hause.", **kwargs).ok
    # a lower-case word English does not have, written as the source writes it, was copied from it
    verdict = guard.check("I sit in likee.", "I sit in like.", 0.9, source="Я сижу в likee.", **kwargs)
    assert not verdict.ok and "'likee', which the source has too" in verdict.reason
    # a lower-case word both languages have says nothing ('a' in Romanian, 'film' in both)
    assert guard.check("It is a apple.", "It is an apple.", 0.9, source="Este a film.", **kwargs).ok
    assert guard.source_words("Я сижу в likee, film a Merkel.") >= {"likee", "Merkel", "сижу"}
    assert guard.source_words("film a Merkel") == {"Merkel"}


def test_a_source_makes_every_stage_run_and_clean_batch_pairs_them() -> None:
    cleaner = mtfix.Cleaner()
    plain = cleaner.clean("A clean sentence.")
    assert plain.changes == [] and plain.flags == []
    results = cleaner.clean_batch(["Kim Jong -un left.", "Fine."], sources=["김정은 떠났다.", None])
    assert results[0].text == "Kim Jong-un left." and results[1].text == "Fine."
    with pytest.raises(TypeError, match="source"):
        cleaner.clean_batch(["a"], sources=[b"x"])  # type: ignore[list-item]


def test_markup_beside_damage_no_longer_hides_it_from_the_rules() -> None:
    # an attribute's quotes paired with the text's, a comment's '--' read as a command line: both masked
    cleaner = mtfix.Cleaner(mtfix.Config(mode="thorough"))
    assert cleaner.clean('He said " hello " to <x id="1"/> them.').text == 'He said "hello" to <x id="1"/> them.'
    assert cleaner.clean("Kim Jong -un came <!-- c --> here.").text == "Kim Jong-un came <!-- c --> here."
    assert cleaner.clean("Run `ls --help` for Kim Jong -un.").text == "Run `ls --help` for Kim Jong-un."
    # outside a span the command-line reading stands
    assert cleaner.clean("Run ls --help for top -n 1.").text == "Run ls --help for top -n 1."


def test_a_glued_sentence_before_an_inline_tag_is_repaired_and_a_generic_is_not() -> None:
    thorough = mtfix.Cleaner(mtfix.Config(mode="thorough", grammar=False))
    assert thorough.clean('He arrived.He<x id="1"/> left.').text == 'He arrived. He<x id="1"/> left.'
    assert thorough.clean("Talks ended,Russia<ph/> said.").text == "Talks ended, Russia<ph/> said."
    assert thorough.clean("Call List.Item<T> here.").changes == []  # a generic: its name is capitalised
