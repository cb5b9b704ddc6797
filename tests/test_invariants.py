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
def test_batch_equals_one_by_one(texts: list[str]) -> None:
    """clean_batch joins its texts with line breaks: that must be exact, text by text."""
    assert RULES.clean_batch(texts) == [RULES.clean(t) for t in texts]
