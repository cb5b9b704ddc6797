"""Properties of clean() over arbitrary text, checked with hypothesis."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import mtfix

# Text that looks like damaged MT: words, names, punctuation, quotes, spaces, CJK, mojibake bits.
PIECES = st.sampled_from(
    [
        "the",
        "The",
        "Kim",
        "Jong",
        "un",
        "-un",
        "-",
        " -",
        "- ",
        " ",
        "  ",
        "\n",
        ".",
        ",",
        ",,",
        ". .",
        '"',
        '""',
        '"""',
        "'",
        "'s",
        "n't",
        "(",
        ")",
        "( ",
        " )",
        "，",
        "。",
        "（",
        "）",
        "「",
        "」",
        "北京",
        "Ã©",
        "â€™",
        "&amp;",
        "\x07",
        "U.S.",
        "3.5",
        "10:30",
        "e.g.",
        "http://x.com/A.B",
        "Korea.At",
        "I",
        "a",
        "had",
        "day",
        "%",
        "$",
        " :",
        ":)",
        "…",
        "...",
        "é",
        "\u0301",
        "\t",
        "drunk driving",
    ]
)
MT_TEXT = st.lists(PIECES, max_size=30).map(" ".join) | st.lists(PIECES, max_size=30).map("".join)
ANY_TEXT = st.text(max_size=200)
SETTINGS = settings(
    max_examples=int(os.environ.get("MTFIX_HYPOTHESIS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# the rule layer (the grammar stage is checked below: its proposals depend on Harper's dictionary)
RULES = mtfix.Cleaner(model=None, grammar=False)
STRICT = mtfix.Cleaner(model=None, mode="strict", grammar=False)
THOROUGH = mtfix.Cleaner(model=None, mode="thorough", grammar=False)
GRAMMAR = {mode: mtfix.Cleaner(model=None, mode=mode) for mode in mtfix.MODES}


def _check(text: str, cleaner: mtfix.Cleaner = RULES) -> None:
    r = cleaner.clean(text)
    assert r.original == text
    assert mtfix.apply_changes(text, r.changes) == r.text
    for a, b in zip(r.changes, r.changes[1:], strict=False):
        assert a.end <= b.start and (a.start, a.end) != (b.start, b.end)
    for c in r.changes:
        assert text[c.start : c.end] == c.before != c.after
        assert c.source == "rule" and 0 <= c.confidence <= 1 and c.kind in mtfix.fixer_names()
    for f in r.flags:
        assert 0 <= f.start <= f.end <= len(text)
    again = cleaner.clean(r.text)
    assert again.changes == [], f"not idempotent on {r.text!r}: {again.changes}"


@SETTINGS
@given(MT_TEXT)
def test_invariants_on_mt_like_text(text: str) -> None:
    _check(text)


@SETTINGS
@given(st.one_of(MT_TEXT, ANY_TEXT), st.sampled_from(mtfix.MODES))
def test_grammar_stage_keeps_the_log_exact(text: str, mode: str) -> None:
    r = GRAMMAR[mode].clean(text)
    assert mtfix.apply_changes(text, r.changes) == r.text
    for a, b in zip(r.changes, r.changes[1:], strict=False):
        assert a.end <= b.start
    for c in r.changes:
        assert text[c.start : c.end] == c.before != c.after and c.source in ("rule", "grammar")
    assert all(0 <= f.start <= f.end <= len(text) for f in r.flags)


@SETTINGS
@given(ANY_TEXT)
@example("\x9a@Â\x80")  # the C1 control becomes 'š': '@Â' was a protected @handle only before the repair
def test_invariants_on_arbitrary_unicode(text: str) -> None:
    _check(text)


@SETTINGS
@given(MT_TEXT)
def test_invariants_in_every_mode(text: str) -> None:
    """Withholding lone repairs rebuilds the log: it must stay exact and idempotent, and a repair
    withheld is one thorough mode applies (as a flag with the same span)."""
    everything = THOROUGH.clean(text)
    for cleaner in (THOROUGH, RULES, STRICT):
        _check(text, cleaner)
        r = cleaner.clean(text)
        withheld = [(f.start, f.end) for f in r.flags if f.kind == "rule.withheld"]
        assert sorted([(c.start, c.end) for c in r.changes] + withheld) == [
            (c.start, c.end) for c in everything.changes
        ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MT_TEXT | ANY_TEXT, max_size=6))
@example(["\x80", "\U00020000"])  # an astral CJK character must be flagged alone as in a batch
@example([" :", "( the"])  # the emoticon check must not see the eyes on the line before
def test_batch_equals_one_by_one(texts: list[str]) -> None:
    """clean_batch joins its texts with line breaks: that must be exact, text by text."""
    assert RULES.clean_batch(texts) == [RULES.clean(t) for t in texts]


@st.composite
def _texts_with_spans(draw: st.DrawFn) -> tuple[list[str], list[list[tuple[int, int]]]]:
    texts = draw(st.lists(MT_TEXT | ANY_TEXT, max_size=6))
    spans = []
    for t in texts:
        a = draw(st.integers(0, len(t)))
        spans.append(draw(st.sampled_from([[], [(a, draw(st.integers(a, len(t))))]])))
    return texts, spans


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts_with_spans())
@example((["fine text", "Kim Jong -un said , ok", "fine", "six -day war"], [[(0, 4)], [], [], [(0, 3)]]))
def test_batch_with_protected_spans_equals_one_by_one(case: tuple[list[str], list[list[tuple[int, int]]]]) -> None:
    """A batch sets its quiet texts aside and joins the others: each text's protected spans must
    still land on that text, wherever it is in the batch."""
    texts, spans = case
    assert RULES.clean_batch(texts, protected=spans) == [
        RULES.clean(t, protected=p) for t, p in zip(texts, spans, strict=True)
    ]


@SETTINGS
@given(st.one_of(MT_TEXT, ANY_TEXT))
@example("Kim Jong -un said , ok")
@example("' and \"")
@example("M&amp;C at 10：30")
def test_a_fixer_its_precheck_rules_out_finds_nothing(text: str) -> None:
    """The per-call fast path rests on this: a fixer whose trigger and check do not match finds nothing,
    and the pre-check merged over all fixers says quiet exactly when each of them does."""
    from mtfix.fixers import REGISTRY, Precheck

    for f in REGISTRY.values():
        if not f.may_fire(text):
            assert list(f.fn(text)) == [], f.name
    assert Precheck(list(REGISTRY.values())).quiet(text) == (not any(f.may_fire(text) for f in REGISTRY.values()))


class _NoPrecheck:
    """A stage with nothing to propose and no ``quiet``: a pipeline with it has no fast path."""

    name, source, guard = "no-precheck", "test", None

    def propose(self, doc: object) -> object:
        from mtfix.pipeline import Proposal

        return Proposal()


FULL = {
    mode: mtfix.Cleaner(model=None, mode=mode, grammar=False)  # the same pipeline, its fast path off below
    for mode in mtfix.MODES
}


@SETTINGS
@given(st.one_of(MT_TEXT, ANY_TEXT), st.sampled_from(mtfix.MODES))
@example("Der Hund ist sehr groß und er läuft schnell nach Hause.", "standard")
@example("He wrote 北京 in the note.", "standard")
@example("The the cat", "thorough")
def test_the_fast_path_returns_what_the_whole_pipeline_does(text: str, mode: str) -> None:
    from mtfix.pipeline import Pipeline

    fast = mtfix.Cleaner(model=None, mode=mode, grammar=False)
    stages = FULL[mode].pipeline.stages
    full = Pipeline([*stages, _NoPrecheck()], FULL[mode].pipeline.detector)  # type: ignore[list-item]
    assert fast.clean(text) == full.run(text)


ENTITY_TEXT = st.lists(
    st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&#60;", "&amp;lt;", "&nbsp;", "Ã©", " ", "x", ";", "lt", "&"]),
    max_size=20,
).map("".join)


@SETTINGS
@given(ENTITY_TEXT, st.sampled_from(["auto", "decode", "keep"]))
def test_entity_policies_keep_the_log_exact_and_idempotent(text: str, policy: str) -> None:
    cleaner = mtfix.Cleaner(model=None, grammar=False, mode="thorough", entities=policy)
    r = cleaner.clean(text)
    assert mtfix.apply_changes(text, r.changes) == r.text
    if policy != "decode":  # 'auto' and 'keep' never create a '<' or '>' from an entity
        assert r.text.count("<") == text.count("<") and r.text.count(">") == text.count(">")
    if policy == "keep":
        assert [m for m in ("&amp;", "&lt;", "&quot;") if m in text] == [
            m for m in ("&amp;", "&lt;", "&quot;") if m in r.text
        ]


SYMPTOM_LINE = st.lists(
    st.sampled_from(["&amp;", "&lt;", "Ã©", "â€™", "\x07", "\ufffd", "a", "the", " ", "http://x.com/A.B", "é"]),
    max_size=40,
).map("".join)


@SETTINGS
@given(st.lists(SYMPTOM_LINE, min_size=1, max_size=4))
def test_encoding_repairs_of_a_line_do_not_depend_on_the_lines_around_it(lines: list[str]) -> None:
    """Every change covers whole symptoms, and the pieces given to ftfy never cross a line break, so
    a line gets the same edits alone as in a batch (the fuzz harness found both broken)."""
    from mtfix.fixers.encoding import fix_encoding

    joined = "\n".join(lines)
    expected, offset = [], 0
    for line in lines:
        expected += [(r.start + offset, r.end + offset, r.after) for r in fix_encoding(line)]
        offset += len(line) + 1
    assert [(r.start, r.end, r.after) for r in fix_encoding(joined)] == expected


SPAN_TEXT = st.lists(
    st.sampled_from(
        [
            "http://a.b/c",
            "`code x`",
            "`",
            "{{ n }}",
            "{{",
            "}}",
            "{% if %}",
            "${ y }",
            "#{z}",
            "a@b.com",
            "@me",
            "#tag",
            "file.txt",
            "www.x.org",
            "x.com/p",
            "co.uk",
            ".",
            "@",
            "#",
            "{",
            "}",
            " ",
            "  ",
            "\t",
            "\n",
            "word",
            "é",
        ]
    ),
    max_size=40,
).map("".join)


@SETTINGS
@given(SPAN_TEXT)
def test_protected_spans_are_those_of_the_pattern_tried_at_every_position(text: str) -> None:
    """protected_spans tries only the words that hold a hint; it must find what the pattern finds when it
    is tried at every position of every line (what it did before it was made linear in the hints)."""
    from mtfix.segment import _PROTECTED, Span, protected_spans

    offset, expected = 0, []
    for line in text.split("\n"):
        expected += [Span(m.start() + offset, m.end() + offset) for m in _PROTECTED.finditer(line)]
        offset += len(line) + 1
    assert protected_spans(text) == expected
