"""mtfix: find and repair the damage machine translation leaves in English text.

>>> import mtfix
>>> result = mtfix.clean("Kim Jong -un arrived.He left.", model=None)
>>> result.text
'Kim Jong-un arrived. He left.'
>>> [c.kind for c in result.changes]
['spacing.hyphen', 'spacing.sentence']

The pipeline (:mod:`mtfix.pipeline`) runs these stages, one module each, in this order:

0. ``qa`` (:mod:`mtfix.qa`, only with a source segment: bitext, XLIFF, PO, TMX): the bilingual checks
   (numbers, placeholders, tags, URLs, untranslated, length, ...) as flags, and the repairs the source
   settles;
1. ``repair`` (:mod:`mtfix.repair`): the fixers of :mod:`mtfix.fixers` mend mechanical damage, and
   the evidence mode withholds a lone repair of a slip human writers make too (a ``rule.withheld``
   flag), unless the detector also finds its sentence garbled;
2. ``detect`` (:mod:`mtfix.detect`): untranslated passages (flagged), and with a model the sentences
   a cheap signal marks for it (a rule repair, a word outside the lexicon);
3. ``grammar`` (:mod:`mtfix.grammar`): Harper proposes grammar and spelling fixes, mtfix judges them
   (never names, terms or placeholders; only the rules that earned their place; the evidence mode);
4. ``rewrite`` (:mod:`mtfix.rewrite`, only with a model, ``model="default"`` for the shipped one): the
   detector scores the marked sentences and the seq2seq model rewrites those it finds garbled.

The edits of the grammar and rewrite stages pass the pipeline's guard (:mod:`mtfix.guard`) or become
flags.

The pipeline logs every edit in the original's coordinates (:mod:`mtfix.changes`); sentences and
protected spans come from :mod:`mtfix.segment`.
"""

from __future__ import annotations

import dataclasses
import gc
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

from mtfix.changes import Change, Flag, Result, apply_changes, make_result, unchanged
from mtfix.fixers import names as fixer_names
from mtfix.pipeline import REGISTRY as _STAGES
from mtfix.pipeline import Pipeline, Resources, default_stages, load_plugins
from mtfix.repair import MODES

# The built-in stages register themselves on import (torch is imported only with a model).
from mtfix import detect as _detect, grammar as _grammar, qa as _qa, rewrite as _rewrite  # noqa: F401  isort: skip

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_MODEL",
    "MODES",
    "Change",
    "Cleaner",
    "Config",
    "Flag",
    "Result",
    "__version__",
    "apply_changes",
    "clean",
    "default_stages",
    "fixer_names",
]

#: Sentinel for "the model shipped with mtfix" (``mtfix/models/``).
DEFAULT_MODEL = "default"


