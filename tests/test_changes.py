"""The change log: composition of edits over successive versions, replay, serialisation."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix import Change, Result, apply_changes
from mtfix.changes import ChangeLog, Edit


@st.composite
def edit_rounds(draw: st.DrawFn) -> tuple[str, list[list[tuple[int, int, str]]]]:
    """An original text and up to four rounds of random edits, as fractions of the current text."""
    original = draw(st.text(alphabet="ab c\n", max_size=16))
    rounds = draw(
        st.lists(
            st.lists(
                st.tuples(st.integers(0, 20), st.integers(0, 3), st.text(alphabet="xyz ", max_size=3)),
                max_size=4,
            ),
            min_size=1,
            max_size=4,
        )
    )
    return original, rounds


def _edits_for(text: str, spec: list[tuple[int, int, str]]) -> list[Edit]:
    edits, pos = [], 0
    for gap, length, after in spec:
        start = min(len(text), pos + gap % (len(text) + 1))
        end = min(len(text), start + length)
        if edits and edits[-1].start == edits[-1].end == start == end:
            continue  # two insertions at one point have no defined order
        edits.append(Edit(start, end, after, "k", "m"))
        pos = end
    return edits


def _apply_edits(text: str, edits: list[Edit]) -> str:
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: e.start] + e.after + text[e.end :]
    return text


@settings(max_examples=400, deadline=None)
@given(edit_rounds())
def test_log_replays_exactly_and_never_overlaps(case: tuple[str, list[list[tuple[int, int, str]]]]) -> None:
    original, rounds = case
    log = ChangeLog(original)
    for spec in rounds:
        edits = _edits_for(log.text, spec)
        expected = _apply_edits(log.text, edits)
        log.apply(edits)
        assert log.text == expected
        changes = log.changes
        assert apply_changes(original, changes) == log.text
        for c in changes:
            assert original[c.start : c.end] == c.before and c.before != c.after
        for a, b in itertools.pairwise(changes):
            assert a.end <= b.start and (a.start, a.end) != (b.start, b.end)


@settings(max_examples=300, deadline=None)
@given(edit_rounds())
def test_the_first_edits_take_the_short_way_to_the_same_log(case: tuple[str, list[list[tuple[int, int, str]]]]) -> None:
    # a log with no change yet applies edits in one sweep; the general merge must give the same log
    original, rounds = case
    edits = [e for e in _edits_for(original, rounds[0]) if original[e.start : e.end] != e.after]
    fast, general = ChangeLog(original), ChangeLog(original)
    fast.apply(edits)
    general._merge(edits)
    assert (fast.text, fast.changes, fast.current_spans()) == (general.text, general.changes, general.current_spans())
    for spec in rounds[1:]:  # and what comes after goes the same way
        more = _edits_for(fast.text, spec)
        fast.apply(more)
        general.apply(more)
        assert (fast.text, fast.changes, fast.current_spans()) == (
            general.text,
            general.changes,
            general.current_spans(),
        )


@settings(max_examples=200, deadline=None)
@given(edit_rounds(), st.data())
def test_any_subset_of_changes_applies(case: tuple[str, list[list[tuple[int, int, str]]]], data: st.DataObject) -> None:
    original, rounds = case
    log = ChangeLog(original)
    for spec in rounds:
        log.apply(_edits_for(log.text, spec))
    changes = log.changes
    keep = [data.draw(st.booleans()) for _ in changes]
    rebuilt = apply_changes(original, [c for c, k in zip(changes, keep, strict=True) if k])
    # Kept changes put in their text, rejected ones leave the original's in place, and the text
    # between changes is the original's: the rebuilt text is exactly these pieces, in order.
    pieces, pos = [], 0
    for c, k in zip(changes, keep, strict=True):
        pieces += [original[pos : c.start], c.after if k else original[c.start : c.end]]
        pos = c.end
    assert rebuilt == "".join(pieces) + original[pos:]


def test_merging_keeps_kinds_and_lowest_confidence() -> None:
    log = ChangeLog("a  b")
    log.apply([Edit(1, 2, "", "spacing.x", "first", 0.9)])
    log.apply([Edit(1, 2, ",", "punct.y", "second", 0.8)])  # rewrites the space the first kept
    (c,) = log.changes
    assert (c.before, c.after, c.confidence) == ("  ", ",", 0.8)
    assert c.message == "first; second"


def test_edit_that_undoes_a_change_removes_it() -> None:
    log = ChangeLog("ab")
    log.apply([Edit(1, 1, "-", "k", "m")])
    log.apply([Edit(1, 2, "", "k", "m")])
    assert log.text == "ab" and log.changes == []


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        ChangeLog("abcdef").apply([Edit(0, 3, "", "k", "m"), Edit(2, 4, "", "k", "m")])


def test_apply_changes_rejects_mismatch_and_overlap() -> None:
    c = Change(0, 1, "x", "y", "k", "rule", 1.0, "m")
    with pytest.raises(ValueError, match="does not match"):
        apply_changes("abc", [c])
    a = Change(0, 2, "ab", "", "k", "rule", 1.0, "m")
    b = Change(1, 3, "bc", "", "k", "rule", 1.0, "m")
    with pytest.raises(ValueError, match="overlapping"):
        apply_changes("abc", [a, b])


def test_result_json_round_trip() -> None:
    change = Change(3, 5, " -", "-", "spacing.hyphen", "rule", 0.93, "Removed a space.")
    r = Result("Kim -un", "Kim-un", [Change(3, 4, " ", "", "spacing.hyphen", "rule", 0.93, "m")], [])
    again = Result.from_json(r.to_json())
    assert again == r and again.apply() == "Kim-un"
    assert Change.from_dict(change.to_dict()) == change
