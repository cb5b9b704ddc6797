"""The pipeline: an explicit, ordered list of stages, and everything the stages share.

A :class:`Stage` reads a :class:`Document` (the text as the earlier stages left it, their changes and
their findings) and returns a :class:`Proposal`: edits and flags in the coordinates of that text,
and findings for the stages after it. The :class:`Pipeline` owns the rest:

- applying each stage's edits to the :class:`~mtfix.changes.ChangeLog`, so that the final changes
  are in the original's coordinates and replay it exactly;
- the guard, for a stage that declares itself guarded (``Stage.guard``): each of its edits replaces
  a passage (a sentence), :func:`mtfix.guard.check` judges it against the stage's thresholds,
  accepted ones are logged word by word, rejected ones become flags, the same way for every stage;
- mapping flags and findings to the original text (flags) or along later edits (findings);
- keeping each stage's own ``source`` on its changes;
- protected spans (:attr:`Document.protected`: placeholders, inline tags, URLs, code, and the spans a
  caller marks, e.g. the inline tags of an XLIFF unit): an edit of any stage that would change, split
  or drop one is not applied, and a guarded stage's rewrite that would is rejected as a whole.

Stages are registered by name with :func:`register`, each with a frozen options dataclass. A stage
is one file: its class, its options and the :func:`register` call. ``Config.stages`` lists the stages
to run, in order; the CLI gets a switch for each option field that has a ``help`` in its metadata.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from mtfix import guard
from mtfix.changes import Change, ChangeLog, Edit, Flag, Result, unchanged
from mtfix.segment import Span, merge_spans, protected_spans, sentences, shift_spans, touches


class Finding(NamedTuple):
    """What a stage found for later stages to read (not reported): a span of the current text, a
    kind (``"untranslated"``, ``"garble"``), a score and any detail the kind defines."""

    start: int
    end: int
    kind: str
    score: float
    detail: float = 0.0


class Proposal(NamedTuple):
    """A stage's output, in the coordinates of the text it was given."""

    edits: Sequence[Edit] = ()
    flags: Sequence[Flag] = ()
    findings: Sequence[Finding] = ()


@dataclass(frozen=True)
class GuardPolicy:
    """How the pipeline's guard judges a guarded stage's edits (see :func:`mtfix.guard.check`)."""

    min_confidence: float
    max_edit_ratio: float
    # Apply the word edits of a rejected replacement that the guard admits one by one.
    partial: bool = False
    #: Kind of the flag a rejected edit becomes.
    rejected_kind: str = "fluency.rejected"
    #: True: each edit replaces a whole passage (a sentence), logged as the word edits that make it.
    #: False: each edit is a small change, judged in its sentence and logged as it is.
    whole: bool = True
    #: The evidence mode (``Config.mode``) for the edits the guard accepts, or None for none: in
    #: "standard" an accepted edit alone on its line (no other change there) is withheld as a
    #: ``SOURCE.withheld`` flag unless the detector finds its sentence at least ``confirm_threshold``
    #: garbled; "strict" withholds every lone one; "thorough" none (see :mod:`mtfix.evidence`).
    mode: str | None = None
    confirm_threshold: float = 0.5
    #: Which edits mend a slip human writers make too (None: all): only those need evidence.
    typo: Callable[[Edit], bool] | None = None
    #: Whether the detector's garble score may stand in for the missing evidence of a lone edit.
    confirm: bool = True


class Document:
    """The text as the stages so far left it, read-only for the stages.

    ``text`` is the current text, ``changes`` the changes so far (original coordinates),
    :meth:`change_spans` where each lies in the current text, :meth:`findings` what earlier stages
    found, in current coordinates. ``detector`` is the detector the pipeline was built with
    (:class:`mtfix.detect.Detector`), for a stage that needs a second opinion on a sentence.
    """

    def __init__(
        self, log: ChangeLog, detector: Any = None, source: str | None = None, protected: Sequence[Span] = ()
    ) -> None:
        self._log = log
        self._findings: list[Finding] = []
        self.detector = detector
        #: The source segment the text translates (bilingual input: XLIFF, PO, TMX, TSV), or None.
        self.source = source
        self._protected = list(protected)
        self._given: list[Span] = []  # those the caller marked (the rest are found in the text)

    @property
    def protected(self) -> list[Span]:
        """Spans of the current text no stage may change, split, move or drop (placeholders, tags, URLs,
        e-mail addresses, code; and what the caller marked): the pipeline drops an edit that touches one."""
        return self._protected

    @property
    def given(self) -> list[Span]:
        """The protected spans the caller marked (an l10n unit's tags), in the current text: a stage that
        looks at a changed text again finds the others anew, these it must carry."""
        return self._given

    @property
    def original(self) -> str:
        return self._log.original

    @property
    def text(self) -> str:
        return self._log.text

    @property
    def changes(self) -> list[Change]:
        return self._log.changes

    def change_spans(self) -> list[tuple[int, int]]:
        return self._log.current_spans()

    def findings(self, kind: str) -> list[Finding]:
        return [f for f in self._findings if f.kind == kind]


