"""The options of one ``mtfix`` run, read once from the parsed command line, and the Config they make."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import mtfix
from mtfix import Config
from mtfix._common import UsageError


@dataclass(frozen=True)
class StageOptions:
    """The switches of the pipeline stages (the "cleaning" group of the parser)."""

    model: str | None  # None: rules only
    prefix: str
    garble_threshold: float
    min_confidence: float
    partial_rewrites: bool
    disabled: frozenset[str]
    mode: str


@dataclass(frozen=True)
class Options:
    """Everything a run of ``mtfix clean`` or ``mtfix check`` needs to know about its command line."""

    command: str  # "clean" or "check"
    paths: tuple[str, ...]  # as given; none: standard input
    globs: tuple[str, ...] | None  # the --glob patterns; None: the engine's default
    input_format: str | None  # "text" or "jsonl"; None: by the file name
    field: str
    skip_bad_lines: bool
    stages: StageOptions
    workers: int  # 0: one per CPU
    batch_size: int
    quiet: bool
    # ``clean`` only (``check`` has the defaults)
    output: str | None  # -o
    in_place: bool
    diff: bool
    backup: str | None
    color: str  # "auto", "always" or "never"
    log: str | None  # --log
    explain: bool
    log_key: str | None  # None: no change log in JSON Lines records
    engine: str  # "local" or "ray"
    address: str | None
    # ``check`` only
    report: str  # "text" or "json"

    @classmethod
    def from_args(cls, ns: argparse.Namespace) -> Options:
        """The options of the namespace of :func:`mtfix.cli.parser.build_parser`; raises :class:`UsageError`."""
        options = cls(
            command=ns.command,
            paths=tuple(ns.paths),
            globs=tuple(ns.glob) if ns.glob else None,
            input_format=ns.input_format,
            field=ns.field,
            skip_bad_lines=ns.skip_bad_lines,
            stages=StageOptions(
                model=None if ns.no_model else (ns.model or mtfix.DEFAULT_MODEL),
                prefix=ns.prefix,
                garble_threshold=ns.garble_threshold,
                min_confidence=ns.min_confidence,
                partial_rewrites=ns.partial_rewrites,
                disabled=frozenset(ns.disable),
                mode=ns.mode,
            ),
            workers=ns.workers,
            batch_size=ns.batch_size,
            quiet=ns.quiet,
            output=ns.output or None,
            in_place=ns.in_place,
            diff=ns.diff,
            backup=ns.backup,
            color=ns.color,
            log=ns.log or None,
            explain=ns.explain,
            log_key=ns.log_key or None,
            engine=ns.engine,
            address=ns.address,
            report=ns.report,
        )
        options._check()
        return options

    def _check(self) -> None:
        if self.workers < 0:
            raise UsageError("--workers must be 0 (one per CPU) or more")
        if self.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        if self.backup is not None and not self.in_place:
            raise UsageError("--backup needs --in-place")
        if self.backup == "":
            raise UsageError("--backup needs a non-empty suffix")
        if self.log and self.diff:
            raise UsageError("--diff writes nothing; drop --log")
        if self.log_key == self.field:
            raise UsageError("--log-key must differ from --field")


def config(options: Options) -> Config:
    """The :class:`mtfix.Config` of the run; raises :class:`UsageError` for settings it refuses."""
    stages = options.stages
    try:
        return Config(
            # ---- pipeline stage switches (keep in step with parser._add_stage_arguments) ----
            model=stages.model,
            prefix=stages.prefix,
            garble_threshold=stages.garble_threshold,
            min_confidence=stages.min_confidence,
            partial_rewrites=stages.partial_rewrites,
            disabled=stages.disabled,
            mode=stages.mode,
            # ---- end of the pipeline stage switches ----
        )
    except ValueError as e:
        raise UsageError(str(e)) from None
