"""Running ``mtfix clean`` and ``mtfix check``: the local engine (events to sinks), the Ray engine, the summary."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mtfix import Config, Result
from mtfix._common import SetupError, UsageError, threads_per_worker
from mtfix.cli.options import Options, config
from mtfix.cli.plan import Job, plan
from mtfix.cli.sinks import FilterSink, ReportSink, Sink, WriteError, sinks_for
from mtfix.cli.stream import Cleaning, Event, Handle, Unit, read_events

if TYPE_CHECKING:
    from mtfix.review import Decisions

EXIT_OK = 0
EXIT_FOUND = 1  # ``check`` found something, or ``clean --diff`` something to change
EXIT_ERROR = 2  # a usage error or a bad input
EXIT_PASSED_THROUGH = 3  # outputs complete, but some records could not be cleaned (passed through or rejected)
EXIT_INTERRUPTED = 130


def execute(options: Options) -> int:
    """Run the command of ``options``; returns the exit status. Raises :class:`UsageError` and
    :class:`SetupError`."""
    if options.command == "apply":
        return execute_apply(options)
    cfg = config(options)
    if options.engine == "ray":
        return execute_ray(options, cfg)
    if options.address:
        raise UsageError("--address needs --engine ray")
    if options.verbose:
        raise UsageError("--verbose needs --engine ray (the local engine has no log of its own to show)")
    workers = options.workers or os.cpu_count() or 1
    if workers > 1:
        cfg = threads_per_worker(cfg, (os.cpu_count() or 1) // workers)  # no oversubscription
    cleaning = Cleaning(cfg, workers)
    run = Run(Console(quiet=options.quiet), rejects=options.dropped if options.command == "filter" else options.rejects)
    if options.skip_bad_lines:
        run.console.warn(
            "--skip-bad-lines is deprecated and drops nothing: records that cannot be cleaned "
            "pass through unchanged (--rejects FILE sets them apart)"
        )
    drive(options, run, cleaning.run)
    if not options.quiet:
        print(run.summary(cleaning.stats()), file=sys.stderr)
        report_lines(run.sinks)
        filter_lines(run.sinks)
    if run.failed:
        return EXIT_ERROR
    if options.command == "filter":
        return EXIT_OK  # a record that cannot be read was dropped with its reason: nothing lost
    if run.found:
        return EXIT_FOUND
    return EXIT_PASSED_THROUGH if run.stats.bad_records else EXIT_OK


def drive(options: Options, run: Run, process: Callable[[Iterator[Event], Callable[..., None]], None]) -> None:
    """Plan the inputs, set up the sinks, and have ``process`` (what cleans, or applies decisions to,
    each block) feed the events to ``run``; an interrupted run leaves no temporary file."""
    try:
        planned = plan(options, run.console.warn)
        run.binary_skipped = planned.binary_skipped
        run.sinks = sinks_for(options, run.stdout)
        process(read_events(planned.jobs, options), run.handle)
        run.finish()
    except BaseException:
        run.abort()
        raise


def report_lines(sinks: list[Sink]) -> None:
    """Where the review report went, and what it left out past its limit."""
    for sink in sinks:
        if isinstance(sink, ReportSink):
            print(f"mtfix: report written to {sink.path}", file=sys.stderr)
            t = sink.truncated
            if t:
                print(
                    f"mtfix: warning: the report stops at its limit of {t['limit']:,} changes and flags: "
                    f"{t['segments']:,} more segments from {t['path']}:{t['line']} on are not in it "
                    "(--report-limit N raises it)",
                    file=sys.stderr,
                )


def filter_lines(sinks: list[Sink]) -> None:
    """``filter``: how many pairs were kept and dropped, and why."""
    for sink in sinks:
        if isinstance(sink, FilterSink):
            kept, dropped = sink.counts["kept"], sink.counts["dropped"]
            why = ", ".join(f"{k} {n:,}" for k, n in sorted(sink.reasons.items(), key=lambda t: (-t[1], t[0])))
            print(f"mtfix: kept {kept:,} pairs, dropped {dropped:,}" + (f" ({why})" if why else ""), file=sys.stderr)


def execute_apply(options: Options) -> int:
    """``mtfix apply``: each input rebuilt from the changes a review kept, once every change listed
    for it is known to match it (else nothing at all is written)."""
    from mtfix.review import Decisions, ReviewError

    assert options.decisions is not None
    try:
        decisions = Decisions.load(options.decisions)
    except ReviewError as e:
        raise UsageError(str(e)) from None
    if not options.paths or "-" in options.paths:
        raise UsageError("mtfix apply needs the files the report was made of, not standard input")
    console = Console(quiet=options.quiet)
    # 1. Check: every change listed for an input was made on it; nothing is written before.
    dry = dataclasses.replace(options, output=None, in_place=False)
    jobs = plan(dry, console.warn).jobs
    errors: list[str] = []
    applying = Applying(decisions, options.pending)
    for event in read_events(jobs, dry):
        if event.kind == "fail":
            errors.append(f"{event.job.name}: {event.message}")
        elif event.kind == "block" and event.units is not None:
            try:
                applying.results(event)
            except ReviewError as e:
                errors.append(str(e))
                event.job.failed = True  # one error a file is enough
    names = [job.name for job in jobs]
    errors += decisions.unused([job.name for job in jobs if not job.failed])
    for name in names:
        if name not in decisions.paths:
            console.warn(f"{name}: {options.decisions} has no change for this file: written as it is")
    missing = sorted(decisions.paths - set(names))
    if missing:
        console.warn(
            f"{options.decisions} also has changes for {', '.join(missing[:5])}"
            f"{' and more' if len(missing) > 5 else ''}, not among the inputs: left alone"
        )
    if errors:
        for e in errors[:20]:
            console.warn(e, level="error")
        if len(errors) > 20:
            console.warn(f"... and {len(errors) - 20:,} more", level="error")
        console.warn("nothing was written", level="error")
        return EXIT_ERROR
    # 2. Write, exactly as clean writes.
    applying = Applying(decisions, options.pending)
    run = Run(console)
    drive(options, run, applying.run)
    if not options.quiet:
        left = applying.left_out
        print(run.summary(None, stages_line=False), file=sys.stderr)
        print(
            f"mtfix:   left out: {_plural(sum(left.values()), 'change')}"
            + (" (" + ", ".join(f"{k} {v:,}" for k, v in left.most_common()) + ")" if left else ""),
            file=sys.stderr,
        )
    return EXIT_ERROR if run.failed else EXIT_OK


class Applying:
    """The results of ``mtfix apply``: each unit's text with the changes its review kept."""

    def __init__(self, decisions: Decisions, pending: str) -> None:
        self.decisions = decisions
        self.pending = pending
        self.left_out: Counter[str] = Counter()  # "rejected", "pending": changes not applied

    def results(self, event: Event) -> list[Result]:
        out = []
        for u in event.units or ():
            if u.text is None or u.error is not None or u.note is not None:
                continue
            r = self.decisions.result(
                event.job.name, u.line, u.column, u.text, pending=self.pending, left=self.left_out
            )
            out.append(r)
        return out

    def run(self, events: Iterator[Event], consume: Callable[[Event, Handle | None], None]) -> None:
        for event in events:
            if event.kind != "block":
                consume(event, None)
                continue
            consume(event, _Ready(self.results(event)))


