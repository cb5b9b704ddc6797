"""Review: the segments a run changed or flagged, each change named by a stable id, and the reviewer's
decisions applied back exactly.

A report (:mod:`mtfix.report`) shows :class:`Segment`\\ s; a reviewer accepts or rejects their changes
and exports a decisions file (:func:`decisions_json`); :class:`Decisions` reads it back and rebuilds
each segment from the changes kept, through :meth:`mtfix.Result.apply`, after checking that every
change still matches the text it was made on (:func:`change_id`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mtfix.changes import Change, Result, apply_changes

#: The ``format`` of a decisions file, and its version.
FORMAT = "mtfix-decisions"
VERSION = 1
#: What a change can be in a decisions file. ``pending``: not decided; applied unless told otherwise.
STATES = ("pending", "accepted", "rejected")


class ReviewError(ValueError):
    """A decisions file that cannot be used: malformed, or not made on this input."""


def change_id(path: str, line: int, text: str, change: Change) -> str:
    """A change's stable id: where it is (file, line, offsets in the line), its kind, and a hash of
    its ``before`` and ``after`` and of the whole text it was made on, so that an id made on one
    version of a file never matches another version of that line."""
    digest = hashlib.sha256("\0".join([change.before, change.after, text]).encode()).hexdigest()[:12]
    return f"{path}:{line}:{change.start}-{change.end}:{change.kind}:{digest}"


@dataclass(frozen=True, slots=True)
class Segment:
    """One unit of an input that a run changed or flagged: a line (or a record's text, or a piece of a
    line longer than ``--max-line``, which starts at ``column`` of the line), with its result (whose offsets
    count from the start of that text; ids and decisions count from the start of the line)."""

    path: str  # the input as the run named it
    line: int  # 1-based
    column: int  # 0-based, in characters: where this text starts in its line
    result: Result

    def ids(self) -> list[str]:
        """The id of each change, in order."""
        text = self.result.original
        return [change_id(self.path, self.line, text, _shifted(c, self.column)) for c in self.result.changes]


def _shifted(c: Change, by: int) -> Change:
    """``c`` with its offsets moved by ``by`` (between a segment's own text and its line)."""
    return replace(c, start=c.start + by, end=c.end + by) if by else c


def report_data(segments: Iterable[Segment], *, title: str, inputs: Iterable[str], limit: int) -> dict[str, Any]:
    """The plain data a report shows: every segment with its changes (and their ids) and flags, up to
    ``limit`` changes and flags in all (``truncated`` then says how many were left out and where the
    report stops); kinds, sources and paths are listed once and referred to by index."""
    paths: dict[str, int] = {}
    kinds: dict[str, int] = {}
    sources: dict[str, int] = {}
    out: list[list[Any]] = []
    shown = left_segments = left_items = 0
    stop: dict[str, Any] | None = None
    for seg in segments:
        r = seg.result
        n = len(r.changes) + len(r.flags)
        if stop is not None or shown + n > limit:
            stop = stop or {"path": seg.path, "line": seg.line}
            left_segments += 1
            left_items += n
            continue
        shown += n
        p = paths.setdefault(seg.path, len(paths))
        changes = [
            [i, c.start, c.end, kinds.setdefault(c.kind, len(kinds)), sources.setdefault(c.source, len(sources)),
             c.confidence, c.before, c.after, c.message]
            for i, c in zip(seg.ids(), r.changes, strict=True)
        ]  # fmt: skip
        flags = [[f.start, f.end, kinds.setdefault(f.kind, len(kinds)), f.score, f.message] for f in r.flags]
        out.append([p, seg.line, seg.column, r.original, changes, flags])
    truncated = None
    if stop is not None:
        truncated = {**stop, "segments": left_segments, "items": left_items, "limit": limit}
    return {
        "format": "mtfix-report",
        "version": VERSION,
        "title": title,
        "inputs": list(inputs),
        "paths": list(paths),
        "kinds": list(kinds),
        "sources": list(sources),
        "segments": out,
        "truncated": truncated,
    }


def decisions_json(data: dict[str, Any], decided: dict[str, str] | None = None) -> str:
    """The decisions file of a report's data, with ``decided`` (change id -> state) applied: what the
    report's export button writes, made here for scripts and tests."""
    decided = decided or {}
    changes = []
    for p, line, column, _text, items, _flags in data["segments"]:
        for cid, start, end, kind, source, confidence, before, after, _message in items:
            changes.append(
                {
                    "id": cid,
                    "path": data["paths"][p],
                    "line": line,
                    "column": column,
                    "start": start + column,  # in the line, as the id counts
                    "end": end + column,
                    "kind": data["kinds"][kind],
                    "source": data["sources"][source],
                    "confidence": confidence,
                    "before": before,
                    "after": after,
                    "decision": decided.get(cid, "pending"),
                }
            )
    return json.dumps({"format": FORMAT, "version": VERSION, "truncated": data["truncated"], "changes": changes})


@dataclass
class _Entry:
    id: str
    column: int  # where the text it was made on starts in its line (a piece of a long line)
    start: int  # in the line
    end: int
    kind: str
    before: str
    after: str
    decision: str
    used: bool = False


@dataclass
class Decisions:
    """A decisions file, read: per (path, line), the changes the report listed and what became of them."""

    source: str  # the file's name, for messages
    by_line: dict[tuple[str, int], list[_Entry]] = field(default_factory=dict)
    truncated: dict[str, Any] | None = None

    @classmethod
    def load(cls, path: str | Path) -> Decisions:
        """Read a decisions file; raises :class:`ReviewError` naming it and what is wrong."""
        name = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            raise ReviewError(f"cannot read {name}: {e.strerror}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ReviewError(f"{name}: not a decisions file (not JSON: {e})") from None
        return cls.from_data(data, name)

    @classmethod
    def from_data(cls, data: Any, name: str = "decisions") -> Decisions:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ReviewError(f'{name}: not a decisions file (no "format": "{FORMAT}")')
        if data.get("version") != VERSION:
            raise ReviewError(f"{name}: decisions file version {data.get('version')!r}; this mtfix reads {VERSION}")
        by_line: dict[tuple[str, int], list[_Entry]] = defaultdict(list)
        seen: set[str] = set()
        for n, c in enumerate(data.get("changes") or [], 1):
            try:
                entry = _Entry(
                    c["id"],
                    int(c.get("column", 0)),
                    int(c["start"]),
                    int(c["end"]),
                    c["kind"],
                    c["before"],
                    c["after"],
                    c["decision"],
                )
                key = (str(c["path"]), int(c["line"]))
            except (KeyError, TypeError, ValueError) as e:
                raise ReviewError(f"{name}: change {n} is malformed ({type(e).__name__}: {e})") from None
            if entry.decision not in STATES:
                raise ReviewError(f"{name}: change {n}: decision {entry.decision!r} is not one of {', '.join(STATES)}")
            if entry.id in seen:
                raise ReviewError(f"{name}: change {n}: id {entry.id} listed twice")
            seen.add(entry.id)
            by_line[key].append(entry)
        return cls(name, dict(by_line), data.get("truncated"))

    @property
    def paths(self) -> set[str]:
        return {p for p, _ in self.by_line}

    def result(
        self, path: str, line: int, column: int, text: str, *, pending: str = "accept", left: Counter[str] | None = None
    ) -> Result:
        """The segment ``text`` (line ``line`` of ``path``, starting at ``column`` of it) with the changes
        kept: accepted, and pending ones unless ``pending`` is ``"reject"``. Raises :class:`ReviewError`
        (naming the file and line) if a change listed for this text was not made on it. ``left`` counts
        the changes left out, by decision."""
        entries = self.by_line.get((path, line))
        if not entries:
            return Result(text, text)
        mine = [e for e in entries if e.column == column]
        kept: list[Change] = []
        for e in mine:
            in_line = Change(e.start, e.end, e.before, e.after, e.kind, "review", 1.0, "")
            if change_id(path, line, text, in_line) != e.id:
                raise ReviewError(
                    f"{path}:{line}: the change {e.before!r} -> {e.after!r} ({e.kind}) of {self.source} was not "
                    "made on this text (the input was edited since the report, or is another file)"
                )
            e.used = True
            if e.decision == "accepted" or (e.decision == "pending" and pending == "accept"):
                kept.append(_shifted(in_line, -column))
            elif left is not None:
                left[e.decision] += 1
        return Result(text, apply_changes(text, kept), kept)

    def unused(self, paths: Iterable[str]) -> list[str]:
        """Where a change listed for one of ``paths`` matched no text: a line that is gone."""
        wanted = set(paths)
        return [
            f"{p}:{line}: {self.source} lists a change on this line, which the input does not have"
            for (p, line), entries in sorted(self.by_line.items())
            if p in wanted and not all(e.used for e in entries)
        ]
