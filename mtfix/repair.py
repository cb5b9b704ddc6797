"""The repair stage: run the registered fixers over a text and log their edits exactly."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from mtfix.changes import ChangeLog, Edit
from mtfix.fixers import REGISTRY, Fixer
from mtfix.segment import Span, protected_spans


def select(disabled: Iterable[str] = ()) -> list[Fixer]:
    """The fixers to run, in registry order, minus those turned off by name."""
    disabled = set(disabled)
    unknown = disabled - set(REGISTRY)
    if unknown:
        raise ValueError(f"unknown fixer(s) {sorted(unknown)}; known: {sorted(REGISTRY)}")
    return [f for name, f in REGISTRY.items() if name not in disabled]


def repair(log: ChangeLog, fixers: Sequence[Fixer], *, max_passes: int = 3) -> None:
    """Run ``fixers`` over ``log.text`` until nothing changes (at most ``max_passes`` rounds).

    Each fixer sees the text as the previous one left it; edits inside protected spans (URLs,
    e-mail addresses, file names, code) are dropped, and so are edits overlapping an earlier edit
    of the same fixer.
    """
    for _ in range(max_passes):
        changed = False
        protected = protected_spans(log.text)
        for f in fixers:
            edits = _usable(f.fn(log.text), protected)
            if edits:
                log.apply(edits)
                protected = protected_spans(log.text)
                changed = True
        if not changed:
            return


def _usable(edits: Iterable[Edit], protected: list[Span]) -> list[Edit]:
    kept: list[Edit] = []
    starts = [p.start for p in protected]
    end = -1
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < end or (e.start == end and kept and kept[-1].start == kept[-1].end == e.start):
            continue
        if _is_protected(e, protected, starts):
            continue
        kept.append(e)
        end = e.end
    return kept


def _is_protected(e: Edit, protected: list[Span], starts: list[int]) -> bool:
    # Protected spans are sorted and disjoint: only the last one starting before e.end can meet e.
    i = bisect_left(starts, max(e.end, e.start + 1)) - 1
    if i < 0:
        return False
    p = protected[i]
    if e.start == e.end:
        return p.start < e.start < p.end
    return e.start < p.end and p.start < e.end