class _Ready:
    def __init__(self, results: list[Result]) -> None:
        self._results = results

    def get(self) -> list[Result]:
        return self._results


def execute_ray(options: Options, cfg: Config) -> int:
    """``mtfix clean --engine ray``: Parquet and JSON Lines files cleaned with Ray Data into a folder."""
    refused = [
        (options.in_place, "--in-place"),
        (options.diff, "--diff"),
        (options.log, "--log"),
        (options.explain, "--explain"),
        (options.input_format == "text", "--format text"),
    ]
    for given, option in refused:
        if given:
            raise UsageError(f"--engine ray does not support {option}")
    if not options.output:
        raise UsageError("--engine ray needs an output folder: -o OUT")
    from mtfix.integrations import RAY_INSTALL_HINT

    try:
        from mtfix.integrations import ray as ray_engine
    except ImportError:
        raise UsageError(f"--engine ray needs Ray Data, which is not installed; {RAY_INSTALL_HINT}") from None
    try:
        report = ray_engine.clean_files(
            options.paths,
            options.output,
            field=options.field,
            log_key=options.log_key,
            config=cfg,
            address=options.address,
            concurrency=options.workers or None,
            batch_size=options.batch_size,
            globs=options.globs,
            max_line=options.max_line,
            verbose=options.verbose,
        )
    except UsageError:
        raise
    except Exception as e:  # the Ray job failed (e.g. the model could not be loaded): nothing was written
        lines = str(e).strip().splitlines() or [""]
        raise SetupError(f"the Ray job failed: {type(e).__name__}: {lines[-1]}") from None
    for path, line, why in report.warnings:  # as the local engine words them
        print(f"mtfix: warning: {path}: line {line}: {why} (passed through unchanged)", file=sys.stderr)
    if not options.quiet:
        print(report.summary(), file=sys.stderr)
    return EXIT_PASSED_THROUGH if report.bad_records else EXIT_OK


