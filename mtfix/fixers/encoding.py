"""Encoding damage: mojibake, HTML entities, control characters, all repaired by ``ftfy``.

mtfix does not reimplement ftfy. A cheap scan finds the lines that show a symptom ftfy knows how
to treat, ftfy fixes only those lines, and a character diff turns its answer into precise edits.
Clean text never reaches ftfy.
"""

from __future__ import annotations

import difflib
import html
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


def _may_fire(text: str) -> bool:
    # Its own check, not a trigger merged with the other fixers': a pattern of classes would slow
    # their merged scan down fourfold. The cheap scan first: most lines have no candidate at all,
    # and an ASCII line without '&' or a control character (str methods, faster still) has none.
    if text.isascii() and "&" not in text and text.isprintable():
        return False
    return _FIRST.search(text) is not None and _SYMPTOM.search(text) is not None


#: What the fixer may do to HTML entities (``Config.entities``): ``"auto"`` decodes them except where
#: that would make markup the author escaped: a live ``<`` or ``>``, or an ``&`` that starts an entity
#: again (``&amp;lt;``); ``"decode"`` decodes every one; ``"keep"`` none.
ENTITY_POLICIES = ("auto", "decode", "keep")
_ANY_ENTITY = re.compile(_ENTITY)
# Entities "auto" keeps: '<' and '>' in any spelling, and an '&' followed by what would make it an
# entity again (HTML's legacy names need no ';').
_MARKUP_ENTITY = re.compile(
    r"&(?:lt|gt|LT|GT|#0*6[02]|#[xX]0*3[cCeE]);"
    r"|&(?:amp|AMP|#0*38|#[xX]0*26);(?=#|[A-Za-z][A-Za-z0-9]*;|(?:lt|gt|amp|quot|apos|nbsp|copy|reg)(?![A-Za-z]))"
)


@fixer("encoding.mojibake", machine_only=True, check=_may_fire, settings=("entities",))
def fix_encoding(text: str, entities: str = "auto") -> Iterator[Repair]:
    """Mojibake, HTML entities and control characters, repaired by ftfy."""
    for start, end in _pieces(text):
        piece = text[start:end]
        yield from _diff_edits(piece, _fix_piece(piece, entities), start)


# ftfy's repairs are local: a mojibake sequence, an entity, a control character never holds a space.
# So ftfy is given the words (runs between spaces and line breaks) that show a symptom, never more than
# about _PIECE characters at a time, and a character diff of a piece costs a bounded time: linear in
# the input, where one diff of a whole long line was quadratic (40,000 characters with one entity: 27 s).
_PIECE = 64
_WORD_END = re.compile(r"[ \n]")
_IS_CONTINUATION = re.compile(f"[{_CONTINUATION}]")


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    """Disjoint spans of ``text`` that hold every symptom: the words around them, merged where they
    touch, a long word cut between symptoms."""
    pos = 0
    current: tuple[int, int] | None = None
    while True:
        found = _find_symptom(text, pos)
        if found < 0:
            break
        m = _SYMPTOM.match(text, found)
        assert m is not None
        # the word around it, looked for no further than a piece's length either way
        # (a window that starts before 0 starts at 0: a negative start would count from the end)
        w = max(0, found - _PIECE)
        s = max(text.rfind(" ", w, found), text.rfind("\n", w, found)) + 1
        if s == 0 and found > _PIECE:
            s = found  # a long word: from the symptom (a sequence starts with its symptom)
        if current is not None and s < current[1]:
            s = current[1]  # inside the word of the previous symptom, cut after that one
        e_match = _WORD_END.search(text, m.end(), m.end() + _PIECE)
        e = e_match.start() if e_match is not None else min(len(text), m.end() + _PIECE)
        if e - s > _PIECE:
            e = m.end()  # a long word: up to this symptom and the rest of its sequence only
            while e < len(text) and _IS_CONTINUATION.match(text, e):
                e += 1
        near = current is not None and s <= current[1] + 8 and e - current[0] <= _PIECE
        if near and "\n" not in text[current[1] : s]:  # near on the same line: one call
            current = (current[0], max(current[1], e))
        else:
            if current is not None:
                yield current
            current = (s, e)
        pos = max(m.end(), current[1])
    if current is not None:
        yield current


def _fix_piece(piece: str, entities: str = "auto") -> str:
    import ftfy

    if "\x85" in piece:
        # NEL (U+0085) is a line break in Unicode, not the Windows-1252 ellipsis ftfy reads it as:
        # kept, and the text around it fixed piece by piece.
        return "\x85".join(_fix_piece(part, entities) for part in piece.split("\x85"))
    kept = _MARKUP_ENTITY if entities == "auto" else _ANY_ENTITY if entities == "keep" else None
    if kept is not None and kept.search(piece):
        # the entities the policy keeps are left out of what ftfy sees, the text between fixed alone
        parts, pos = [], 0
        for m in kept.finditer(piece):
            parts += [ftfy.fix_text(piece[pos : m.start()], _config()), m.group()]
            pos = m.end()
        return "".join(parts) + ftfy.fix_text(piece[pos:], _config())
    return ftfy.fix_text(piece, _config())


