"""The repair stage: run the registered fixers over a text, and the evidence mode.

The stage (:class:`RepairStage`, registered as ``"repair"``) runs the fixers of
:mod:`mtfix.fixers` until nothing changes (:func:`repair`), then applies the evidence mode
(:func:`withhold`): a repair alone on its line that mends a slip human writers make too is withheld
and becomes a ``rule.withheld`` flag, unless the document's detector also finds its sentence
garbled (:func:`confirm`).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mtfix.changes import Change, ChangeLog, Edit, Flag
from mtfix.evidence import MODES, alone, confirmation, line_numbers, sentence_garble
from mtfix.fixers import REGISTRY, Fixer, Precheck
from mtfix.fixers.encoding import ENTITY_POLICIES
from mtfix.pipeline import Document, Proposal, Resources, register
from mtfix.scanning import line_offsets
from mtfix.segment import Span, merge_spans, protected_spans, shift_spans, touches


def select(disabled: Iterable[str] = ()) -> list[Fixer]:
    """The fixers to run, in registry order, minus those turned off by name."""
    disabled = set(disabled)
    unknown = disabled - set(REGISTRY)
    if unknown:
        raise ValueError(f"unknown fixer(s) {sorted(unknown)}; known: {sorted(REGISTRY)}")
    return [f for name, f in REGISTRY.items() if name not in disabled]


def repair(
    log: ChangeLog,
    fixers: Sequence[Fixer],
    *,
    max_passes: int = 3,
    settings: Mapping[str, Any] | None = None,
    protected: Sequence[Span] | None = None,
    given: Sequence[Span] = (),
) -> None:
    """Run ``fixers`` over ``log.text`` until nothing changes (at most ``max_passes`` rounds).

    Each fixer sees the text as the previous one left it. Edits inside protected spans (URLs,
    e-mail addresses, file names, code) are dropped, and so are edits that overlap an earlier
    edit of the same fixer; ``protected`` (the pipeline's, with the caller's spans) replaces the spans
    found in the text, and ``given`` (the caller's alone) is carried into the later rounds, which find
    the others in the changed lines anew (a repair can end a span). Fixers decide line by line and
    never add or remove a line break, so after the first round only the lines that changed are looked
    at again, each on its own.
    """
    touched: set[int] = set()
    # Protected spans are found once and carried through each fixer's edits (no edit lands inside
    # one), rather than searched for again in the whole text after every fixer.
    protected = protected_spans(log.text) if protected is None else list(protected)
    kept = list(given)  # carried into the later rounds
    for f in fixers:
        if not f.may_fire(log.text):
            continue  # its pre-check rules it out: far cheaper than running it
        found = list(f.edits(masked(log.text, protected), settings))
        edits = _usable(found, protected) if found else []
        if edits:
            touched |= _lines_of(log.text, edits)
            log.apply(edits)
            protected = shift_spans(protected, edits)
            kept = shift_spans(kept, edits)
    for _ in range(max_passes - 1):
        if not touched:
            return
        starts = _line_starts(log.text)
        edits = []
        again: set[int] = set()
        for n in sorted(touched):
            start = starts[n]
            end = starts[n + 1] - 1 if n + 1 < len(starts) else len(log.text)
            line = ChangeLog(log.text[start:end])
            # the protected spans carried from the first round (the caller's among them), in the line
            carried: list[Span] = []
            for a, b in kept[bisect_left(kept, (start, start)) :]:
                if b > end:
                    break
                carried.append(Span(a - start, b - start))
            for f in fixers:
                if not f.may_fire(line.text):
                    continue  # as in the first round: what its pre-check rules out, it would not find
                spans = merge_spans(protected_spans(line.text), carried, len(line.text))
                found = list(f.edits(masked(line.text, spans), settings))
                if found:
                    usable = _usable(found, spans)
                    line.apply(usable)
                    carried = shift_spans(carried, usable)
            if line.changes:
                again.add(n)
                edits += [
                    Edit(start + c.start, start + c.end, c.after, c.kind, c.message, c.confidence, c.source)
                    for c in line.changes
                ]
        log.apply(edits)
        kept = shift_spans(kept, edits)
        touched = again


# What a fixer reads line-wide: quotes (paired across the line) and hyphens (' --' marks a command line).
_QUOTES = re.compile("[\"'“”‘’`\\-]")


def masked(text: str, spans: Sequence[Span]) -> str:
    """``text`` as the fixers see it: the quotation marks and hyphens inside protected spans (an
    attribute's ``id="1"``, a comment's ``<!-- -->``, ``ls --help`` in code) replaced by ``_``, the length
    kept. The quote rules pair the quotes of a line, and a tag's would keep them from repairing
    ``" hello "`` beside it; a ``--`` makes the hyphen rule take the line for a command line. No edit may
    touch a span, so nothing of the mask reaches the output."""
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for a, b in spans:
        inside = text[a:b]
        if _QUOTES.search(inside):
            out += (text[pos:a], _QUOTES.sub("_", inside))
            pos = b
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def withhold(log: ChangeLog, mode: str) -> tuple[ChangeLog, list[Change]]:
    """Keep the rule changes that ``mode`` accepts; return the log of those and the changes held back.

    Only a change that is alone on its line (segment) can be withheld: two or more repairs on a line
    are evidence of machine translation. ``"standard"`` withholds a lone repair of damage human
    writers leave as often as MT does ('the the', 'forgotten. .', 'on the other , satellite'; each
    fixer's ``typo`` test says which); ``"strict"`` withholds every lone repair except of damage no
    typist makes (mojibake, full-width punctuation); ``"thorough"`` withholds nothing. The log is
    rebuilt from the changes kept (any subset of a log's changes applies exactly).
    """
    if mode == "thorough" or not log.changes:
        return log, []
    changes = log.changes
    lone = [i for i, single in enumerate(alone(log.original, [c.start for c in changes])) if single]
    if mode == "strict":
        held = [i for i in lone if not _machine_only(changes[i])]
    else:
        held = [i for i in lone if _typo(changes[i], log.original)]
    if not held:
        return log, []
    skip = set(held)
    return rebuild(log.original, [c for i, c in enumerate(changes) if i not in skip]), [changes[i] for i in held]


def rebuild(original: str, changes: Sequence[Change]) -> ChangeLog:
    """A log of ``original`` with exactly ``changes`` (disjoint, in original coordinates) applied."""
    log = ChangeLog(original)
    log.apply(
        Edit(c.start, c.end, c.after, c.kind, c.message, c.confidence, c.source)
        for c in sorted(changes, key=lambda c: c.start)
    )
    return log


def withheld_flags(held: Sequence[Change], mode: str) -> list[Flag]:
    """The ``rule.withheld`` flags that report repairs :func:`withhold` held back, for a reviewer."""
    if mode == "strict":
        why = "Not applied in strict mode (the only sign of damage in its line)"
    else:
        why = "Not applied (the only repair in its line, of a slip human writers make too; mode='thorough' applies it)"
    return [Flag(c.start, c.end, "rule.withheld", f"{why}: {c.message}", c.confidence) for c in held]


def _machine_only(change: Change) -> bool:
    fixer = REGISTRY.get(change.kind)
    return fixer is not None and fixer.machine_only


def _typo(change: Change, original: str) -> bool:
    fixer = REGISTRY.get(change.kind)
    return fixer is not None and fixer.typo is not None and fixer.typo(change, original)


def _line_starts(text: str) -> list[int]:
    return line_offsets(text.split("\n"))


def _lines_of(text: str, edits: Sequence[Edit]) -> set[int]:
    """Line numbers of the lines that ``edits`` (sorted, disjoint) touch (fixers never span lines;
    the end is counted anyway, to be safe)."""
    return set(line_numbers(text, [p for e in edits for p in (e.start, e.end)]))


def _usable(edits: Iterable[Edit], protected: list[Span]) -> list[Edit]:
    kept: list[Edit] = []
    starts = [p.start for p in protected]
    end = -1
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < end or (e.start == end and kept and kept[-1].start == kept[-1].end == e.start):
            continue
        if protected and touches(e, protected, starts) is not None:
            continue
        kept.append(e)
        end = e.end
    return kept


def confirm(text: str, held: Sequence[Change], detector: Any, threshold: float) -> list[Change | None]:
    """For each repair of ``held`` (rule changes of ``text`` the evidence mode held back, each alone
    on its line): the repair, with that in its message, if ``detector`` also finds its sentence at
    least ``threshold`` garbled; else None.

    The detector scores the sentence as it stands, the slip included: a doubled word in a sentence
    the model otherwise reads as fluent can still score low, and stays withheld.
    """
    scores = sentence_garble(text, [c.start for c in held], detector)
    return [
        dataclasses.replace(c, message=f"{c.message} {confirmation(g)}") if g is not None and g >= threshold else None
        for c, g in zip(held, scores, strict=True)
    ]


@dataclass(frozen=True)
class RepairOptions:
    """Options of the repair stage (the fields of the same names on :class:`mtfix.Config`)."""

    disabled: frozenset[str] = field(default_factory=frozenset)
    max_passes: int = 3
    mode: str = "standard"
    confirm_threshold: float = 0.5
    entities: str = field(
        default="auto",
        metadata={
            "flag": "--entities",
            "help": "HTML entities: auto (default) decodes them but never into a live '<', '>' or entity-"
            "starting '&'; decode: all; keep: none, the text stays escaped",
        },
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "disabled", frozenset(self.disabled))
        if self.entities not in ENTITY_POLICIES:  # mtfix.fixers.encoding
            raise ValueError(f"unknown entities policy {self.entities!r}; known: {', '.join(ENTITY_POLICIES)}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; known: {', '.join(MODES)}")
        if self.max_passes < 1:
            raise ValueError("max_passes must be at least 1")


@register("repair", options=RepairOptions, order=10, toggle=False)
def _repair_stage(options: RepairOptions, resources: Resources) -> RepairStage:
    """The fixers of mtfix.fixers, and the evidence mode."""
    return RepairStage(options)


class RepairStage:
    """Run the fixers until nothing changes; withhold what the evidence mode does not accept."""

    name = "repair"
    source = "rule"
    guard = None
    #: Whether no fixer could repair anything in a text (:class:`mtfix.fixers.Precheck`).
    quiet: Callable[[str], bool]

    def __init__(self, options: RepairOptions) -> None:
        self.options = options
        self.fixers = select(options.disabled)
        self._precheck = Precheck(self.fixers)
        self.quiet = self._precheck.quiet  # the bound method itself: one call less per segment

    def propose(self, doc: Document) -> Proposal:
        mode = self.options.mode
        log = ChangeLog(doc.text)
        settings = {"entities": self.options.entities}  # the fixers' own settings (Fixer.settings)
        repair(
            log,
            self.fixers,
            max_passes=self.options.max_passes,
            settings=settings,
            protected=doc.protected,
            given=doc.given,
        )
        log, held = withhold(log, mode)
        detector = doc.detector
        if held and mode == "standard" and detector is not None and detector.model is not None:
            # The detector is the second opinion a lone repair lacks: applied where the model, too,
            # finds the sentence garbled.
            verdicts = confirm(doc.text, held, detector, self.options.confirm_threshold)
            if any(verdicts):
                log = rebuild(doc.text, [*log.changes, *filter(None, verdicts)])
                held = [c for c, agreed in zip(held, verdicts, strict=True) if agreed is None]
        edits = [Edit(c.start, c.end, c.after, c.kind, c.message, c.confidence, c.source) for c in log.changes]
        return Proposal(edits, withheld_flags(held, mode))
