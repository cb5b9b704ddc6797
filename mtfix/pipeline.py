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
- keeping each stage's own ``source`` on its changes.

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
from mtfix.changes import Change, ChangeLog, Edit, Flag, Result


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


class Document:
    """The text as the stages so far left it, read-only for the stages.

    ``text`` is the current text, ``changes`` the changes so far (original coordinates),
    :meth:`change_spans` where each lies in the current text, :meth:`findings` what earlier stages
    found, in current coordinates. ``detector`` is the detector the pipeline was built with
    (:class:`mtfix.detect.Detector`), for a stage that needs a second opinion on a sentence.
    """

    def __init__(self, log: ChangeLog, detector: Any = None) -> None:
        self._log = log
        self._findings: list[Finding] = []
        self.detector = detector

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
    ``guard`` is None, or the policy under which the pipeline judges each of its edits."""

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
    """The options of ``spec``: its defaults, then fields of the same name on ``flat`` (the
    :class:`mtfix.Config` of the built-in stages), then ``overrides[spec.name]`` (an options
    instance, or a dict of fields)."""
    names = {f.name for f in dataclasses.fields(spec.options)}
    values = {n: getattr(flat, n) for n in names if hasattr(flat, n)}
    given = overrides.get(spec.name)
    if isinstance(given, spec.options):
        return given
    if given is not None:
        unknown = set(given) - names
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} for stage {spec.name!r}; known: {sorted(names)}")
        values.update(given)
    return spec.options(**values)


def _load_builtin() -> None:
    # The built-in stages register themselves on import.
    import mtfix.detect
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

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def run(self, text: str) -> Result:
        log = ChangeLog(text)
        if not text:
            return Result(text, text)
        doc = Document(log, self.detector)
        flags: list[Flag] = []
        for stage in self.stages:
            proposal = stage.propose(doc)
            edits = [e._replace(source=stage.source) for e in proposal.edits]
            stage_flags = list(proposal.flags)
            if stage.guard is not None:
                edits, rejected = judge(log.text, edits, stage.guard)
                stage_flags += rejected
            flags += [_flag_to_original(f, log) for f in stage_flags]
            # findings are kept in current coordinates: moved along with this stage's edits
            kept = [*doc._findings, *proposal.findings]
            before = _usable(edits)
            log.apply(before)
            doc._findings = _shift(kept, before)
        return Result(log.original, log.text, log.changes, sorted(flags, key=lambda f: (f.start, f.end)))


def judge(text: str, edits: Iterable[Edit], policy: GuardPolicy) -> tuple[list[Edit], list[Flag]]:
    """Guard each edit of a guarded stage: ``text[e.start:e.end]`` replaced by ``e.after``.

    An accepted replacement becomes the word edits that make it; a rejected one becomes a flag over
    the passage (in ``text`` coordinates) that says why, and with ``policy.partial`` the word edits
    the guard admits one by one are applied all the same.
    """
    out: list[Edit] = []
    flags: list[Flag] = []
    for e in edits:
        before = text[e.start : e.end]
        verdict = guard.check(
            before, e.after, e.confidence, min_confidence=policy.min_confidence, max_edit_ratio=policy.max_edit_ratio
        )
        label = e.source
        if verdict.ok:
            out += guard.word_edits(before, e.after, e.start, e.confidence, kind=e.kind, source=label)
            continue
        part = before
        if policy.partial and e.confidence >= policy.min_confidence:
            part = guard.admissible_part(
                before,
                e.after,
                lambda r, b=before, c=e.confidence: (
                    guard.check(b, r, c, min_confidence=policy.min_confidence, max_edit_ratio=policy.max_edit_ratio).ok
                ),
            )
        who = label[:1].upper() + label[1:]
        if part != before:
            out += guard.word_edits(before, part, e.start, e.confidence, kind=e.kind, source=label)
            message = f"{who} suggests {e.after!r}; applied only as {part!r}, the rest not because {verdict.reason}."
        else:
            message = f"{who} suggests {e.after!r}; not applied because {verdict.reason}."
        flags.append(Flag(e.start, e.end, policy.rejected_kind, message, round(e.confidence, 4)))
    return out, flags


def _usable(edits: list[Edit]) -> list[Edit]:
    """The edits sorted; overlapping edits are a stage's bug, reported as such by ChangeLog.apply."""
    return sorted(edits, key=lambda e: (e.start, e.end))


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
