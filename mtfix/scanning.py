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


def line_offsets(lines: list[str]) -> list[int]:
    """Offset of each of ``lines`` in ``"\\n".join(lines)``."""
    return list(map(add, accumulate(map(len, lines), initial=0), count()))[:-1]