class Stage(Protocol):
    """One step of the pipeline. ``name`` is its registry name; ``source`` is stamped on its changes;
    ``guard`` is None, or the policy under which the pipeline judges each of its edits. A stage with
    anything expensive to prepare may also have a ``load()`` method: :meth:`mtfix.Cleaner.load` calls
    it, so that the cost is paid up front rather than on the first text. A stage may also have a
    ``quiet(text)`` method, a cheap pre-check that returns True only when ``propose`` would return
    nothing for a fresh document of ``text``: when every stage says so, the pipeline returns at once
    (the per-call fast path), and while no stage before it has changed the text or found anything,
    the pipeline skips a stage whose ``quiet`` says so. A stage that reads :attr:`Document.source` says
    ``uses_source = True``: with a source it always runs (its ``quiet`` speaks for a text alone)."""

    name: str
    source: str
    guard: GuardPolicy | None

    def propose(self, doc: Document) -> Proposal: ...


StageFactory = Callable[[Any, Any], "Stage | None"]


@dataclass(frozen=True)
class StageSpec:
    """A registered stage: ``factory(options, resources)`` builds it (or returns None: nothing to do
    under these options, e.g. no model); ``options`` is its frozen options dataclass."""

    name: str
    factory: StageFactory
    options: type
    description: str = ""
    #: In the default pipeline, where ``order`` places it (stages run by ascending order).
    default: bool = True
    order: float = 0.0
    #: The CLI turns it on (``--NAME``) or off (``--no-NAME``); the built-in stages have switches of
    #: their own (``--no-model``).
    toggle: bool = True


REGISTRY: dict[str, StageSpec] = {}
#: The stages that ship with mtfix: their options are fields of :class:`mtfix.Config` too.
BUILTIN = frozenset({"repair", "detect", "grammar", "rewrite"})


def register(
    name: str, *, options: type, order: float, default: bool = True, description: str = "", toggle: bool = True
) -> Callable[[StageFactory], StageFactory]:
    """Register a stage factory under ``name``. ``order`` places it in the default pipeline (repair 10,
    detect 20, rewrite 40); ``default=False`` leaves it out unless ``Config.stages`` names it.

    Each field of ``options`` with a ``help`` in its metadata becomes a CLI switch, ``--NAME-FIELD``
    (or the metadata's ``flag``); ``metavar`` and ``unit`` (a value in 0-1) refine it."""

    def add(factory: StageFactory) -> StageFactory:
        if name in REGISTRY:
            raise ValueError(f"stage {name!r} registered twice")
        if not (dataclasses.is_dataclass(options) and options.__dataclass_params__.frozen):  # type: ignore[attr-defined]
            raise TypeError(f"the options of stage {name!r} must be a frozen dataclass")
        doc = description or (factory.__doc__ or "").strip()
        REGISTRY[name] = StageSpec(name, factory, options, doc, default, order, toggle)
        return factory

    return add


def default_stages() -> tuple[str, ...]:
    """The names of the stages run by default, in the order they run."""
    return with_stages()


def registered() -> list[StageSpec]:
    """Every registered stage (built-in and plug-in), in the order they would run."""
    _load_builtin()
    return sorted(REGISTRY.values(), key=lambda s: s.order)


def with_stages(on: Iterable[str] = (), off: Iterable[str] = ()) -> tuple[str, ...]:
    """The default stages, plus ``on``, minus ``off``, in the order of their registration."""
    on, off = set(on), set(off)
    return tuple(s.name for s in registered() if (s.default or s.name in on) and s.name not in off)


def stage_options(spec: StageSpec, flat: Any, overrides: Mapping[str, Any]) -> Any:
    """The options of ``spec``: its defaults, then (for a built-in stage) the fields of the same name
    on ``flat`` (the :class:`mtfix.Config`), then ``overrides[spec.name]`` (an options instance, or
    fields)."""
    names = {f.name for f in dataclasses.fields(spec.options)}
    values = {n: getattr(flat, n) for n in names if hasattr(flat, n)} if spec.name in BUILTIN else {}
    given = overrides.get(spec.name)
    if isinstance(given, spec.options):
        return given
    if given is not None:
        given = dict(given)
        unknown = set(given) - names
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} for stage {spec.name!r}; known: {sorted(names)}")
        values.update(given)
    return spec.options(**values)