class Console:
    """Standard error: warnings and errors, written around the progress bar (shown on a terminal only)."""

    def __init__(self, *, quiet: bool) -> None:
        self._bar: Any = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(unit=" seg", unit_scale=True, file=sys.stderr, delay=1.0, leave=False)

    def warn(self, message: str, *, level: str = "warning") -> None:
        line = f"mtfix: {level}: {message}"
        if self._bar is not None:
            self._bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)

    def progress(self, units: int) -> None:
        if self._bar is not None:
            self._bar.update(units)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@dataclass
class Stats:
    """Counts of one file, or of the whole run."""

    files: int = 0
    segments: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    bad_records: Counter[str] = field(default_factory=Counter)  # why records could not be cleaned

    def add(self, other: Stats) -> None:
        self.files += other.files
        self.segments += other.segments
        self.changes.update(other.changes)
        self.flags.update(other.flags)
        self.bad_records.update(other.bad_records)


class Run:
    """Consumes the events of a run: passes each file's results to the sinks, fails files, keeps the counts."""

    def __init__(self, console: Console, *, rejects: str | None = None) -> None:
        self.console = console
        self.rejects = rejects
        self.sinks: list[Sink] = []
        self.stdout = sys.stdout.buffer
        self.stats = Stats()
        self.failed: list[str] = []
        self.binary_skipped = 0
        self.started = time.perf_counter()
        self._files: dict[Job, Stats] = {}  # the files being processed

    @property
    def found(self) -> bool:
        """Whether a sink reported something (a finding, a change in a diff)."""
        return any(sink.found for sink in self.sinks)

    def handle(self, event: Event, handle: Handle | None) -> None:
        job = event.job
        if job.failed:
            return
        if event.kind == "fail":
            self.fail(job, event.message)
        elif event.kind == "start":
            self._start(job)
        elif event.kind == "end":
            self._end(job)
        else:
            assert handle is not None and event.units is not None
            try:
                results = handle.get()
            except SetupError:
                raise
            except Exception as e:  # a bug in a fixer: this file fails, the others go on
                self.fail(job, f"internal error while cleaning: {type(e).__name__}: {e}")
                return
            self._block(job, event.units, results)

    def _start(self, job: Job) -> None:
        self._files[job] = Stats()
        self._each_sink(job, lambda sink: sink.start(job))

    def _block(self, job: Job, units: list[Unit], results: list[Result]) -> None:
        stats = self._files[job]
        found = iter(results)
        items: list[tuple[Unit, Result | None]] = []
        for u in units:
            r = None
            if u.error is not None:
                if u.part == 0:  # a record in pieces is one record
                    action = f"written to {self.rejects}" if self.rejects else "passed through unchanged"
                    self.console.warn(f"{job.name}: line {u.line}: {u.error} ({action})")
                    stats.bad_records[_reason_kind(u.error)] += 1
            elif u.note is not None:
                self.console.warn(f"{job.name}: line {u.line}, column {u.column + 1}: {u.note}")
                stats.bad_records[_reason_kind(u.note)] += 1
            elif u.text is not None:
                r = next(found)
                stats.segments += u.part == 0  # a line cleaned in pieces is one segment
                stats.changes.update(c.kind for c in r.changes)
                stats.flags.update(f.kind for f in r.flags)
            items.append((u, r))
        for sink in self.sinks:
            sink.block(job, items)
        self.console.progress(len(units))

    def _end(self, job: Job) -> None:
        if self._each_sink(job, lambda sink: sink.end(job)):
            stats = self._files.pop(job)
            stats.files = 1
            self.stats.add(stats)

    def _each_sink(self, job: Job, step: Callable[[Sink], None]) -> bool:
        """Take ``step`` with every sink, in order; a :class:`WriteError` fails the job and stops there."""
        for sink in self.sinks:
            try:
                step(sink)
            except WriteError as e:
                self.fail(job, str(e))
                return False
        return True

    def fail(self, job: Job, message: str) -> None:
        job.failed = True
        self.failed.append(job.name)
        self.console.warn(f"{job.name}: {message}", level="error")
        self._files.pop(job, None)
        for sink in self.sinks:
            sink.drop(job)

    def finish(self) -> None:
        """Complete the outputs of the run (the change log of the successful files) and flush standard output."""
        for sink in self.sinks:
            sink.finish()
        self.stdout.flush()
        self.console.close()

    def abort(self) -> None:
        """Remove every temporary file of an interrupted run; finished outputs stay."""
        for sink in self.sinks:
            sink.abort()
        self.console.close()

    def summary(self, stages: dict[str, Any] | None = None, *, stages_line: bool = True) -> str:
        """The closing report; ``stages``: :meth:`mtfix.Cleaner.stats` of the run (with ``stages_line``
        false: nothing about the stages, for a run that cleaned nothing)."""
        s = self.stats
        took = time.perf_counter() - self.started
        counts = [
            (s.files, "file"),
            (s.segments, "segment"),
            (sum(s.changes.values()), "change"),
            (sum(s.flags.values()), "flag"),
        ]
        lines = [
            ", ".join(_plural(n, what) for n, what in counts)
            + f", {len(self.failed)} failed in {took:.1f} s ({s.segments / max(took, 1e-9):,.0f} segments/s)"
        ]
        if s.changes:
            lines.append("  changes: " + ", ".join(f"{k} {v:,}" for k, v in s.changes.most_common()))
        if s.flags:
            lines.append("  flags: " + ", ".join(f"{k} {v:,}" for k, v in s.flags.most_common()))
        if s.bad_records:
            where = f"written to {self.rejects}" if self.rejects else "passed through unchanged"
            lines.append(
                f"  {_plural(sum(s.bad_records.values()), 'record')} not cleaned ({where}): "
                + ", ".join(f"{k} {v:,}" for k, v in s.bad_records.most_common())
            )
        if self.binary_skipped:
            lines.append("  skipped: " + _plural(self.binary_skipped, "binary file"))
        if self.failed:
            lines.append("  failed: " + ", ".join(self.failed))
        if stages_line:
            lines += stage_lines(stages or {})
        return "\n".join("mtfix: " + line for line in lines)