@dataclass(frozen=True)
class Config:
    """Immutable configuration of a :class:`Cleaner`. Derive variants with :meth:`replace`.

    ``disabled`` names fixers to turn off (see :func:`mtfix.fixer_names`); ``model`` is ``None``
    (the default: rules and grammar, torch is never imported), :data:`DEFAULT_MODEL` for the model
    shipped with mtfix, or a local folder or Hugging Face name of a seq2seq model; ``prefix`` is an
    instruction prepended to each sentence for instruction-tuned editors (e.g. ``"Fix grammatical
    errors in this sentence: "``).

    ``mode`` says how much evidence a rule repair needs. Two or more repairs on a line (segment) are
    evidence of machine translation, and every mode applies them. A repair alone on its line:

    - ``"standard"`` (default) applies it unless it mends a slip human writers make as often as MT
      systems do (a doubled word, 'forgotten. .', a stray space before a comma or closing bracket,
      'tribal- related'; measured on the WMT21 references against the system outputs);
    - ``"strict"`` applies it only if no typist makes that damage (mojibake, full-width
      punctuation): for text that mixes human and machine translation, at the cost of recall;
    - ``"thorough"`` applies every repair.

    A repair not applied is reported as a ``rule.withheld`` flag with its message, for a reviewer.

    ``stages`` names the stages to run, in order (None: :func:`mtfix.default_stages`); a stage left
    out does not run. ``options`` maps a stage's name to its options (an instance of its options
    dataclass, or a dict of its fields): for a stage registered with :func:`mtfix.pipeline.register`.
    The fields above are the options of the built-in stages.
    """

    disabled: frozenset[str] = field(default_factory=frozenset)
    # The grammar stage (mtfix.grammar): Harper proposes, mtfix judges. ``dictionary``: words no
    # stage that guesses may touch (the grammar stage; the user's own terms and names).
    grammar: bool = True
    dialect: str = "american"
    dictionary: frozenset[str] = field(default_factory=frozenset)
    detect_untranslated: bool = True
    use_langdetect: bool = True
    max_passes: int = 3
    mode: str = "standard"
    # HTML entities (mtfix.repair.ENTITY_POLICIES): "auto" never turns an escaped '<', '>' or '&' into
    # live markup; "decode" decodes every one; "keep" leaves the text escaped.
    entities: str = "auto"
    # The shipped model is opt-in (model="default"): on the default path it changed nothing for the
    # better at 34 times the cost (JFLEG dev +0.00 GLEU, MLQE-PE dev -0.013 TER, 20 more of the 10,950
    # WMT21 references changed; 0.87 against 0.026 MB/s: benchmarks/results/grammar.md).
    model: str | None = None
    prefix: str = ""
    # Rewriter settings (used only when ``model`` is not None).
    # Defaults chosen on MLQE-PE ro-en and et-en dev (benchmarks/tune_rewriter.py,
    # benchmarks/results/tune_rewriter.json): the lowest TER that beats the rules alone, and among
    # equal settings the highest thresholds (with today's rules, confidence 0.85 and 0.9 tie). The
    # shipped model proposes many rewrites that the post-editors did not want; only those it is very
    # sure of are applied, the rest become flags.
    garble_threshold: float = 0.8
    # A slip the standard mode withholds is applied where the detector scores its sentence at least
    # this garbled: the repair itself is almost always right (every one on the WMT21 references was),
    # the question is only whether the text is MT, so the detector's midpoint, not the decoder's bar.
    confirm_threshold: float = 0.5
    min_confidence: float = 0.85
    max_edit_ratio: float = 0.35
    # Send every sentence to the model, not only those a cheap signal marks (a rule repair, a word
    # outside the lexicon, a grammar edit): slow, for a model of the user's own.
    every_sentence: bool = False
    # A rewrite the guard rejects (a content word changed) may still carry grammar repairs it
    # admits one by one: with this on, those are applied and the rest flagged.
    partial_rewrites: bool = False
    # 16 rather than 32: on 2 cores as fast or faster, and the logits of a batch (sentences x tokens x
    # vocabulary) set the peak of memory (benchmarks/results/model.md).
    batch_size: int = 16
    num_beams: int = 1
    quantize: bool = True
    threads: int | None = None
    stages: tuple[str, ...] | None = None
    options: Any = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "disabled", frozenset(self.disabled))
        object.__setattr__(self, "dictionary", frozenset(self.dictionary))
        if self.stages is not None:
            object.__setattr__(self, "stages", tuple(self.stages))
        given = dict(self.options)
        unknown = sorted(set(given).union(self.stages or ()) - set(_STAGES))
        if unknown:
            load_plugins()
            unknown = sorted(set(given).union(self.stages or ()) - set(_STAGES))
        if unknown:
            raise ValueError(f"unknown stage(s) {unknown}; known: {sorted(_STAGES)}")
        # Stored as a sorted tuple of (name, options instance or sorted (field, value) pairs): hashable,
        # like the rest of Config. A dict's fields override those the flat fields give the stage.
        resolved: dict[str, Any] = {}
        for n, v in given.items():
            if isinstance(v, _STAGES[n].options):
                resolved[n] = v
                continue
            v = dict(v)
            _STAGES[n].options(**v)  # checks the names and values now, not at the first clean
            resolved[n] = tuple(sorted(v.items()))
        object.__setattr__(self, "options", tuple(sorted(resolved.items())))
        unknown = self.disabled - set(fixer_names())
        if unknown:
            raise ValueError(f"unknown fixer(s) {sorted(unknown)}; known: {list(fixer_names())}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; known: {', '.join(MODES)}")
        if self.max_passes < 1:
            raise ValueError("max_passes must be at least 1")
        from mtfix.grammar import DIALECTS

        if self.dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {self.dialect!r}; known: {', '.join(DIALECTS)}")

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


