"""The options of one ``mtfix`` run, read once from the parsed command line, and the Config they make."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from typing import Any

from mtfix import Config, pipeline
from mtfix._common import UsageError

#: Prefix of the argparse ``dest`` of a switch generated from a stage's options: STAGE__FIELD follows.
STAGE_DEST = "stage__"


@dataclass(frozen=True)
class StageOptions:
    """The switches of the pipeline stages (the "cleaning" group of the parser)."""

    model: str | None  # None: no model
    prefix: str
    disabled: frozenset[str]
    mode: str
    dictionary: str | None = None  # --dictionary FILE
    # the switches generated from the stages' options: (stage, field, value) of those given
    settings: tuple[tuple[str, str, Any], ...] = ()
    # plug-in stages turned on (True) or off (False)
    toggles: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class Options:
    """Everything a run of ``mtfix clean``, ``check``, ``report`` or ``apply`` needs to know about its command line."""

    command: str  # "clean", "check", "report" or "apply"
    paths: tuple[str, ...]  # as given; none: standard input
    globs: tuple[str, ...] | None  # the --glob patterns; None: the engine's default
    input_format: str | None  # "text", "jsonl", "tsv", "xliff", "po", "tmx"; None: by the file name
    field: str
    skip_bad_lines: bool
    stages: StageOptions
    workers: int  # 0: one per CPU
    batch_size: int
    max_line: int  # bytes; 0: no limit
    quiet: bool
    # ``clean`` only (``check`` has the defaults)
    output: str | None  # -o
    in_place: bool
    diff: bool
    backup: str | None
    color: str  # "auto", "always" or "never"
    log: str | None  # --log
    rejects: str | None  # --rejects
    explain: bool
    log_key: str | None  # None: no change log in JSON Lines records
    engine: str  # "local" or "ray"
    address: str | None
    verbose: bool  # --engine ray: Ray's own logging
    # ``check`` only
    report: str  # "text" or "json"
    # the review report (``report``, ``clean --report``) and ``apply``
    html_report: str | None = None
    report_title: str | None = None
    report_limit: int | None = None
    decisions: str | None = None  # apply --decisions
    pending: str = "accept"  # apply --pending
    # bitext
    source_field: str | None = None  # JSON Lines
    source_column: int | None = None  # TSV, 1-based
    target_column: int | None = None
    target_lang: str = "en"  # TMX
    # ``filter``
    kept: str | None = None
    dropped: str | None = None
    drop: frozenset[str] = frozenset()  # the kinds that drop a pair

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
                model=None if ns.no_model else ns.model,
                prefix=ns.prefix,
                disabled=frozenset(ns.disable),
                mode=ns.mode,
                dictionary=ns.dictionary,
                **_generated(ns),
            ),
            workers=ns.workers,
            batch_size=ns.batch_size,
            max_line=ns.max_line,
            quiet=ns.quiet,
            output=ns.output or None,
            in_place=ns.in_place,
            diff=ns.diff,
            backup=ns.backup,
            color=ns.color,
            log=ns.log or None,
            rejects=ns.rejects or None,
            explain=ns.explain,
            log_key=ns.log_key or None,
            engine=ns.engine,
            address=ns.address,
            verbose=ns.verbose,
            report=ns.report,
            # (not every command has these)
            html_report=getattr(ns, "html_report", None) or None,
            report_title=getattr(ns, "report_title", None),
            report_limit=getattr(ns, "report_limit", None),
            decisions=getattr(ns, "decisions", None),
            pending=getattr(ns, "pending", "accept"),
            source_field=ns.source_field,
            source_column=ns.source_column,
            target_column=ns.target_column or (2 if ns.source_column == 1 else 1),
            target_lang=ns.target_lang,
            kept=getattr(ns, "kept", None),
            dropped=getattr(ns, "dropped", None),
            drop=frozenset(getattr(ns, "drop", None) or ()),
        )
        options._check()
        return options

    def _check(self) -> None:
        if self.workers < 0:
            raise UsageError("--workers must be 0 (one per CPU) or more")
        if self.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        if 0 < self.max_line < 4096:
            raise UsageError("--max-line must be 0 (no limit) or at least 4096 bytes")
        if self.backup is not None and not self.in_place:
            raise UsageError("--backup needs --in-place")
        if self.backup == "":
            raise UsageError("--backup needs a non-empty suffix")
        if self.log and self.diff:
            raise UsageError("--diff writes nothing; drop --log")
        if self.log_key == self.field:
            raise UsageError("--log-key must differ from --field")
        if self.rejects and self.diff:
            raise UsageError("--diff writes nothing; drop --rejects")
        if self.report_limit is not None and self.report_limit < 1:
            raise UsageError("--report-limit must be at least 1")
        if self.html_report and self.diff:
            raise UsageError("--diff writes nothing; drop --report")
        if self.html_report and self.engine == "ray":
            raise UsageError("--engine ray does not support --report (write the report with the local engine)")
        if self.source_column is not None and self.source_column == self.target_column:
            raise UsageError("--source-column and --target-column name the same column")
        bitext = self.source_field or self.source_column or self.input_format in ("tsv", "xliff", "po", "tmx")
        if bitext and self.engine == "ray":
            raise UsageError("--engine ray reads text, JSON Lines and Parquet only (no source beside the target)")
        if self.rejects and self.engine == "ray":
            raise UsageError("--engine ray does not support --rejects (records that cannot be cleaned pass through)")


def _generated(ns: argparse.Namespace) -> dict[str, Any]:
    """The values of the switches the parser generated from the stages' options, those given."""
    settings, toggles = [], []
    for dest, value in sorted(vars(ns).items()):
        if not dest.startswith(STAGE_DEST) or value is None:
            continue
        stage, _, name = dest[len(STAGE_DEST) :].partition("__")
        if name:
            settings.append((stage, name, value))
        else:
            toggles.append((stage, value))
    return {"settings": tuple(settings), "toggles": tuple(toggles)}


def config(options: Options) -> Config:
    """The :class:`mtfix.Config` of the run; raises :class:`UsageError` for settings it refuses.

    A generated switch of a built-in stage sets the :class:`~mtfix.Config` field of its name; one of
    a plug-in stage goes to ``Config.options``.
    """
    stages = options.stages
    flat: dict[str, Any] = {}
    plugin: dict[str, dict[str, Any]] = {}
    for stage, name, value in stages.settings:
        if not pipeline.REGISTRY[stage].toggle and name in _CONFIG_FIELDS:
            flat[name] = value
        else:
            plugin.setdefault(stage, {})[name] = value
    words: frozenset[str] = frozenset()
    if stages.dictionary:
        from mtfix.grammar import read_dictionary

        try:
            words = read_dictionary(stages.dictionary)
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"--dictionary {stages.dictionary}: {getattr(e, 'strerror', None) or e}") from None
    on = [name for name, enabled in stages.toggles if enabled]
    off = [name for name, enabled in stages.toggles if not enabled]
    try:
        return Config(
            # ---- pipeline stage switches (keep in step with parser._add_stage_arguments) ----
            model=stages.model,
            prefix=stages.prefix,
            disabled=stages.disabled,
            mode=stages.mode,
            dictionary=words,
            # ---- end of the pipeline stage switches ----
            **flat,
            stages=pipeline.with_stages(on, off) if stages.toggles else None,
            options=plugin,
        )
    except (TypeError, ValueError) as e:
        raise UsageError(str(e)) from None


_CONFIG_FIELDS = frozenset(f.name for f in dataclasses.fields(Config))
