"""Encoding damage: mojibake, HTML entities, control characters, all repaired by ``ftfy``.

mtfix does not reimplement ftfy. A cheap scan finds the lines that show a symptom ftfy knows how
to treat, ftfy fixes only those lines, and a character diff turns its answer into precise edits.
Clean text never reaches ftfy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from mtfix.fixers import Repair, fixer

_ENTITY = r"&(?:#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z][a-zA-Z0-9]{1,30});"
# C0 controls except tab/newline/CR, DEL, C1 controls, lone surrogates, terminal escapes.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"


# UTF-8 read as Latin-1/Windows-1252: a lead byte (Â..ô) followed by what a continuation byte
# (0x80-0xBF) becomes in those encodings. A cheap, precise trigger; ftfy then decides.
_CONTINUATION = (
    "\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_SYMPTOM = re.compile(f"{_ENTITY}|{_CONTROL}|[\xc2-\xf4][{_CONTINUATION}]|\ufffd")
# The characters a symptom starts with: scanning for these first is ten times faster.
_FIRST = re.compile("[&\xc2-\xf4\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _find_symptom(text: str, pos: int) -> int:
    """Offset of the next symptom at or after ``pos``, or -1."""
    while True:
        m = _FIRST.search(text, pos)
        if m is None:
            return -1
        if _SYMPTOM.match(text, m.start()):
            return m.start()
        pos = m.start() + 1


@lru_cache(maxsize=1)
def _config():  # type: ignore[no-untyped-def]
    import ftfy

    # Only encoding repairs: curly quotes, ligatures, widths and Unicode normalisation are left as
    # the author wrote them (other fixers own punctuation width).
    return ftfy.TextFixerConfig(
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        fix_line_breaks=False,
        normalization=None,
        explain=False,
    )


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _may_fire(text: str) -> bool:
    # Its own check, not a trigger merged with the other fixers': a pattern of classes would slow
    # their merged scan down fourfold. The cheap scan first: most lines have no candidate at all.
    return _FIRST.search(text) is not None and _SYMPTOM.search(text) is not None


@fixer("encoding.mojibake", machine_only=True, check=_may_fire)
def fix_encoding(text: str) -> Iterator[Repair]:
    """Mojibake, HTML entities and control characters, repaired by ftfy."""
    pos = 0
    while True:
        found = _find_symptom(text, pos)
        if found < 0:
            return
        start, end = _line_bounds(text, found)
        line = text[start:end]
        yield from _diff_edits(line, _fix_line(line), start)
        pos = end + 1


def _fix_line(line: str) -> str:
    import ftfy

    if "\x85" in line:
        # NEL (U+0085) is a line break in Unicode, not the Windows-1252 ellipsis ftfy reads it as:
        # kept, and the text around it fixed piece by piece.
        return "\x85".join(_fix_line(part) for part in line.split("\x85"))
    return ftfy.fix_text(line, _config())


def _diff_edits(old: str, new: str, offset: int) -> Iterator[Repair]:
    if old == new:
        return
    for i1, i2, j1, j2 in _replacements(old, new):
        before, after = old[i1:i2], new[j1:j2]
        yield Repair(offset + i1, offset + i2, after, _message(before, after), 0.95)


# How far apart (in characters of each text) the two texts may get back in step after a difference.
_WINDOW = 40


def _replacements(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """Where ``new`` (ftfy's repair of ``old``) differs from ``old``, as ``(i1, i2, j1, j2)``:
    replace ``old[i1:i2]`` by ``new[j1:j2]``. In one pass, linear in the length: ftfy's repairs
    are local, so after each difference the texts get back in step within a few characters (the
    nearest point where they agree again). ``difflib`` is quadratic on a long line with many
    repairs (40,000 characters with one entity took 27 s)."""
    n, m = len(old), len(new)
    i = j = 0
    out: list[tuple[int, int, int, int]] = []
    while True:
        # skip what agrees, a block at a time
        while i + 64 <= n and j + 64 <= m and old[i : i + 64] == new[j : j + 64]:
            i += 64
            j += 64
        while i < n and j < m and old[i] == new[j]:
            i += 1
            j += 1
        if i == n or j == m:
            if i < n or j < m:
                out.append((i, n, j, m))
            return out
        a, b = _back_in_step(old, i, new, j)
        if old[i - 1 : i] == "&" == new[j - 1 : j] and not (out and out[-1][1] == i):
            i, j, a, b = i - 1, j - 1, a + 1, b + 1  # '&amp;' -> '&' as a whole, not 'amp;' -> ''
        out.append((i, i + a, j, j + b))
        i += a
        j += b


def _back_in_step(old: str, i: int, new: str, j: int) -> tuple[int, int]:
    """The fewest characters ``a`` of ``old`` and ``b`` of ``new`` from ``i`` and ``j`` after which the
    two agree again: on two characters (or both end), else on one; at worst a window of each."""
    n, m = len(old), len(new)
    # near first (ftfy's repairs are a few characters: an entity, a mojibake sequence), then wide
    for window in (12, _WINDOW):
        single: tuple[int, int] | None = None  # the nearest point where only one character agrees
        for d in range(1, 2 * window + 1):
            for a in range(d - window if d > window else 0, (d if d < window else window) + 1):
                b = d - a
                x, y = i + a, j + b
                if x >= n or y >= m:
                    if x == n and y == m:
                        return a, b
                    continue
                if old[x] == new[y]:
                    if x + 1 == n or y + 1 == m:
                        if x + 1 == n and y + 1 == m:
                            return a, b
                    elif old[x + 1] == new[y + 1]:
                        return a, b
                    if single is None:
                        single = (a, b)
        if single is not None:
            return single
    return min(_WINDOW, n - i), min(_WINDOW, m - j)


def _message(before: str, after: str) -> str:
    if before.startswith("&") and before.endswith(";"):
        return f"Decoded the HTML entity {before!r} as {after!r}."
    if not after and all(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in before):
        return f"Removed the control character(s) {before!r}."
    return f"Repaired encoding damage (mojibake) {before!r} as {after!r}."