def _load_builtin() -> None:
    # The built-in stages register themselves on import.
    import mtfix.detect
    import mtfix.grammar
    import mtfix.qa
    import mtfix.repair
    import mtfix.rewrite  # noqa: F401  (torch is imported only when its stage is built with a model)


_PLUGINS_LOADED = False


def load_plugins() -> None:
    """Import the stages that installed packages declare under the entry-point group ``mtfix.stages``
    (each registers itself on import). Done once; the CLI does it before it builds its parser."""
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    from importlib.metadata import entry_points

    for ep in entry_points(group="mtfix.stages"):
        ep.load()


class Pipeline:
    """Runs ``stages`` in order over a text and builds its :class:`~mtfix.changes.Result`."""

    def __init__(self, stages: Sequence[Stage], detector: Any = None) -> None:
        self.stages = list(stages)
        self.detector = detector
        #: Per guarded stage: edits ``accepted`` by the guard (and the evidence mode), ``rejected``
        #: by the guard, ``withheld`` by the evidence mode.
        self.counts: dict[str, dict[str, int]] = {
            s.name: {"accepted": 0, "rejected": 0, "withheld": 0} for s in self.stages if s.guard is not None
        }
        # The stages' pre-checks, when every stage has one (else there is no fast path).
        checks = [getattr(s, "quiet", None) for s in self.stages]
        self._checks: list[Callable[[str], bool]] | None = checks if all(map(callable, checks)) else None  # type: ignore[assignment]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def quiet(self, text: str) -> bool:
        """True only if no stage could change, flag or find anything in ``text`` (each stage's own
        pre-check says so): :meth:`run` would return it unchanged. False whenever a stage has no
        pre-check."""
        return self._loud(text) == len(self.stages)

    def _loud(self, text: str) -> int:
        """The index of the first stage whose pre-check does not rule ``text`` out (-1, nothing known,
        when a stage has none; ``len(self.stages)`` when every one does)."""
        if self._checks is None:
            return -1
        for n, check in enumerate(self._checks):
            if not check(text):
                return n
        return len(self._checks)

    def run(self, text: str, source: str | None = None, protected: Iterable[tuple[int, int]] = ()) -> Result:
        """Clean ``text``. ``source``: the segment it translates, for the stages that compare the two
        (the QA checks) and the guard; ``protected``: spans of ``text`` (start, end) no stage may touch,
        besides those :func:`mtfix.segment.protected_spans` finds."""
        given = merge_spans([], protected, len(text)) if protected else []  # checked even on the fast path
        loud = -1  # the stages before it have nothing to say about the text; its own pre-check failed
        if source is None:
            if not text:
                return unchanged(text)
            loud = self._loud(text)
            if loud == len(self.stages):
                return unchanged(text)  # nothing any stage could change, flag or find
        log = ChangeLog(text)
        spans = merge_spans(protected_spans(text), given, len(text)) if given else protected_spans(text)
        doc = Document(log, self.detector, source, spans)
        doc._given = given
        flags: list[Flag] = []
        fresh = True  # no stage has changed the text or published a finding yet
        for n, stage in enumerate(self.stages):
            if n < loud:
                continue  # its pre-check ruled the text out (above), and no stage has changed it since
            if fresh and n > loud and not (source is not None and getattr(stage, "uses_source", False)):
                quiet = getattr(stage, "quiet", None)
                if quiet is not None and quiet(text):
                    continue  # it would propose nothing for this text: a pair's quiet stages cost nothing
            proposal = stage.propose(doc)
            label = stage.source
            edits = [e if e.source == label else e._replace(source=label) for e in proposal.edits]
            stage_flags = list(proposal.flags)
            if spans and (stage.guard is None or not stage.guard.whole):  # a whole rewrite: judged below
                edits, refused = _outside(edits, spans, log.text, guarded=stage.guard is not None)
                stage_flags += refused
            if stage.guard is not None:
                proposed = len(edits)
                edits, rejected = judge(log.text, edits, stage.guard, spans, source)
                stage_flags += rejected
                withheld: list[Flag] = []
                if stage.guard.mode not in (None, "thorough"):
                    edits, withheld = weigh(doc, edits, stage.guard)
                    stage_flags += withheld
                counts = self.counts[stage.name]
                counts["rejected"] += len(rejected)
                counts["withheld"] += len(withheld)
                counts["accepted"] += proposed - len(rejected) - len(withheld)
            flags += [_flag_to_original(f, log) for f in stage_flags]
            # findings are kept in current coordinates: moved along with this stage's edits
            kept = [*doc._findings, *proposal.findings]
            before = sorted(edits, key=lambda e: (e.start, e.end))
            log.apply(before)
            doc._findings = _shift(kept, before)
            fresh = fresh and not before and not kept
            if spans and before:
                spans = doc._protected = shift_spans(spans, before)
                given = doc._given = shift_spans(given, before)
        return Result(log.original, log.text, log.changes, sorted(flags, key=lambda f: (f.start, f.end)))