def stage_lines(stages: dict[str, Any]) -> list[str]:
    """What the grammar stage and the model did, for the summary."""
    lines = []
    grammar = stages.get("grammar")
    if grammar:
        lines.append(
            f"  grammar (Harper): {_plural(grammar.get('linted', 0), 'sentence')} linted, "
            f"{grammar.get('accepted', 0):,} edits applied, {grammar.get('rejected', 0):,} rejected by the guard, "
            f"{grammar.get('withheld', 0):,} withheld"
            + (f", {grammar['failed']:,} failed" if grammar.get("failed") else "")
        )
    rewrite = stages.get("rewrite")
    if rewrite and stages.get("model"):
        seen = _plural(rewrite.get("sentences", 0), "sentence")
        lines.append(
            f"  model {stages['model']}: {rewrite.get('scored', 0):,} of {seen} "
            f"scored, {rewrite.get('decoded', 0):,} decoded, {rewrite.get('accepted', 0):,} rewrites applied, "
            f"{rewrite.get('rejected', 0):,} rejected"
        )
    elif not stages.get("model"):
        lines.append("  model: none (--model NAME adds one)")
    return lines


def _reason_kind(error: str) -> str:
    """The kind of a record's error, for the summary's counts ('malformed JSON: ...' -> 'malformed JSON')."""
    return error.split(":", 1)[0].split(" at byte offset")[0].split(" (")[0]


def _plural(n: int, what: str) -> str:
    return f"{n:,} {what}{'s' * (n != 1)}"
