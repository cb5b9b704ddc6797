"""Localisation files: XLIFF 1.2 and 2.0, TMX (parsed with lxml and expat), gettext PO (polib).

>>> from mtfix.l10n import read
>>> f = read(data, "xliff", "app.xlf")
>>> [u.target for u in f.units]          # the flat targets: text, with each inline tag as its raw markup
>>> f.write({u.index: result, ...})      # the file with those targets replaced, nothing else changed

Each format keeps the bytes it does not change: :meth:`L10nFile.write` splices the original file at the
inner range of each changed target (``<target>``, ``<seg>``, a PO ``msgstr`` block) and leaves every other
byte as it was, so a file with nothing to clean comes back byte for byte. A target's flat text holds its
inline tags (``<x/>``, ``<g>``, ``<ph>…</ph>``, ``<pc>``…) as their original markup, listed in
:attr:`Unit.spans`: pass them to :meth:`mtfix.Cleaner.clean_batch` as ``protected`` spans, as
:func:`clean_file` does, and no stage touches them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from mtfix.changes import Result, apply_changes, make_result

if TYPE_CHECKING:
    import mtfix

__all__ = ["FORMATS", "L10nError", "L10nFile", "Unit", "check_spans", "clean_file", "format_of", "neutral_text", "read"]

#: The formats :func:`read` knows, and the file extensions :func:`format_of` maps to them.
FORMATS = ("xliff", "po", "tmx")
_EXTENSIONS = {
    ".xlf": "xliff",
    ".xliff": "xliff",
    ".sdlxliff": "xliff",
    ".mxliff": "xliff",
    ".po": "po",
    ".pot": "po",
    ".tmx": "tmx",
}


class L10nError(Exception):
    """A file that cannot be read (or a result that cannot be written back) at a place in it.

    ``str(error)`` is ``FILE:LINE:COLUMN: message`` (``FILE:LINE: message`` when the column is unknown).
    """

    def __init__(self, name: str, line: int, column: int | None, message: str) -> None:
        self.name = name
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.name}:{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (worker processes send errors back)
        return (type(self), (self.name, self.line, self.column, self.message))


@dataclass(frozen=True)
class Unit:
    """One translatable segment of a file.

    ``source`` and ``target`` are flat texts (character data decoded, inline tags as their raw markup),
    None when the unit has none. ``spans`` are the inline tags' ``(start, end)`` in ``target``: the
    protected spans to clean it with (``source_spans``: the same in ``source``). ``line`` and
    ``column`` (1-based) locate the target, or the unit when it has no target. ``translate`` is False
    for a unit marked ``translate="no"``: it is listed, never cleaned or written. ``_ref`` is the
    writer's own record of where the target lies.
    """

    index: int
    id: str
    source: str | None
    target: str | None
    spans: tuple[tuple[int, int], ...] = ()
    line: int = 1
    column: int = 1
    translate: bool = True
    source_spans: tuple[tuple[int, int], ...] = ()
    _ref: Any = field(default=None, repr=False, compare=False)


class L10nFile:
    """A parsed localisation file: :attr:`units`, and :meth:`write` to render it with new targets."""

    fmt: str = ""

    def __init__(self, data: bytes, name: str, units: list[Unit], version: str | None = None) -> None:
        self.data = data
        self.name = name
        self.units = units
        #: The format's version where it has one (XLIFF: "1.2" or "2.0").
        self.version = version

    def write(self, results: Mapping[int, Result]) -> bytes:
        """The file with the targets of the units in ``results`` (by :attr:`Unit.index`) replaced by
        ``result.text``; every other byte as it was. Raises :class:`L10nError` if a result's changes
        would alter an inline tag, and ValueError if a result does not belong to its unit. A result for
        a unit marked ``translate="no"`` is ignored: such a unit is left alone."""
        edits: list[tuple[Unit, Result]] = []
        for index in sorted(results):
            result = results[index]
            if not 0 <= index < len(self.units):
                raise ValueError(f"{self.name}: no unit {index} (the file has {len(self.units)})")
            unit = self.units[index]
            if not unit.translate:  # translate="no": left alone, whatever a caller cleaned
                continue
            if unit.target is None:
                raise ValueError(f"{self.name}: unit {unit.id!r} has no target to write")
            if result.original != unit.target and result.original != neutral_text(unit.target, unit.spans):
                raise ValueError(f"{self.name}: the result for unit {unit.id!r} is not of its target text")
            if not result.changes:
                continue
            check_spans(self.name, unit, result)
            edits.append((unit, _rebase(unit.target, result)))
        if not edits:
            return self.data
        return self._splice(edits)

    def _splice(self, edits: Sequence[tuple[Unit, Result]]) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError


def check_spans(name: str, unit: Unit, result: Result) -> None:
    """Raise :class:`L10nError` unless ``result``'s changes replay to its text and leave every one of
    the unit's spans (inline tags) intact: no change inside or across one; an insertion at its edge is
    fine."""
    try:
        replayed = apply_changes(result.original, result.changes)
    except ValueError as e:
        raise L10nError(name, unit.line, unit.column, f"unit {unit.id!r}: {e}") from None
    if replayed != result.text:
        raise L10nError(name, unit.line, unit.column, f"unit {unit.id!r}: the changes do not give the result's text")
    spans = unit.spans
    if not spans:
        return
    from bisect import bisect_right

    ends = [e for _, e in spans]
    for c in result.changes:
        i = bisect_right(ends, c.start)  # the first span ending after the change starts
        if i < len(spans):
            s, e = spans[i]
            if (c.start < e and c.end > s) if c.end > c.start else s < c.start < e:
                tag = result.original[s:e]
                raise L10nError(name, unit.line, unit.column, f"unit {unit.id!r}: a change would alter the tag {tag!r}")


def format_of(path: str | PurePath) -> str | None:
    """The format of a file by its extension ("xliff", "po" or "tmx"), None for any other."""
    return _EXTENSIONS.get(PurePath(path).suffix.lower())


def read(data: bytes, fmt: str, name: str, *, target_lang: str = "en") -> L10nFile:
    """Parse ``data``, a file of format ``fmt`` (see :data:`FORMATS`); ``name`` names it in errors.

    ``target_lang`` picks the target of a TMX unit (the variant whose language it prefixes, ignoring
    case); XLIFF and PO say which text is the target. Raises :class:`L10nError` on malformed input.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"mtfix.l10n.read expects bytes, got {type(data).__name__}")
    data = bytes(data)
    if fmt == "xliff":
        from mtfix.l10n import xliff

        return xliff.read(data, name)
    if fmt == "tmx":
        from mtfix.l10n import tmx

        return tmx.read(data, name, target_lang=target_lang)
    if fmt == "po":
        from mtfix.l10n import po

        return po.read(data, name)
    raise ValueError(f"unknown localisation format {fmt!r}; known: {', '.join(FORMATS)}")