def _outside(edits: list[Edit], spans: list[Span], text: str, *, guarded: bool) -> tuple[list[Edit], list[Flag]]:
    """The edits that leave every protected span alone; a guessing (guarded) stage's refused edit
    becomes a flag, a rule's is dropped quietly, as the rules' own protection always did."""
    if not edits:
        return edits, []
    starts = [s.start for s in spans]
    out: list[Edit] = []
    flags: list[Flag] = []
    for e in edits:
        p = touches(e, spans, starts)
        if p is None:
            out.append(e)
        elif guarded:
            who = e.source[:1].upper() + e.source[1:]
            flags.append(
                Flag(
                    e.start,
                    e.end,
                    f"{e.source}.protected",
                    f"{who} suggests {text[e.start : e.end]!r} -> {e.after!r}; not applied because it would"
                    f" change the protected {text[p.start : p.end]!r}.",
                    round(e.confidence, 4),
                )
            )
    return out, flags


def judge(
    text: str, edits: Iterable[Edit], policy: GuardPolicy, protected: Sequence[Span] = (), source: str | None = None
) -> tuple[list[Edit], list[Flag]]:
    """Guard each edit of a guarded stage in its passage: with ``policy.whole`` the edit's own span
    (a sentence it rewrites), else the sentence around it.

    An accepted edit is logged (with ``policy.whole``, as the word edits that make it); a rejected one
    becomes a flag over the words it would change, saying what they would become and why not, and with
    ``policy.partial`` the word edits the guard admits one by one are applied all the same. A rewrite
    whose word edits would touch a ``protected`` span is rejected (a partial one keeps only the word
    edits that leave every span alone).
    """
    out: list[Edit] = []
    flags: list[Flag] = []

    starts = [p.start for p in protected]

    def accepts(before: str, after: str, confidence: float, at: int = 0) -> guard.Verdict:
        if protected and policy.whole:
            for w in guard.word_edits(before, after, at, confidence):
                p = touches(w, protected, starts)
                if p is not None:
                    return guard.Verdict(False, f"it would change the protected {text[p.start : p.end]!r}")
        return guard.check(
            before,
            after,
            confidence,
            min_confidence=policy.min_confidence,
            max_edit_ratio=policy.max_edit_ratio,
            source=source,
        )

    around = _SentenceAround(text)
    for e in edits:
        s, t = (e.start, e.end) if policy.whole else around(e.start, e.end)
        before = text[s:t]
        after = text[s : e.start] + e.after + text[e.end : t]
        verdict = accepts(before, after, e.confidence, s)
        label = e.source
        if verdict.ok:
            out += guard.word_edits(before, after, s, e.confidence, kind=e.kind, source=label) if policy.whole else [e]
            continue
        part = before
        if policy.whole and policy.partial and e.confidence >= policy.min_confidence:
            part = guard.admissible_part(
                before, after, lambda r, b=before, c=e.confidence, at=s: accepts(b, r, c, at).ok
            )
        who = label[:1].upper() + label[1:]
        changes = guard.word_edits(before, after, s, e.confidence)
        shown = guard.show_edits(before, after)
        if part != before:
            out += guard.word_edits(before, part, s, e.confidence, kind=e.kind, source=label)
            shown_part = guard.show_edits(before, part)
            message = f"{who} suggests {shown}; applied only as {shown_part}, the rest not because {verdict.reason}."
        else:
            message = f"{who} suggests {shown}; not applied because {verdict.reason}."
        if not policy.whole:
            message += f" ({e.message})" if e.message else ""
        # the flag covers the words the edit would change, not the whole sentence
        a, b = (changes[0].start, changes[-1].end) if changes else (e.start, e.end)
        while a > s and text[a - 1].isalnum():
            a -= 1
        while b < t and text[b].isalnum():
            b += 1
        flags.append(Flag(a, b, policy.rejected_kind, message, round(e.confidence, 4)))
    return out, flags


