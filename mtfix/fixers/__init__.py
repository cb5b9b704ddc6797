"""The rule layer: small pure fixers, registered by name.

A fixer is a function ``text -> iterable of Edit`` that finds one kind of mechanical damage and
proposes its repair, in coordinates of ``text``. Fixers never see each other's internals; the
repair stage (:mod:`mtfix.repair`) runs them in registry order and keeps the log exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


# Import order is run order: encoding damage first (it hides everything else), then punctuation
# shapes, then spacing, then word-level repeats.
from mtfix.fixers import encoding, punctuation, quotes, spacing, words  # noqa: E402,F401