def clean_file(
    data: bytes, fmt: str, cleaner: mtfix.Cleaner, name: str, *, target_lang: str = "en"
) -> tuple[bytes, list[tuple[Unit, Result | None]]]:
    """Clean every target of a file in one :meth:`~mtfix.Cleaner.clean_batch` (with its source and its
    tags as protected spans) and write the file back.

    Returns the new file and every unit with its result: None for a unit with no target or one marked
    ``translate="no"``, for the caller to report.
    """
    f = read(data, fmt, name, target_lang=target_lang)
    todo = [u for u in f.units if u.target is not None and u.translate]
    sources = [None if u.source is None else neutral_text(u.source, u.source_spans) for u in todo]
    results = cleaner.clean_batch(
        [neutral_text(u.target, u.spans) for u in todo],  # type: ignore[arg-type]
        sources=sources if any(s is not None for s in sources) else None,
        protected=[u.spans for u in todo],
    )
    by_index = {u.index: _rebase(u.target, r) for u, r in zip(todo, results, strict=True)}  # type: ignore[arg-type]
    return f.write(by_index), [(u, by_index.get(u.index)) for u in f.units]


def neutral_text(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the double quotes inside its tags (``id="1"``) replaced by ``_``: what to clean.

    The quote rules pair the quotes of a line, and an attribute's would keep them from repairing
    ``" hello "``. The length is the same and no change touches a tag, so a result for this text is one
    for ``text`` too: :meth:`L10nFile.write` takes either.
    """
    if '"' not in text or not spans:
        return text
    parts, pos = [], 0
    for a, b in spans:
        parts += (text[pos:a], text[a:b].replace('"', "_"))
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _rebase(target: str, result: Result) -> Result:
    """``result``, cleaned from :func:`neutral_text`, as a result for ``target`` itself."""
    if result.original == target:
        return result
    return make_result(target, apply_changes(target, result.changes), result.changes, result.flags)
