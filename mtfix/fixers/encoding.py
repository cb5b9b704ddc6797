"""Encoding damage: mojibake, HTML entities, control characters, all repaired by ``ftfy``.

mtfix does not reimplement ftfy. A cheap scan finds the lines that show a symptom ftfy knows how
to treat, ftfy fixes only those lines, and a character diff turns its answer into precise edits.
Clean text never reaches ftfy.
"""

from __future__ import annotations

import difflib
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


@fixer("encoding.mojibake", machine_only=True)
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

    return ftfy.fix_text(line, _config())


def _diff_edits(old: str, new: str, offset: int) -> Iterator[Repair]:
    if old == new:
        return
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = old[i1:i2], new[j1:j2]
        yield Repair(
            offset + i1,
            offset + i2,
            after,
            _message(before, after),
            0.95,
        )


def _message(before: str, after: str) -> str:
    if before.startswith("&") and before.endswith(";"):
        return f"Decoded the HTML entity {before!r} as {after!r}."
    if not after and all(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in before):
        return f"Removed the control character(s) {before!r}."
    return f"Repaired encoding damage (mojibake) {before!r} as {after!r}."