class Cleaner:
    """Holds a :class:`Config` and anything expensive (the model), for reuse over many texts."""

    def __init__(self, config: Config | None = None, **options: Any) -> None:
        config = config or Config()
        self.config = config.replace(**options) if options else config
        self._pipeline: Pipeline | None = None
        self._model: Any = None

    def load(self) -> Cleaner:
        """Load the model and whatever the stages prepare (Harper's dictionaries, word frequencies,
        language profiles) now rather than on first use; a missing model fails here, up front."""
        for stage in self.pipeline.stages:
            load = getattr(stage, "load", None)
            if callable(load):
                load()
        return self

    @property
    def model(self) -> Any:
        """The loaded model (:class:`mtfix.rewrite.Rewriter`), or None without one."""
        _ = self.pipeline
        return self._model

    @property
    def pipeline(self) -> Pipeline:
        """The stages this configuration runs, built (and the model loaded) on first use."""
        if self._pipeline is None:
            from mtfix.detect import Detector
            from mtfix.pipeline import build

            if self.config.model is not None:
                from mtfix.rewrite import load_rewriter

                self._model = load_rewriter(self.config)
            self._pipeline = build(self.config, Resources(self._model, Detector(self._model)))
        return self._pipeline

    def stats(self) -> dict[str, Any]:
        """What the stages did so far, for a report: per stage that counts (the grammar and rewrite
        stages), its counters and the pipeline's (``accepted``, ``rejected``, ``withheld`` edits); and
        ``model``, the model that ran (None: none)."""
        out: dict[str, Any] = {"model": getattr(self._model, "name", None)}
        pipeline = self._pipeline
        for stage in pipeline.stages if pipeline is not None else []:
            counts = {**getattr(stage, "stats", {}), **(pipeline.counts.get(stage.name, {}) if pipeline else {})}
            if counts:
                out[stage.name] = counts
        return out

    def clean(self, text: str, *, source: str | None = None, protected: Iterable[tuple[int, int]] = ()) -> Result:
        """Clean one text; see :func:`mtfix.clean`. ``source`` is the segment ``text`` translates, when
        there is one (the bilingual checks compare the two; the guard keeps what the source has);
        ``protected`` lists spans ``(start, end)`` of ``text`` no stage may touch, besides the
        placeholders, tags, URLs and code :func:`mtfix.segment.protected_spans` finds."""
        if not isinstance(text, str) or not (source is None or isinstance(source, str)):
            return self.clean_batch([text], sources=None if source is None else [source])[0]  # the TypeError
        run = self.pipeline.run
        # what clean_batch([text]) returns, without the batch's bookkeeping
        if len(text) < 10_000:
            return run(text) if source is None and not protected else run(text, source, protected)
        with _gc_paused():  # a long text can make a change every few characters: objects by the million
            return run(text, source, protected)

    def clean_batch(
        self,
        texts: Iterable[str],
        *,
        sources: Iterable[str | None] | None = None,
        protected: Iterable[Iterable[tuple[int, int]]] | None = None,
    ) -> list[Result]:
        """Clean many texts at once: faster than one by one, and model rewrites are batched.

        The texts are cleaned as one text joined by line breaks, which is exact: no stage edits or
        looks across a line break, so every change and flag falls inside one of the texts. With
        ``sources`` (one per text, or None for a text without one) each pair is cleaned on its own;
        ``protected`` gives each text's protected spans (see :meth:`clean`).
        """
        texts = list(texts)
        source_list = None if sources is None else list(sources)
        spans = None if protected is None else [list(p) for p in protected]
        for name, extra in (("sources", source_list), ("protected", spans)):
            if extra is not None and len(extra) != len(texts):
                raise ValueError(f"clean_batch: {len(extra)} {name} for {len(texts)} texts")
        for i, source in enumerate(source_list or ()):
            if source is not None and not isinstance(source, str):
                raise TypeError(f"mtfix.clean expects a str source, got {type(source).__name__} (item {i})")
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(
                    f"mtfix.clean expects str, got {type(text).__name__}"
                    + (f" (item {i} of the batch)" if i else "")
                    + "; decode bytes first, e.g. data.decode('utf-8')"
                )
        if not texts:
            return []
        if source_list is not None and any(s is not None for s in source_list):
            run = self.pipeline.run
            with _gc_paused() if len(texts) >= 1000 else nullcontext():
                return [run(t, s, p) for t, s, p in zip(texts, source_list, spans or [()] * len(texts), strict=True)]
        for i, (text, own) in enumerate(zip(texts, spans or (), strict=False)):
            for a, b in own:
                if not 0 <= a <= b <= len(text):
                    raise ValueError(f"protected span ({a}, {b}) is outside text {i} (length {len(text)})")
        with _gc_paused() if len(texts) >= 1000 else nullcontext():
            # The per-call fast path first: a text in which no stage could change, flag or find anything
            # comes back as it is, and only the others are joined and cleaned together.
            quiet = self.pipeline.quiet
            busy = [i for i, text in enumerate(texts) if text and not quiet(text)]
            if not busy:
                return list(map(unchanged, texts))
            picked = [texts[i] for i in busy]
            given = [
                (offset + a, offset + b)
                for offset, i in zip(_offsets(picked), busy, strict=True)
                for a, b in (spans[i] if spans is not None else ())
            ]
            run = self.pipeline.run
            cleaned = _split(run("\n".join(picked), None, given) if given else run("\n".join(picked)), picked)
            if len(busy) == len(texts):
                return cleaned
            out = list(map(unchanged, texts))
            for i, result in zip(busy, cleaned, strict=True):
                out[i] = result
            return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large batch builds its results.

    A batch makes a few objects per text (results, change lists) and no reference cycles; with the
    collector on, that allocation burst sets off collections that rescan everything alive, about a
    tenth of the time of a corpus pass. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _split(joined: Result, texts: list[str]) -> list[Result]:
    """Cut the result of cleaning ``"\\n".join(texts)`` back into one result per text."""
    if len(texts) == 1:
        return [joined]
    starts = _offsets(texts)
    changes: list[list[Change]] = [[] for _ in texts]
    flags: list[list[Flag]] = [[] for _ in texts]
    for c in joined.changes:
        i = bisect_right(starts, c.start) - 1
        changes[i].append(dataclasses.replace(c, start=c.start - starts[i], end=c.end - starts[i]))
    for f in joined.flags:
        i = bisect_right(starts, f.start) - 1
        flags[i].append(dataclasses.replace(f, start=f.start - starts[i], end=f.end - starts[i]))
    outputs = joined.text.split("\n")
    if len(outputs) != len(texts) or joined.original.count("\n") != len(texts) - 1:
        # a text has line breaks of its own: rebuild each output from its changes
        outputs = [apply_changes(text, ch) for text, ch in zip(texts, changes, strict=True)]
    return list(map(make_result, texts, outputs, changes, flags))


def _offsets(texts: list[str]) -> list[int]:
    """Where each text starts in ``"\n".join(texts)``."""
    return [0, *accumulate(len(t) + 1 for t in texts)][:-1]


@lru_cache(maxsize=8)
def _cleaner(config: Config) -> Cleaner:
    return Cleaner(config)


def clean(
    text: str,
    model: str | None = None,
    *,
    source: str | None = None,
    protected: Iterable[tuple[int, int]] = (),
    **options: Any,
) -> Result:
    """Clean machine-translated English ``text``: repair mechanical damage, rewrite garbled passages.

    ``model=None`` (the default) runs the rules and the grammar stage (no torch import);
    ``model="default"`` adds the shipped model. Other keyword options are fields of
    :class:`Config`. The :class:`Cleaner` behind a configuration is cached and reused. ``source``
    and ``protected``: see :meth:`Cleaner.clean`.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"mtfix.clean expects str, got {type(text).__name__}; decode bytes first, e.g. data.decode('utf-8')"
        )
    return _cleaner(Config(model=model, **options)).clean(text, source=source, protected=protected)