def _diff_edits(old: str, new: str, offset: int) -> Iterator[Repair]:
    if old == new:
        return
    if " " in old and old.count(" ") == new.count(" "):
        # ftfy's repairs hold no space: the words correspond one to one, and each is diffed alone
        # (a character diff costs the square of what it compares)
        pos = 0
        for a, b in zip(old.split(" "), new.split(" "), strict=True):
            if a != b:
                yield from _diff_edits(a, b, offset + pos)
            pos += len(a) + 1
        return
    symptoms = _SYMPTOM.findall(old)
    if len(symptoms) > 1 and all(x.startswith("&") for x in symptoms):
        # entities only ('&amp;&amp;'): if decoding each in place gives what the fix gave, each one is an edit
        edits = _entity_edits(old, new)
        if edits is not None:
            for i1, i2, after in edits:
                yield Repair(offset + i1, offset + i2, after, _message(old[i1:i2], after), 0.95)
            return
    if len(symptoms) == 1:
        # one symptom (a word with one mojibake sequence or entity): the fix is what lies between the
        # common start and end, no character diff needed
        p = 0
        stop = min(len(old), len(new))
        while p < stop and old[p] == new[p]:
            p += 1
        q = 0
        while q < stop - p and old[-1 - q] == new[-1 - q]:
            q += 1
        edits = [(p, len(old) - q, p, len(new) - q)]
    else:
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)  # a piece: bounded
        edits = [op[1:] for op in matcher.get_opcodes() if op[0] != "equal"]
    for i1, i2, j1, j2 in _whole_symptoms(old, new, edits):
        before, after = old[i1:i2], new[j1:j2]
        yield Repair(offset + i1, offset + i2, after, _message(before, after), 0.95)


def _entity_edits(old: str, new: str) -> list[tuple[int, int, str]] | None:
    """Each entity of ``old`` decoded where it stands, if that is exactly ``new`` (the fix made nothing
    else); else None. No character diff: a long run of entities costs a pass, not a square."""
    edits = []
    parts = []
    pos = 0
    for m in _ANY_ENTITY.finditer(old):
        after = html.unescape(m.group())
        parts += (old[pos : m.start()], after)
        pos = m.end()
        if after != m.group():
            edits.append((m.start(), m.end(), after))
    parts.append(old[pos:])
    return edits if "".join(parts) == new else None


def _whole_symptoms(old: str, new: str, edits: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The diff's edits widened to every symptom they touch, merged where they then overlap, and
    trimmed of what the fix left as it was outside a symptom.

    A character diff is ambiguous: ``&amp;a`` -> ``&a`` is as well ``mp;a`` deleted as ``amp;``, and
    which one difflib picks depends on the text around it. An edit that covers the whole symptom
    (``&amp;`` -> ``&``) is the same wherever the piece starts, and reads as what was repaired.
    """
    symptoms = [m.span() for m in _SYMPTOM.finditer(old)]

    def inside(i: int) -> bool:
        return any(a <= i < b for a, b in symptoms)

    merged: list[list[int]] = []  # [lo, hi, offset into new before, offset into new after]
    for i1, i2, j1, j2 in edits:
        lo, hi = i1, i2
        for a, b in symptoms:
            if a < max(i2, i1 + 1) and i1 < b:  # overlaps (an insertion: falls inside)
                lo, hi = min(lo, a), max(hi, b)
        if merged and lo <= merged[-1][1]:
            merged[-1][0] = min(merged[-1][0], lo)
            merged[-1][1] = max(merged[-1][1], hi)
            merged[-1][3] = j2 - i2
        else:
            merged.append([lo, hi, j1 - i1, j2 - i2])
    out = []
    for lo, hi, before, after in merged:
        j1, j2 = lo + before, hi + after
        while hi > lo and j2 > j1 and old[hi - 1] == new[j2 - 1] and not inside(hi - 1):
            hi, j2 = hi - 1, j2 - 1
        while hi > lo and j2 > j1 and old[lo] == new[j1] and not inside(lo):
            lo, j1 = lo + 1, j1 + 1
        out.append((lo, hi, j1, j2))
    return out


def _message(before: str, after: str) -> str:
    if before.startswith("&") and before.endswith(";"):
        return f"Decoded the HTML entity {before!r} as {after!r}."
    if not after and all(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in before):
        return f"Removed the control character(s) {before!r}."
    return f"Repaired encoding damage (mojibake) {before!r} as {after!r}."