def weigh(doc: Document, edits: list[Edit], policy: GuardPolicy) -> tuple[list[Edit], list[Flag]]:
    """Apply the evidence mode to a stage's accepted edits (see :attr:`GuardPolicy.mode`)."""
    from mtfix.evidence import alone, confirmation, sentence_garble

    edits = sorted(edits, key=lambda e: (e.start, e.end))
    single = alone(doc.text, [e.start for e in edits], sorted(s for s, _ in doc.change_spans()))
    typo = policy.typo
    held = [i for i, lone in enumerate(single) if lone and (typo is None or typo(edits[i]))]
    if not held:
        return edits, []
    detector = doc.detector
    scores: list[float | None] = [None] * len(held)
    if policy.mode == "standard" and policy.confirm and detector is not None and detector.model is not None:
        scores = sentence_garble(doc.text, [edits[i].start for i in held], detector)
    out, flags = list(edits), []
    for i, score in zip(held, scores, strict=True):
        e = edits[i]
        if score is not None and score >= policy.confirm_threshold:
            out[i] = e._replace(message=f"{e.message} {confirmation(score)}")
            continue
        out[i] = None  # type: ignore[call-overload]
        why = "Not applied (the only change in its line, of a slip human writers make too)"
        flags.append(Flag(e.start, e.end, f"{e.source}.withheld", f"{why}: {e.message}", e.confidence))
    return [e for e in out if e is not None], flags


class _SentenceAround:
    """The sentence of ``text`` that holds a span (its line if none holds all of it), for one edit after
    another: a line is cut into sentences once, not once per edit (quadratic on a long line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line = (0, -1)  # the line last cut
        self.starts: list[int] = []
        self.spans: list[tuple[int, int]] = []

    def __call__(self, start: int, end: int) -> tuple[int, int]:
        text = self.text
        line_start, line_end = self.line
        if not (line_start <= start and end <= line_end):
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            line_end = len(text) if line_end < 0 else line_end
            self.line = (line_start, line_end)
            self.spans = [(line_start + x.start, line_start + x.end) for x in sentences(text[line_start:line_end])]
            self.starts = [a for a, _ in self.spans]
        # sentences are disjoint and in order: only the one starting last at or before ``start``, or the
        # one before it (an insertion where one ends and the next begins), can hold the span
        k = bisect_right(self.starts, start) - 1
        for a, b in self.spans[max(0, k - 1) : k + 1]:
            if a <= start and end <= b:
                return a, b
        return line_start, line_end


def _shift(findings: list[Finding], edits: Sequence[Edit]) -> list[Finding]:
    """Findings moved to where their spans lie once ``edits`` (sorted, disjoint) are applied; a span
    an edit overlaps grows to cover the edit's replacement."""
    if not edits or not findings:
        return findings
    ends = [e.end for e in edits]
    deltas = [0]
    for e in edits:
        deltas.append(deltas[-1] + len(e.after) - (e.end - e.start))

    def move(pos: int, right: bool) -> int:
        k = bisect_right(ends, pos)  # edits ending at or before pos
        if k < len(edits) and edits[k].start < pos:  # inside edit k
            e = edits[k]
            return e.start + deltas[k] + (len(e.after) if right else 0)
        return pos + deltas[k]

    return [f._replace(start=move(f.start, False), end=move(f.end, True)) for f in findings]


def _flag_to_original(flag: Flag, log: ChangeLog) -> Flag:
    start, end = log.to_original(flag.start), log.to_original(flag.end, right=True)
    return dataclasses.replace(flag, start=start, end=max(start, end))


@dataclass(frozen=True)
class Resources:
    """What stages share and the pipeline loads once: the model (or None) and the detector."""

    model: Any = None
    detector: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def build(config: Any, resources: Resources) -> Pipeline:
    """The pipeline ``config`` asks for: its ``stages`` (or the default ones), each built from its
    registered factory with its options (:func:`stage_options`)."""
    _load_builtin()
    names = config.stages if config.stages is not None else default_stages()
    overrides = dict(config.options)
    unknown = [n for n in [*names, *overrides] if n not in REGISTRY]
    if unknown:  # a worker process: the plug-ins are not imported yet
        load_plugins()
        unknown = [n for n in unknown if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown stage(s) {sorted(set(unknown))}; known: {sorted(REGISTRY)}")
    stages = []
    for name in names:
        spec = REGISTRY[name]
        stage = spec.factory(stage_options(spec, config, overrides), resources)
        if stage is not None:
            stages.append(stage)
    return Pipeline(stages, resources.detector)
