"""Punctuation shapes: full-width CJK punctuation in English text, doubled punctuation."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from mtfix.changes import Change
from mtfix.fixers import Repair, fixer
from mtfix.scanning import scan, trigger_positions

# Full-width forms used as English punctuation, with the English form and whether English puts a
# space after (closers) or before (openers) it. Decorative brackets such as 【】《》 are left alone:
# human English (Japanese shop titles in the WMT23 references) keeps them on purpose.
_FULLWIDTH: dict[str, tuple[str, str]] = {
    "，": (",", "after"),
    "、": (",", "after"),
    "。": (".", "after"),
    "：": (":", "after"),
    "；": (";", "after"),
    "！": ("!", "after"),
    "？": ("?", "after"),
    "）": (")", "after"),
    "（": ("(", "before"),
    "「": ('"', "before"),
    "」": ('"', "after"),
}
_FULLWIDTH_AT = tuple(_FULLWIDTH)  # single characters: str.find is far faster than a class scan
_WORDLIKE = regex.compile(r"[\p{L}\p{N}\"'“‘(]")
_CJK_CHAR = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


@fixer("punctuation.fullwidth", machine_only=True, trigger=_FULLWIDTH_AT)
def fix_fullwidth(text: str) -> Iterator[Repair]:
    """Full-width and CJK punctuation (，。：；（）！？「」) in English text, with English spacing."""
    for start in trigger_positions(_FULLWIDTH_AT, text):
        end = start + 1
        left = _neighbour(text, start, -1)
        right = _neighbour(text, end, +1)
        # Inside untranslated CJK text the punctuation belongs to that text: leave it (it is flagged).
        if _CJK_CHAR.match(left) or _CJK_CHAR.match(right) or (not left.strip() and not right.strip()):
            continue
        char = text[start]
        ascii_form, space = _FULLWIDTH[char]
        if start > 0 and end < len(text) and text[start - 1].isdigit() and text[end].isdigit():
            # a separator inside a number or a time ('41，000', '10：30') takes no space
            yield Repair(
                start, end, ascii_form, f"Replaced the full-width {char!r} with the English {ascii_form!r}.", 0.95
            )
            continue
        # Absorb the spaces around the full-width form, then add the ones English needs.
        s, e = start, end
        while s > 0 and text[s - 1] in " \u3000":
            s -= 1
        while e < len(text) and text[e] in " \u3000":
            e += 1
        before_ok = s > 0 and text[s - 1] not in "\n" and _WORDLIKE.match(text[s - 1]) is not None
        after_ok = e < len(text) and _WORDLIKE.match(text[e]) is not None
        if space == "after":
            repl = ascii_form + (" " if after_ok else "")
            if s != start and not before_ok:  # keep a space that separated it from other punctuation
                s = start
        else:
            repl = (" " if before_ok else "") + ascii_form
            if e != end and not after_ok:
                e = end
        yield Repair(
            s,
            e,
            repl,
            f"Replaced the full-width {char!r} with the English {ascii_form!r}.",
            0.95,
        )


def _neighbour(text: str, pos: int, step: int) -> str:
    """The nearest non-space character from ``pos`` in direction ``step`` ('' at the edge)."""
    i = pos if step > 0 else pos - 1
    while 0 <= i < len(text):
        if text[i] not in " \u3000":
            return text[i]
        i += step
    return ""


# ",," / ", ," → ","; ". ." → "." but never an ellipsis ("...", ". . ."). A bare ".." is left alone:
# informal human writing uses it as a short ellipsis ("the ticket.."). ',,"' is a typed German quote.
_DOUBLED_PUNCT = regex.compile(
    r"(?<=[\p{L}\p{N})\"'”’] ?)(?:(?P<c>,)(?: ?,)+(?![\"“”,])|(?<![.])(?P<d>\.)(?: \.)(?![. ]?\.)(?=\s|$|[\"'”’)]))",
)


# Every match starts with one of these (the pattern's two branches).
_DOUBLED_AT = (",,", ", ,", ". .")


def _doubled_full_stop(change: Change, text: str) -> bool:
    """'forgotten. .' ends human reference sentences too; ',,' is MT's."""
    return change.before.startswith(".")


@fixer("punctuation.doubled", typo=_doubled_full_stop, trigger=_DOUBLED_AT)
def fix_doubled_punctuation(text: str) -> Iterator[Repair]:
    """Doubled commas and full stops left by MT (',,', '. .'); ellipses and '!!' are kept."""
    for m in scan(_DOUBLED_AT, _DOUBLED_PUNCT, text):
        mark = m.group("c") or m.group("d")
        yield Repair(
            m.start(),
            m.end(),
            mark,
            f"Removed a doubled {mark!r}.",
            0.95,
        )
