"""Fast scanning of a whole corpus: find cheap trigger positions first, try the full pattern there.

Shared by the fixers, the detector and the protected-span finder.

Why triggers are shaped the way they are: CPython's ``re`` jumps straight to the next occurrence
of a pattern's *literal* first character (a ``memchr``-like search), but a pattern that starts
with a character class or an alternation is tried at every position. On 5 MB of text,
``[,;:][^\\W\\d_]`` takes 70 ms while the three patterns ``,[^\\W\\d_]``, ``;[^\\W\\d_]`` and
``:[^\\W\\d_]`` take 15 ms together. So a trigger is a tuple of parts, each a literal string or a
compiled pattern that starts with a literal, and the positions of all parts are merged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate, count
from operator import add
from typing import Any

Trigger = re.Pattern[str] | str | tuple["re.Pattern[str] | str", ...]


def per_first_char(chars: str, rest: str) -> tuple[re.Pattern[str], ...]:
    """One pattern ``<c><rest>`` per character ``c`` of ``chars``: a class split by first character."""
    return tuple(re.compile(re.escape(c) + rest) for c in chars)


def any_of(*triggers: Trigger) -> re.Pattern[str]:
    """One pattern that matches wherever any part of ``triggers`` does: a yes-or-no pre-check.

    Fixers look only where their triggers match, so a text none of them matches is one they leave
    alone, and one ``search`` says so at C speed (the per-call fast path). Parts that start with the
    same literal character are merged under it (``' '`` then any of their rests), so that the scan
    tries each position once rather than once per part.
    """
    by_first: dict[str, list[str]] = {}
    others: list[str] = []
    for trigger in triggers:
        for part in trigger if isinstance(trigger, tuple) else (trigger,):
            source = re.escape(part) if isinstance(part, str) else part.pattern
            first = _first_literal(source)
            if first is None:
                others.append(source)
            else:
                char, width = first
                by_first.setdefault(char, []).append(source[width:])
    branches = [f"{re.escape(c)}(?:{'|'.join(rests)})" if all(rests) else re.escape(c) for c, rests in by_first.items()]
    return re.compile("|".join(f"(?:{b})" for b in [*branches, *others]))


def _first_literal(source: str) -> tuple[str, int] | None:
    """The character every match of the pattern source starts with, if it is a literal (escaped or
    not), and how many characters of the source spell it; else None."""
    if _has_top_level_bar(source):
        return None  # 'a|b': the 'a' is only the first branch's
    if source[:1] == "\\" and len(source) > 1 and not source[1].isalnum():
        char, width = source[1], 2
    elif source and source[0] not in ".^$*+?{}[]\\|()":
        char, width = source[0], 1
    else:
        return None
    # not when a quantifier follows it ('a*' matches without the 'a')
    return None if source[width : width + 1] in ("*", "+", "?", "{") else (char, width)


def _has_top_level_bar(source: str) -> bool:
    """Whether a pattern source has an alternation outside any group."""
    depth, i, in_class = 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]" or source[i - 1] == "["  # ']' right after '[' is a member
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def trigger_positions(trigger: Trigger, text: str) -> list[int]:
    """Sorted start offsets of every match of any part of ``trigger``, overlapping ones included."""
    parts = trigger if isinstance(trigger, tuple) else (trigger,)
    found: set[int] = set()
    for part in parts:
        if isinstance(part, str):
            i = text.find(part)
            while i >= 0:
                found.add(i)
                i = text.find(part, i + 1)
        else:
            m = part.search(text)
            while m is not None:
                found.add(m.start())
                m = part.search(text, m.start() + 1)
    return sorted(found)


def scan(trigger: Trigger | list[int], pattern: Any, text: str) -> Iterator[Any]:
    """``pattern.finditer(text)`` for patterns whose matches start where ``trigger`` matches.

    ``trigger`` finds candidate positions fast (see the module docstring), or is a list of
    positions already found; the full, slower ``pattern`` (lookbehinds and Unicode classes of
    `regex`) is only tried there. Matches do not overlap, as with ``finditer``.
    """
    starts = trigger if isinstance(trigger, list) else trigger_positions(trigger, text)
    pos = 0
    for t in starts:
        if t < pos:
            continue  # inside the previous match
        m = pattern.match(text, t)
        if m is not None:
            yield m
            pos = max(m.end(), t + 1)


def line_words(lines: list[str]) -> Iterator[list[str]]:
    """The lowercased, whitespace-separated words of each line, produced at C speed.

    Lowercasing line by line is several times faster than lowercasing a whole corpus at once:
    most lines are ASCII, which takes ``str.lower``'s fast path.
    """
    return map(str.split, map(str.lower, lines))


_LAST_WORDS: list[Any] = [None, ()]


def words_of(line: str) -> list[str]:
    """The lowercased, whitespace-separated words of one line, as :func:`line_words` gives them.

    The last line's words are kept: on the per-call path the doubled-word fixer and the detector's
    pre-checks look at the words of the same segment, and split it once between them. (Callers must
    not change the list.)
    """
    last = _LAST_WORDS
    if last[0] is not line:
        last[1] = line.lower().split()
        last[0] = line
    return last[1]


# What may come before a segment's first word: space, an opening quote or bracket, a dash.
_OPENERS = " \t\"'“‘„«»‹›「『（([¿¡—–-"


def first_letter(text: str) -> str:
    """The letter ``text``'s first word starts with, past space and opening marks (a quote, a bracket,
    a dash); '' when something else comes first (a digit, a placeholder, a tag) or nothing does. A
    source segment that opens with a lower-case letter is a fragment ('click here', the rest of a
    sentence); a script without case says nothing."""
    rest = text.lstrip(_OPENERS)
    return rest[0] if rest[:1].isalpha() else ""


def line_offsets(lines: list[str]) -> list[int]:
    """Offset of each of ``lines`` in ``"\\n".join(lines)``."""
    return list(map(add, accumulate(map(len, lines), initial=0), count()))[:-1]
