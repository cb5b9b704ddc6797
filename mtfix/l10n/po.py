"""gettext PO and POT files: ``msgid`` the source, ``msgstr`` the target.

polib parses the file (entries, plurals, obsolete entries, the header); a line scanner of our own finds
each ``msgstr`` block, because polib re-wraps every entry when it saves. A changed target is written by
re-rendering only the string lines of its block that the changes touch (PO escapes ``\\\\ \\" \\n \\t``
…), each in place: a multi-line ``msgstr ""`` block stays multi-line, every other byte stays as it was.

A plural entry gives one unit per ``msgstr[n]`` (the source: ``msgid`` for n = 0, ``msgid_plural`` after;
the id: the msgid with ``[n]``); an entry with a context has the id ``msgctxt + "\\x04" + msgid``, as in
gettext's catalogues. Fuzzy entries are units (their flag is kept); obsolete entries (``#~``) and the
header are not. An untranslated entry is a unit with an empty target.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import polib

from mtfix.changes import Result
from mtfix.l10n import L10nError, L10nFile, Unit

_CHARSET = re.compile(rb"charset\s*=\s*([A-Za-z0-9_.:-]+)")
_STRING = r'"((?:[^"\\]|\\.)*)"'
_KEYWORD_LINE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)[ \t]*" + _STRING + r"\s*\Z", re.S)
_CONTINUATION = re.compile(r"\s*" + _STRING + r"\s*\Z", re.S)
_POLIB_LINE = re.compile(r"\(line (\d+)\)(?::\s*(.*))?")


@dataclass(frozen=True, slots=True)
class _Piece:
    """One string line of a msgstr block: its line, where its quotes are on the line, and the part of
    the flat target it holds."""

    line: int  # 0-based
    open: int  # the opening quote's offset in the line
    close: int  # the closing quote's
    start: int  # in the flat target
    end: int


class PoFile(L10nFile):
    fmt = "po"

    def __init__(self, data: bytes, name: str, units: list[Unit], lines: list[str], bom: int, codec: str) -> None:
        super().__init__(data, name, units)
        self.lines = lines
        self.bom = bom
        self.codec = codec

    def _splice(self, edits: Sequence[tuple[Unit, Result]]) -> bytes:
        lines = self.lines
        replaced: dict[int, str | None] = {}  # line -> new line (None: deleted)
        for unit, result in edits:
            replaced.update(_render(lines, unit._ref, result))
        touched = sorted(replaced)
        # byte offsets of the touched lines, in one pass (the text between them is encoded once)
        out: list[bytes] = [self.data[: self.bom]]
        byte_pos = self.bom
        prev = 0
        for i in touched:
            between = "".join(lines[prev:i]).encode(self.codec)
            out.append(self.data[byte_pos : byte_pos + len(between)])
            byte_pos += len(between) + len(lines[i].encode(self.codec))
            new = replaced[i]
            if new is not None:
                try:
                    out.append(new.encode(self.codec))
                except UnicodeEncodeError as e:
                    bad = f"cannot write {e.object[e.start]!r} in {self.codec}"
                    raise L10nError(self.name, i + 1, e.start + 1, bad) from None
            prev = i + 1
        out.append(self.data[byte_pos:])
        return b"".join(out)


def _render(lines: list[str], pieces: tuple[_Piece, ...], result: Result) -> dict[int, str | None]:
    """The new lines of a msgstr block: each group of string lines the changes touch rewritten into its
    first line (a change across a line break joins those lines, the others are deleted); the lines no
    change touches are left as they were."""
    flat = result.original
    ends = [p.end for p in pieces]
    last = len(pieces) - 1
    groups: list[list] = []  # [first piece, last piece, changes]
    for c in result.changes:
        k = min(bisect_right(ends, c.start), last)  # an insertion at a line's end goes to the next line
        m = max(k, min(bisect_left(ends, c.end), last)) if c.end > c.start else k
        if groups and groups[-1][1] >= k:
            groups[-1][1] = max(groups[-1][1], m)
            groups[-1][2].append(c)
        else:
            groups.append([k, m, [c]])
    out: dict[int, str | None] = {}
    for k, m, changes in groups:
        pos, b = pieces[k].start, pieces[m].end
        parts: list[str] = []
        for c in changes:
            parts += (flat[pos : c.start], c.after)
            pos = c.end
        parts.append(flat[pos:b])
        first = pieces[k]
        line = lines[first.line]
        out[first.line] = line[: first.open] + '"' + polib.escape("".join(parts)) + '"' + line[first.close + 1 :]
        for p in pieces[k + 1 : m + 1]:
            out[p.line] = None
    return out


def _decode(data: bytes, name: str) -> tuple[int, str, str]:
    """BOM length, codec and text of a PO file (its charset from the header; UTF-8 by default)."""
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    codec = "utf-8"
    m = _CHARSET.search(data, 0, 1 << 16)
    if m is not None and not bom:
        try:
            codec = codecs.lookup(m[1].decode("ascii")).name
        except LookupError:  # "CHARSET" in a template, or unknown: UTF-8
            codec = "utf-8"
    try:
        return bom, codec, data[bom:].decode(codec)
    except UnicodeDecodeError as e:
        at = bom + e.start
        start = data.rfind(b"\n", 0, at) + 1
        column = len(data[start:at].decode(codec, "replace")) + 1
        raise L10nError(name, data.count(b"\n", 0, at) + 1, column, f"not valid {codec}: {e.reason}") from None


def _check(lines: list[str], name: str) -> None:
    """Raise :class:`L10nError` at the first line that is neither blank, a comment, a keyword with its
    string, nor a string (polib lets an unterminated string through)."""
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if not stripped or stripped[0] == "#":
            continue
        column = len(line) - len(stripped) + 1
        if stripped[0] == '"':
            if _CONTINUATION.match(stripped) is None:
                raise L10nError(name, i + 1, column, "malformed string (no closing quote, or an unescaped '\"')")
        elif _KEYWORD_LINE.match(stripped) is None:
            if re.match(r"(msgctxt|msgid_plural|msgid|msgstr(\[\d+\])?)[ \t]*\"", stripped):
                quote = line.index('"') + 1
                raise L10nError(name, i + 1, quote, "malformed string (no closing quote, or an unescaped '\"')")
            what = f"expected a keyword (msgid, msgstr, ...) or a string: {stripped[:30]!r}"
            raise L10nError(name, i + 1, column, what)


def _blocks(lines: list[str], first: int, name: str) -> list[tuple[int | None, tuple[_Piece, ...], str]]:
    """The msgstr blocks of the entry whose first line is ``first`` (0-based): (plural index or None,
    pieces, text)."""
    i, n = first, len(lines)
    seen_msgid = False
    while i < n:  # comments, msgctxt, msgid, msgid_plural and their continuation lines
        stripped = lines[i].lstrip()
        if stripped.startswith("msgstr"):
            break
        if stripped.startswith("msgid") and not stripped.startswith("msgid_plural"):
            if seen_msgid:
                raise L10nError(name, i + 1, 1, "msgid without msgstr")
            seen_msgid = True
        i += 1
    blocks: list[tuple[int | None, tuple[_Piece, ...], str]] = []
    while i < n:
        line = lines[i]
        stripped = line.lstrip()
        m = _KEYWORD_LINE.match(stripped)
        if m is None or not m[1].startswith("msgstr"):
            break
        indent = len(line) - len(stripped)
        strings = [(i, indent + m.start(3) - 1, indent + m.end(3), m[3])]  # line, quotes, raw
        i += 1
        while i < n and (c := _CONTINUATION.match(lines[i])) is not None:
            strings.append((i, c.start(1) - 1, c.end(1), c[1]))
            i += 1
        pieces: list[_Piece] = []
        parts: list[str] = []
        flen = 0
        for at, open_, close, raw in strings:
            text = polib.unescape(raw)
            pieces.append(_Piece(at, open_, close, flen, flen + len(text)))
            parts.append(text)
            flen += len(text)
        blocks.append((None if m[2] is None else int(m[2]), tuple(pieces), "".join(parts)))
        while i < n and not lines[i].strip():  # blank lines between msgstr[n] blocks
            i += 1
    return blocks


def read(data: bytes, name: str) -> PoFile:
    """Parse a PO or POT file; raises :class:`mtfix.l10n.L10nError` when malformed."""
    bom, codec, text = _decode(data, name)
    lines = text.splitlines(keepends=True)  # as polib numbers them
    _check(lines, name)
    try:
        po = polib.pofile(text)
    except (OSError, ValueError, KeyError, IndexError) as e:
        m = _POLIB_LINE.search(str(e))
        if m is None:
            raise L10nError(name, 1, None, f"malformed PO: {e}") from None
        line = int(m[1])
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        column = len(source) - len(source.lstrip()) + 1
        raise L10nError(name, line, column, m[2] or "syntax error") from None
    units: list[Unit] = []
    for entry in po:
        if entry.obsolete:
            continue
        blocks = _blocks(lines, max(entry.linenum, 1) - 1, name)
        key = (entry.msgctxt + "\x04" if entry.msgctxt is not None else "") + entry.msgid
        plural = bool(entry.msgid_plural)
        expected = entry.msgstr_plural if plural else {None: entry.msgstr}
        found = {n: (pieces, t) for n, pieces, t in blocks}
        if set(found) != set(expected) or any(found[n][1] != expected[n] for n in expected):
            where = blocks[0][1][0].line + 1 if blocks else max(entry.linenum, 1)
            raise L10nError(name, where, None, f"cannot locate the msgstr of {entry.msgid[:40]!r}")
        for n in sorted(found, key=lambda n: -1 if n is None else n):
            pieces, target = found[n]
            first = pieces[0]
            units.append(
                Unit(
                    index=len(units),
                    id=key if n is None else f"{key}[{n}]",
                    source=entry.msgid if not n else entry.msgid_plural,
                    target=target,
                    line=first.line + 1,
                    column=len(lines[first.line]) - len(lines[first.line].lstrip()) + 1,
                    _ref=pieces,
                )
            )
    return PoFile(data, name, units, lines, bom, codec)
