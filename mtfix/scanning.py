"""Fast scanning of a whole corpus: find cheap trigger positions first, try the full pattern there.

Shared by the fixers and the detector.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any


def literal_positions(literals: Iterable[str], text: str) -> list[int]:
    """Sorted start offsets of every occurrence of any of ``literals`` in ``text``.

    ``str.find`` runs at memory speed; for rare triggers this beats a character-class regex
    scan of a whole corpus many times over.
    """
    found: set[int] = set()
    for lit in literals:
        i = text.find(lit)
        while i >= 0:
            found.add(i)
            i = text.find(lit, i + 1)
    return sorted(found)


def scan(trigger: re.Pattern[str] | tuple[str, ...], pattern: Any, text: str) -> Iterator[Any]:
    """``pattern.finditer(text)`` for patterns whose matches start where ``trigger`` matches.

    ``trigger`` is a cheap `re` pattern (a literal or a character class), or a tuple of literal
    strings, that finds candidate positions fast; the full, slower ``pattern`` (lookbehinds and
    Unicode classes of `regex`) is only tried there. On a corpus this is several times faster than
    scanning with ``pattern``.
    """
    starts = literal_positions(trigger, text) if isinstance(trigger, tuple) else _match_starts(trigger, text)
    pos = 0
    for t in starts:
        if t < pos:
            continue  # inside the previous match
        m = pattern.match(text, t)
        if m is not None:
            yield m
            pos = max(m.end(), t + 1)


def _match_starts(trigger: re.Pattern[str], text: str) -> Iterator[int]:
    """Every offset where ``trigger`` matches, overlapping matches included."""
    t = trigger.search(text)
    while t is not None:
        yield t.start()
        t = trigger.search(text, t.start() + 1)
