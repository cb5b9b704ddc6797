"""The change log: :class:`Change`, :class:`Flag`, :class:`Result` and edit composition.

Every stage of the pipeline proposes :class:`Edit`\\ s on the text *as it stands after the previous
stages*; :class:`ChangeLog` maps them back onto the ORIGINAL text so that the final log is a list of
non-overlapping :class:`Change`\\ s whose replay over the input reproduces the output exactly.
"""

from __future__ import annotations

import itertools
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any, NamedTuple, Self


class Edit(NamedTuple):
    """A proposed replacement of ``text[start:end]`` by ``after`` in a stage's input text."""

    start: int
    end: int
    after: str
    kind: str
    message: str
    confidence: float = 1.0
    source: str = "rule"


class _Record:
    """Plain-data round trip shared by :class:`Change` and :class:`Flag`."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**{f.name: data[f.name] for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Change(_Record):
    """One edit of the original text: ``original[start:end] == before`` becomes ``after``."""

    start: int
    end: int
    before: str
    after: str
    kind: str
    source: str
    confidence: float
    message: str


@dataclass(frozen=True, slots=True)
class Flag(_Record):
    """A passage found suspicious but left unchanged (untranslated text, a rejected rewrite, ...)."""

    start: int
    end: int
    kind: str
    message: str
    score: float


def apply_changes(original: str, changes: Iterable[Change]) -> str:
    """Rebuild a text from ``original`` and any subset of its (non-overlapping) changes."""
    out: list[str] = []
    pos = 0
    for c in sorted(changes, key=lambda c: (c.start, c.end)):
        if c.start < pos:
            raise ValueError(f"overlapping changes at offset {c.start}")
        if original[c.start : c.end] != c.before:
            raise ValueError(f"change at {c.start}:{c.end} does not match the original text")
        out.append(original[pos : c.start])
        out.append(c.after)
        pos = c.end
    out.append(original[pos:])
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Result:
    """What :func:`mtfix.clean` returns: the corrected text, its change log and its flags."""

    original: str
    text: str
    changes: list[Change] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def apply(self, changes: Iterable[Change] | None = None) -> str:
        """The original text with only ``changes`` applied (all of them by default).

        A reviewer rejects edits by passing the ones they keep; any subset is valid.
        """
        return apply_changes(self.original, self.changes if changes is None else changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "original": self.original,
            "text": self.text,
            "changes": [c.to_dict() for c in self.changes],
            "flags": [f.to_dict() for f in self.flags],
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            original=data["original"],
            text=data["text"],
            changes=[Change.from_dict(c) for c in data.get("changes", [])],
            flags=[Flag.from_dict(f) for f in data.get("flags", [])],
        )

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls.from_dict(json.loads(text))


_new = object.__new__
_set_original, _set_text = Result.original.__set__, Result.text.__set__  # type: ignore[attr-defined]
_set_changes, _set_flags = Result.changes.__set__, Result.flags.__set__  # type: ignore[attr-defined]


_CHANGE_FIELDS = ("start", "end", "before", "after", "kind", "source", "confidence", "message")
_set_change = tuple(getattr(Change, f).__set__ for f in _CHANGE_FIELDS)


def make_change(
    start: int, end: int, before: str, after: str, kind: str, source: str, confidence: float, message: str
) -> Change:
    """``Change(...)``, built in half the time (:func:`make_result`): a text with damage every few
    characters makes changes by the hundred thousand."""
    c = _new(Change)
    s0, s1, s2, s3, s4, s5, s6, s7 = _set_change
    s0(c, start)
    s1(c, end)
    s2(c, before)
    s3(c, after)
    s4(c, kind)
    s5(c, source)
    s6(c, confidence)
    s7(c, message)
    return c


def make_result(original: str, text: str, changes: list[Change], flags: list[Flag]) -> Result:
    """``Result(original, text, changes, flags)``, built in half the time: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, and the per-call fast path and a batch
    make one result per segment."""
    r = _new(Result)
    _set_original(r, original)
    _set_text(r, text)
    _set_changes(r, changes)
    _set_flags(r, flags)
    return r


@lru_cache(maxsize=256)
def _round4(confidence: float) -> float:
    """``round(confidence, 4)``, remembered for the few values rules use: a long line of damage makes
    a change every few characters, each with one of a handful of confidences."""
    return round(confidence, 4)


def unchanged(text: str) -> Result:
    """``Result(text, text)``, quickly (:func:`make_result`)."""
    return make_result(text, text, [], [])


class ChangeLog:
    """Accumulates edits made to successive versions of a text, in ORIGINAL coordinates.

    Invariant: ``apply_changes(original, self.changes) == self.text``. An edit that touches text
    produced by an earlier change is merged with that change, so changes never overlap.
    """

    def __init__(self, original: str) -> None:
        self.original = original
        self.text = original
        self._changes: list[Change] = []
        self._starts: list[int] = []  # start of each change in the current text
        self._ends: list[int] = []  # end of each change in the current text

    @property
    def changes(self) -> list[Change]:
        return list(self._changes)

    def _meets(self, i: int, e: Edit) -> bool:
        s, t = self._starts[i], self._ends[i]
        if s < e.end and e.start < t:
            return True
        # An empty region touching the other one cannot be ordered against it: merge.
        return (s == t and e.start <= s <= e.end) or (e.start == e.end and s <= e.start <= t)

    def current_spans(self) -> list[tuple[int, int]]:
        """Where each change's replacement text lies in the current text."""
        return list(zip(self._starts, self._ends, strict=True))

    def to_original(self, pos: int, *, right: bool = False) -> int:
        """Original offset of a current-text position; inside a change, its start (or end)."""
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and self._starts[i] < pos < self._ends[i]:
            return self._changes[i].end if right else self._changes[i].start
        if i >= 0 and self._starts[i] == pos == self._ends[i]:
            # At a deletion: a span's end stays before the deleted text, its start after it.
            return self._changes[i].start if right else self._changes[i].end
        return self._to_original(pos)

    def _to_original(self, pos: int) -> int:
        """Original offset of a current-text position that lies outside every change."""
        k = bisect_right(self._ends, pos) - 1
        return pos if k < 0 else pos + self._changes[k].end - self._ends[k]

    def _apply_first(self, edits: list[Edit]) -> None:
        """What :meth:`apply` does with no change made yet (the text is the original), in one sweep:
        sorted, non-overlapping edits that change something."""
        text = self.text
        parts: list[str] = []
        changes: list[Change] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = delta = 0
        for e in edits:
            start, end, after = e.start, e.end, e.after
            parts += (text[pos:start], after)
            changes.append(
                make_change(start, end, text[start:end], after, e.kind, e.source, _round4(e.confidence), e.message)
            )
            starts.append(start + delta)
            delta += len(after) - (end - start)
            ends.append(end + delta)
            pos = end
        parts.append(text[pos:])
        self.text = "".join(parts)
        self._changes, self._starts, self._ends = changes, starts, ends

    def apply(self, edits: Iterable[Edit]) -> None:
        """Apply non-overlapping edits given in coordinates of the current text."""
        edits = sorted(edits, key=lambda e: (e.start, e.end))
        edits = [e for e in edits if self.text[e.start : e.end] != e.after]
        if not edits:
            return
        for prev, nxt in itertools.pairwise(edits):
            if nxt.start < prev.end:
                raise ValueError(f"overlapping edits at {nxt.start}")
        if not self._changes:  # the first edits: each one a change of its own, nothing to merge with
            self._apply_first(edits)
        else:
            self._merge(edits)

    def _merge(self, edits: list[Edit]) -> None:
        """What :meth:`apply` does in general (sorted, non-overlapping edits that change something):
        an edit that meets earlier changes is merged with them."""
        # 1. Group edits into clusters with the existing changes they meet.
        clusters: list[tuple[list[Edit], int, int]] = []  # edits, first change, last change + 1
        for e in edits:
            lo = bisect_left(self._ends, e.start)
            hi = lo
            while hi < len(self._changes) and self._starts[hi] <= e.end:
                hi += 1
            met = [i for i in range(lo, hi) if self._meets(i, e)]
            if met:
                p, q = met[0], met[-1] + 1
            else:  # order the new change after the changes that end where it starts
                p = lo
                while p < hi and self._ends[p] <= e.start:
                    p += 1
                q = p
            if clusters and met and clusters[-1][2] > p:
                last = clusters[-1]
                last[0].append(e)  # in place: a cluster can gather thousands of edits on one long line
                clusters[-1] = (last[0], last[1], q)
            else:
                clusters.append(([e], p, q))
        # 2. Rebuild the text, the changes and their current positions in one sweep.
        text_parts: list[str] = []
        new_changes: list[Change] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        cur = 0  # position in the old current text
        delta = 0  # new minus old current position
        ci = 0  # next untouched existing change

        def keep_until(limit: int) -> None:
            nonlocal ci
            if limit > ci:
                new_changes.extend(self._changes[ci:limit])
                new_starts.extend([s + delta for s in self._starts[ci:limit]])
                new_ends.extend([e + delta for e in self._ends[ci:limit]])
                ci = limit

        for group, p, q in clusters:
            keep_until(p)
            a = min(group[0].start, self._starts[p]) if q > p else group[0].start
            b = max(group[-1].end, self._ends[q - 1]) if q > p else group[-1].end
            ostart = self._changes[p].start if q > p and self._starts[p] <= group[0].start else None
            oend = self._changes[q - 1].end if q > p and self._ends[q - 1] >= group[-1].end else None
            if ostart is None:
                ostart = self._to_original(a)
            if oend is None:
                oend = self._to_original(b)
            pieces: list[str] = []
            pos = a
            for e in group:
                pieces.append(self.text[pos : e.start])
                pieces.append(e.after)
                pos = e.end
            pieces.append(self.text[pos:b])
            after = "".join(pieces)
            text_parts.append(self.text[cur:a])
            text_parts.append(after)
            new_start = a + delta
            delta += len(after) - (b - a)
            cur = b
            ci = q
            before = self.original[ostart:oend]
            if before == after:  # the edits undid earlier changes
                continue
            old = self._changes[p:q]
            kinds = list(dict.fromkeys([c.kind for c in old] + [e.kind for e in group]))
            sources = list(dict.fromkeys([c.source for c in old] + [e.source for e in group]))
            new_changes.append(
                Change(
                    start=ostart,
                    end=oend,
                    before=before,
                    after=after,
                    kind=group[-1].kind if len(kinds) > 1 else kinds[0],
                    # merged with earlier changes: the kind and source of the latest edit
                    source=group[-1].source if len(sources) > 1 else sources[0],
                    confidence=round(min([c.confidence for c in old] + [e.confidence for e in group]), 4),
                    message="; ".join(dict.fromkeys([c.message for c in old] + [e.message for e in group])),
                )
            )
            new_starts.append(new_start)
            new_ends.append(new_start + len(after))
        keep_until(len(self._changes))
        text_parts.append(self.text[cur:])
        self.text = "".join(text_parts)
        self._changes, self._starts, self._ends = new_changes, new_starts, new_ends
