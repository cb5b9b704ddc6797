"""The rule layer: small pure fixers, registered by name.

A fixer is a function ``text -> iterable of Repair`` that finds one kind of mechanical damage and
proposes its repair, in coordinates of ``text``. The registry stamps the fixer's name on its repairs
as their ``kind`` (:attr:`Fixer.edits`), and the fixers run in the explicit order of :data:`ORDER`,
whatever order their modules are imported in. Fixers never see each other's internals; the repair
stage (:mod:`mtfix.repair`) runs them and keeps the log exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from mtfix.changes import Change, Edit
from mtfix.scanning import Trigger, any_of


class Repair(NamedTuple):
    """A fixer's proposal: replace ``text[start:end]`` by ``after``; the registry adds the kind."""

    start: int
    end: int
    after: str
    message: str
    confidence: float = 1.0


FixerFn = Callable[..., Iterable[Repair]]  # (text, **settings) -> repairs
#: ``(change, original text) -> bool``: is this repair one of damage human typists make too?
TypoTest = Callable[[Change, str], bool]

#: The order fixers run in: encoding damage first (it hides everything else), then punctuation
#: shapes, then quotes and spacing, then word-level repeats. Each fixer sees the text as the ones
#: before it left it. A fixer must be listed here to be registered.
ORDER = (
    "encoding.mojibake",
    "punctuation.fullwidth",
    "punctuation.doubled",
    "quotes.run",
    "spacing.tokenized",
    "spacing.hyphen",
    "spacing.sentence",
    "words.doubled",
)


@dataclass(frozen=True, slots=True)
class Fixer:
    name: str  # also the dotted ``kind`` of the changes it makes
    fn: FixerFn
    description: str
    # Which of its repairs mend damage that human writers leave about as often as MT systems do
    # (measured on WMT21: references against system outputs). Standing alone on a line, such a
    # repair is no evidence of MT, and the default mode withholds it (see mtfix.repair.withhold).
    typo: TypoTest | None = None
    # Damage no human typist makes (mojibake, full-width punctuation): one repair of it on a line is
    # evidence of MT enough even for the strict mode.
    machine_only: bool = False
    #: Where the fixer could repair anything at all (patterns or strings, as
    #: :func:`mtfix.scanning.trigger_positions` takes them), and ``check``, a further pre-check
    #: ``text -> bool``: a text that neither matches is one the fixer finds nothing in (both None:
    #: it always runs). The repair stage skips a fixer they rule out, and a text that rules out every
    #: fixer takes the per-call fast path (:class:`Precheck`).
    trigger: Trigger | None = None
    check: Callable[[str], object] | None = None
    trigger_rx: re.Pattern[str] | None = None  # the trigger as one pattern

    def may_fire(self, text: str) -> bool:
        """False only if the fixer would find nothing in ``text`` (its trigger and check)."""
        if self.trigger_rx is None and self.check is None:
            return True
        return (self.trigger_rx is not None and self.trigger_rx.search(text) is not None) or (
            self.check is not None and bool(self.check(text))
        )

    #: The names of the settings the fixer takes as keyword arguments (``Config`` fields: the
    #: repair stage passes them, e.g. ``entities`` to the encoding fixer).
    settings: tuple[str, ...] = ()

    def edits(self, text: str, settings: Mapping[str, Any] | None = None) -> Iterator[Edit]:
        """The fixer's repairs of ``text`` as edits of its kind, with its ``settings`` from ``settings``."""
        name = self.name
        given = {k: settings[k] for k in self.settings if k in settings} if settings else {}
        for r in self.fn(text, **given):
            yield Edit(r.start, r.end, r.after, name, r.message, r.confidence, "rule")


_REGISTERED: dict[str, Fixer] = {}
#: The registered fixers, in run order (:data:`ORDER`).
REGISTRY: dict[str, Fixer] = {}


def fixer(
    name: str,
    *,
    typo: TypoTest | None = None,
    machine_only: bool = False,
    trigger: Trigger | None = None,
    check: Callable[[str], object] | None = None,
    settings: tuple[str, ...] = (),
) -> Callable[[FixerFn], FixerFn]:
    """Register ``fn`` under ``name`` (which must be in :data:`ORDER`).

    ``typo`` tells which of its repairs also mend ordinary human typos (see :attr:`Fixer.typo`);
    ``machine_only`` that its damage is never a human's (see :attr:`Fixer.machine_only`);
    ``trigger`` and ``check`` where it could repair anything at all (see :attr:`Fixer.trigger`);
    ``settings`` the keyword arguments it takes (see :attr:`Fixer.settings`).
    """

    def register(fn: FixerFn) -> FixerFn:
        if name in _REGISTERED:
            raise ValueError(f"fixer {name!r} registered twice")
        if name not in ORDER:
            raise ValueError(f"fixer {name!r} has no place in mtfix.fixers.ORDER")
        doc = (fn.__doc__ or "").strip().splitlines()
        rx = any_of(trigger) if trigger is not None else None
        _REGISTERED[name] = Fixer(name, fn, doc[0] if doc else name, typo, machine_only, trigger, check, rx, settings)
        REGISTRY.clear()
        REGISTRY.update((n, _REGISTERED[n]) for n in ORDER if n in _REGISTERED)
        return fn

    return register


def names() -> tuple[str, ...]:
    """The fixers' names, in run order."""
    return tuple(REGISTRY)


class Precheck:
    """Whether any of some fixers could repair anything in a text: all their triggers merged into
    two patterns (a search each at C speed), then their checks. The per-call fast path."""

    def __init__(self, fixers: Sequence[Fixer]) -> None:
        parts = [p for f in fixers if f.trigger is not None for p in _parts(f.trigger)]
        # The parts that start with a space get a pattern of their own: with one leading literal the
        # engine jumps from space to space, where a pattern of many branches would try them all at
        # every space, a fifth of the positions of prose (a quarter less time per text).
        spaced = [p for p in parts if _source(p).startswith(("\\ ", " "))]
        rest = [p for p in parts if p not in spaced]
        tests: list[Callable[[str], object]] = [any_of(*group).search for group in (rest, spaced) if group]
        tests += [f.check for f in fixers if f.check is not None]
        if any(f.trigger is None and f.check is None for f in fixers):
            tests = [_yes]  # a fixer that always runs: never quiet
        #: What quiet() asks, in order: each returns something true where a fixer may fire.
        self._tests = tuple(tests)

    def quiet(self, text: str) -> bool:
        """True only if none of the fixers would find anything in ``text``."""
        for test in self._tests:  # noqa: SIM110 (a loop, not all(...): no generator on the hot path)
            if test(text):
                return False
        return True


def _yes(text: str) -> bool:
    return True


def _parts(trigger: Trigger) -> tuple[str | re.Pattern[str], ...]:
    return trigger if isinstance(trigger, tuple) else (trigger,)


def _source(part: str | re.Pattern[str]) -> str:
    return part if isinstance(part, str) else part.pattern


def always(change: Change, text: str) -> bool:
    """A :data:`TypoTest` for fixers all of whose repairs mend human typos as well."""
    return True


from mtfix.fixers import encoding, punctuation, quotes, spacing, words  # noqa: E402,F401
