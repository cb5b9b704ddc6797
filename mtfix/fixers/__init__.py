"""The rule layer: small pure fixers, registered by name.

A fixer is a function ``text -> iterable of Edit`` that finds one kind of mechanical damage and
proposes its repair, in coordinates of ``text``. Fixers never see each other's internals; the
repair stage (:mod:`mtfix.repair`) runs them in registry order and keeps the log exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mtfix.changes import Edit

FixerFn = Callable[[str], Iterable[Edit]]


@dataclass(frozen=True, slots=True)
class Fixer:
    name: str  # also the dotted ``kind`` of the changes it makes
    fn: FixerFn
    description: str


REGISTRY: dict[str, Fixer] = {}


def fixer(name: str) -> Callable[[FixerFn], FixerFn]:
    """Register ``fn`` under ``name``; registry order (import order) is the order fixers run in."""

    def register(fn: FixerFn) -> FixerFn:
        if name in REGISTRY:
            raise ValueError(f"fixer {name!r} registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()
        REGISTRY[name] = Fixer(name, fn, doc[0] if doc else name)
        return fn

    return register


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


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
    if isinstance(trigger, tuple):
        pos = 0
        for t in literal_positions(trigger, text):
            if t < pos:
                continue
            m = pattern.match(text, t)
            if m is not None:
                yield m
                pos = max(m.end(), t + 1)
        return
    pos = 0
    while True:
        t = trigger.search(text, pos)
        if t is None:
            return
        m = pattern.match(text, t.start())
        if m is None:
            pos = t.start() + 1
        else:
            yield m
            pos = max(m.end(), t.start() + 1)


# Import order is run order: encoding damage first (it hides everything else), then punctuation
# shapes, then spacing, then word-level repeats.
from mtfix.fixers import encoding, punctuation, quotes, spacing, words  # noqa: E402,F401
