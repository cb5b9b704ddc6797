"""The rule layer: small pure fixers, registered by name.

A fixer is a function ``text -> iterable of Edit`` that finds one kind of mechanical damage and
proposes its repair, in coordinates of ``text``. Fixers never see each other's internals; the
repair stage (:mod:`mtfix.repair`) runs them in registry order and keeps the log exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mtfix.changes import Change, Edit

FixerFn = Callable[[str], Iterable[Edit]]
#: ``(change, original text) -> bool``: is this repair one of damage human typists make too?
TypoTest = Callable[[Change, str], bool]


@dataclass(frozen=True, slots=True)
class Fixer:
    name: str  # also the dotted ``kind`` of the changes it makes
    fn: FixerFn
    description: str
    # Which of its repairs mend damage that human writers leave about as often as MT systems do
    # (measured on WMT21: references against system outputs). Standing alone on a line, such a
    # repair is no evidence of MT, and the default mode withholds it (see mtfix.repair.withhold).
    typo: TypoTest | None = None


REGISTRY: dict[str, Fixer] = {}


def fixer(name: str, *, typo: TypoTest | None = None) -> Callable[[FixerFn], FixerFn]:
    """Register ``fn`` under ``name``; registry order (import order) is the order fixers run in.

    ``typo`` tells which of its repairs also mend ordinary human typos (see :attr:`Fixer.typo`).
    """

    def register(fn: FixerFn) -> FixerFn:
        if name in REGISTRY:
            raise ValueError(f"fixer {name!r} registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()
        REGISTRY[name] = Fixer(name, fn, doc[0] if doc else name, typo)
        return fn

    return register


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def always(change: Change, text: str) -> bool:
    """A :data:`TypoTest` for fixers all of whose repairs mend human typos as well."""
    return True


# Import order is run order: encoding damage first (it hides everything else), then punctuation
# shapes, then spacing, then word-level repeats.
from mtfix.fixers import encoding, punctuation, quotes, spacing, words  # noqa: E402,F401
