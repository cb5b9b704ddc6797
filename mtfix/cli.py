"""The ``mtfix`` command line: ``mtfix clean`` repairs files, folders or stdin; ``mtfix check`` lints.

Inputs are streamed in blocks of lines (``--batch-size``); each line of a text file, or the text
field of each JSON Lines record, is one unit cleaned by :meth:`mtfix.Cleaner.clean_batch`. Blocks go
to ``--workers`` processes and come back in input order, with a bounded number in flight, so memory
stays bounded whatever the size of the input. Every file written (outputs, in-place rewrites, the
change log) is written under a temporary name and renamed into place once complete.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from shutil import copyfileobj
from typing import IO, Any, BinaryIO, Protocol

import mtfix
from mtfix import Cleaner, Config, Result
from mtfix.io import AtomicFile, InputError, Record, decode_line, looks_binary, parse_record, raw_lines

EXIT_OK = 0
EXIT_FOUND = 1  # ``check`` found something
EXIT_ERROR = 2  # a usage error or a bad input
EXIT_INTERRUPTED = 130

DEFAULT_GLOBS = ("*.txt", "*.jsonl")

_EXIT_STATUS = """\
exit status:
  0    success (check: nothing to change or flag)
  1    check found something to change or flag
  2    a usage error, or a bad input: missing or unreadable file, invalid UTF-8,
       malformed JSON line, unwritable output; the other inputs are still processed
  130  interrupted (no partial output is left behind)
"""

_EPILOG = f"""\
examples:
  mtfix clean --no-model article.txt               clean one file to standard output
  mtfix clean --no-model < in.txt > out.txt        standard input to standard output
  mtfix clean --no-model corpus/ -o cleaned/       mirror a folder tree (*.txt, *.jsonl)
  mtfix clean --no-model --in-place --backup .orig notes.txt
  mtfix clean --no-model data.jsonl --field body -o out.jsonl
  mtfix clean --no-model corpus/ -o out/ --log changes.jsonl --workers 4
  mtfix clean --no-model --diff article.txt        show what would change, write nothing
  mtfix check --no-model docs/                     lint: path:line:col: kind: message
  python -m mtfix ...                              the same

{_EXIT_STATUS}"""


class UsageError(Exception):
    """A problem with the command line as a whole: one line on stderr, exit status 2."""


class SetupError(Exception):
    """The cleaner could not be built (e.g. the model failed to load): the run stops."""


class _Terminated(BaseException):
    """Raised by the SIGTERM handler so that temporary files are cleaned up on the way out."""


# --------------------------------------------------------------------------------------- arguments


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mtfix`` (subcommands ``clean`` and ``check``)."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="mtfix",
        description="Find and repair the damage machine translation leaves in English text.",
        epilog=_EPILOG,
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"mtfix {mtfix.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("paths", nargs="*", metavar="PATH", help="files or folders; '-' or nothing: standard input")
    common.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help=f"file names to take from folders (repeatable; default: {' '.join(DEFAULT_GLOBS)})",
    )
    common.add_argument("--field", default="text", help="JSON Lines: the field to clean (default: text)")
    common.add_argument(
        "--skip-bad-lines",
        action="store_true",
        help="JSON Lines: drop malformed records (reported on stderr) instead of failing the file",
    )
    model = common.add_argument_group("cleaning")
    which = model.add_mutually_exclusive_group()
    which.add_argument("--model", metavar="PATH_OR_NAME", help="seq2seq rewriter: a local folder or Hugging Face name")
    which.add_argument("--no-model", action="store_true", help="rules only (no model, no torch)")
    model.add_argument("--prefix", default="", help="instruction prepended to each sentence for the model")
    defaults = Config()
    model.add_argument(
        "--garble-threshold",
        type=_unit_interval,
        default=defaults.garble_threshold,
        metavar="SCORE",
        help="detector score (0-1) a sentence needs to reach the decoder; tune it for a model of your own "
        f"(default {defaults.garble_threshold})",
    )
    model.add_argument(
        "--min-confidence",
        type=_unit_interval,
        default=defaults.min_confidence,
        metavar="P",
        help=f"model confidence (0-1) a rewrite needs to be applied (default {defaults.min_confidence})",
    )
    model.add_argument(
        "--partial-rewrites",
        action="store_true",
        help="apply the word edits of a rejected rewrite that the guard admits one by one; flag the rest",
    )
    model.add_argument(
        "--disable",
        action="append",
        default=[],
        choices=mtfix.fixer_names(),
        metavar="FIXER",
        help="turn a fixer off (repeatable): " + ", ".join(mtfix.fixer_names()),
    )
    evidence = model.add_mutually_exclusive_group()
    evidence.add_argument(
        "--mode",
        choices=mtfix.MODES,
        default="standard",
        help="how much evidence a rule repair needs: 'standard' (default) withholds a repair alone on its "
        "line that mends a slip human writers make too ('the the'); 'strict' withholds every lone repair "
        "but mojibake and full-width punctuation; 'thorough' applies all. Withheld repairs become flags",
    )
    evidence.add_argument("--strict", dest="mode", action="store_const", const="strict", help="--mode strict")
    evidence.add_argument("--thorough", dest="mode", action="store_const", const="thorough", help="--mode thorough")
    run = common.add_argument_group("running")
    run.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (0: one per CPU; default 1)")
    run.add_argument(
        "--batch-size",
        type=int,
        default=256,
        metavar="N",
        help="lines per block sent to a worker (default 256)",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")

    clean = sub.add_parser(
        "clean",
        parents=[common],
        formatter_class=fmt,
        help="repair files, folders or standard input",
        description="Repair files, folders or standard input.\n\n"
        "Each line of a text file, or the --field of each JSON Lines record, is cleaned on its own.\n"
        "A record keeps every other byte as it was and gains its change log under --log-key.\n"
        "Files are written under a temporary name and renamed into place once complete.",
        epilog=_EPILOG,
    )
    clean.add_argument(
        "--format",
        dest="input_format",
        choices=("text", "jsonl"),
        help="input and output format (default: jsonl for *.jsonl, else text)",
    )
    out = clean.add_mutually_exclusive_group()
    out.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file; a folder (mirroring the input tree) for a folder or several inputs",
    )
    out.add_argument("--in-place", action="store_true", help="rewrite the input files (atomically)")
    out.add_argument("--diff", action="store_true", help="print a unified diff of what would change")
    clean.add_argument("--backup", metavar="SUFFIX", help="with --in-place: keep each original as PATH+SUFFIX")
    clean.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the --diff (default: auto, on a terminal)",
    )
    clean.add_argument(
        "--log",
        metavar="FILE",
        help="write the change log as JSON Lines: one record (path, line, changes, flags) per line "
        "cleaned; its changes replayed on the input line give the output line",
    )
    clean.add_argument(
        "--explain",
        action="store_true",
        help="also print a readable change log on standard error: path:line:col: kind 'before' -> 'after'",
    )
    clean.add_argument(
        "--log-key",
        default="mtfix",
        help="JSON Lines: the key of each record's change log (default: mtfix; '' for none)",
    )
    _add_engine_arguments(clean)

    check = sub.add_parser(
        "check",
        parents=[common],
        formatter_class=fmt,
        help="report what clean would change and what it flags, like a linter",
        description="Report what 'mtfix clean' would change and what it flags, one finding a line:\n"
        "  path:line:col: kind: message\n"
        "(1-based line and column; the column counts characters of the line or the record's text).",
        epilog=_EXIT_STATUS,
    )
    check.add_argument("--input-format", choices=("text", "jsonl"), help="default: jsonl for *.jsonl, else text")
    check.add_argument(
        "--format",
        dest="report",
        choices=("text", "json"),
        default="text",
        help="json: one JSON object per finding (path, line, column, type and the change or flag)",
    )
    return parser


def _add_engine_arguments(clean: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--address`` of ``mtfix clean`` (see :func:`_execute_ray`)."""
    engine = clean.add_argument_group("engine")
    engine.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: this machine (default); ray: Ray Data, for *.parquet and *.jsonl inputs and an output "
        "folder (-o); --workers N: N cleaning actors, 0: up to one per CPU of the cluster "
        "(needs: pip install 'mtfix[ray]')",
    )
    engine.add_argument(
        "--address",
        metavar="ADDR",
        help="with --engine ray: the Ray cluster to use ('auto', HOST:6379, ray://HOST:10001); "
        "default: $RAY_ADDRESS, else a local Ray instance",
    )


def _unit_interval(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return x


def _config(args: argparse.Namespace) -> Config:
    model = None if args.no_model else (args.model or mtfix.DEFAULT_MODEL)
    try:
        return Config(
            disabled=frozenset(args.disable),
            model=model,
            prefix=args.prefix,
            mode=args.mode,
            garble_threshold=args.garble_threshold,
            min_confidence=args.min_confidence,
            partial_rewrites=args.partial_rewrites,
        )
    except ValueError as e:
        raise UsageError(str(e)) from None


def _check_args(args: argparse.Namespace) -> None:
    if args.workers < 0:
        raise UsageError("--workers must be 0 (one per CPU) or more")
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if args.command != "clean":
        return
    if args.backup is not None and not args.in_place:
        raise UsageError("--backup needs --in-place")
    if args.backup == "":
        raise UsageError("--backup needs a non-empty suffix")
    if args.log and args.diff:
        raise UsageError("--diff writes nothing; drop --log")
    if args.log_key and args.log_key == args.field:
        raise UsageError("--log-key must differ from --field")


# ---------------------------------------------------------------------------------------- planning


@dataclass(eq=False)
class Job:
    """One input and where its output goes."""

    source: Path | None  # None: standard input
    fmt: str  # "text" or "jsonl"
    dest: Path | None = None  # the output file; None: standard output, or no output
    walked: bool = False  # found in a folder (already checked not to be binary)
    error: str | None = None  # known to fail before it is opened
    failed: bool = False

    @property
    def name(self) -> str:
        return "-" if self.source is None else str(self.source)


def _format_of(path: Path | None, forced: str | None) -> str:
    if forced:
        return forced
    return "jsonl" if path is not None and path.suffix.lower() == ".jsonl" else "text"


def _walk(root: Path, globs: Sequence[str], exclude: Path | None, run: Run) -> Iterator[Job | Path]:
    """Files under ``root`` matching ``globs`` (hidden files and folders skipped), sorted; an
    unreadable folder comes back as a failed :class:`Job`; binary files are skipped with a warning."""
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (exclude is None or Path(dirpath, d).resolve() != exclude)
        )
        for name in sorted(filenames):
            if name.startswith(".") or not any(fnmatch(name, g) for g in globs):
                continue
            path = Path(dirpath, name)
            try:
                binary = looks_binary(path)
            except OSError:
                binary = False  # reported when the file is opened
            if binary:
                run.warn(f"{path}: skipped: binary file")
                run.binary_skipped += 1
            else:
                yield path
    for e in errors:
        yield Job(Path(e.filename), "text", error=f"cannot read folder: {e.strerror}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _make_dirs(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create output folder {folder}: {e.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"output folder {folder} is not writable")


def plan(args: argparse.Namespace, run: Run) -> list[Job]:
    """The jobs of the run, with their destinations; raises :class:`UsageError`."""
    inputs: list[str] = args.paths or ["-"]
    forced = args.input_format
    out = Path(args.output) if getattr(args, "output", None) else None
    in_place = getattr(args, "in_place", False)
    exclude = out.resolve() if out is not None else None
    jobs: list[Job] = []
    roots: list[str] = []  # the folder each input is mirrored relative to
    folders = 0
    seen: set[str] = set()
    for arg in inputs:
        if arg == "-":
            if in_place:
                raise UsageError("--in-place needs files, not standard input")
            if "-" not in seen:
                seen.add("-")
                jobs.append(Job(None, _format_of(None, forced)))
            continue
        path = Path(arg)
        if path.is_dir():
            folders += 1
            roots.append(os.path.abspath(path))
            found = _walk(path, args.glob or DEFAULT_GLOBS, exclude, run)
            candidates = [(f, True) for f in found]
        else:
            roots.append(os.path.dirname(os.path.abspath(path)))
            candidates = [(path, False)]
        for item, walked in candidates:
            if isinstance(item, Job):
                jobs.append(item)
                continue
            key = os.path.realpath(item)
            if key not in seen:
                seen.add(key)
                jobs.append(Job(item, _format_of(item, forced), walked=walked))

    if out is not None:
        if "-" in seen and len(inputs) > 1:
            raise UsageError("standard input cannot be mixed with files when writing to -o")
        if folders or len(inputs) > 1:
            _make_dirs(out)
            base = os.path.commonpath(roots)
            for job in jobs:
                if job.source is not None:
                    job.dest = out / os.path.relpath(os.path.abspath(job.source), base)
        else:
            source = jobs[0].source
            if source is None and out.is_dir():
                raise UsageError(f"{out} is a folder: standard input needs an output file")
            dest = out / source.name if source is not None and out.is_dir() else out
            _make_dirs(dest.parent)
            jobs[0].dest = dest
        for job in jobs:
            if job.source is not None and job.dest is not None and _same_file(job.source, job.dest):
                raise UsageError(f"{job.dest}: the output would overwrite its input (use --in-place)")
    elif in_place:
        for job in jobs:
            job.dest = job.source
    log = getattr(args, "log", None)
    if log:
        for job in jobs:
            for path in (job.source, job.dest):
                if path is not None and _same_file(path, Path(log)):
                    raise UsageError(f"{log}: the change log would overwrite an input or output")
        _make_dirs(Path(log).parent)
    return jobs


# --------------------------------------------------------------------------------------- reading


@dataclass(slots=True)
class Unit:
    """One line of an input: the text to clean, or a line passed through or skipped."""

    line: int  # 1-based
    raw: str  # the line without its terminator
    end: str  # "\n", "\r\n" or ""
    text: str | None  # what gets cleaned; None: passed through unchanged (a blank JSONL line)
    record: Record | None = None  # JSON Lines
    error: str | None = None  # a malformed record, skipped


@dataclass(slots=True)
class Event:
    """What the reader reports, in input order: a file starts, a block of units, a file ends or fails."""

    kind: str  # "start", "block", "end", "fail"
    job: Job
    units: list[Unit] | None = None
    message: str = ""

    @property
    def texts(self) -> list[str]:
        return [u.text for u in self.units or () if u.text is not None]


def _unit(job: Job, number: int, offset: int, raw: bytes, args: argparse.Namespace) -> Unit:
    try:
        line, end = decode_line(raw, offset)
        if job.fmt == "text":
            return Unit(number, line, end, line)
        if not line.strip():
            return Unit(number, line, end, None)
        record = parse_record(line, args.field, getattr(args, "log_key", None) or None)
        return Unit(number, line, end, record.text, record)
    except InputError as e:
        message = f"line {number}: {e}"
        if job.fmt == "jsonl" and args.skip_bad_lines:
            end = "\r\n" if raw.endswith(b"\r\n") else "\n" if raw.endswith(b"\n") else ""
            line = raw[: len(raw) - len(end)].decode("utf-8", "replace")  # shown by --diff
            return Unit(number, line, end, None, error=message)
        raise InputError(message) from None


def read_events(jobs: Sequence[Job], args: argparse.Namespace) -> Iterator[Event]:
    """Stream every job as events, in blocks of ``--batch-size`` units.

    A job marked failed by the consumer (e.g. its output could not be created) stops being read.
    """
    size = args.batch_size
    for job in jobs:
        if job.error is not None:
            yield Event("fail", job, message=job.error)
            continue
        try:
            if job.source is not None and not job.walked and looks_binary(job.source):
                raise InputError("binary file (NUL bytes in the first 8 KB)")
            # closed in the ``finally`` below, after the last event of the file
            stream: BinaryIO = sys.stdin.buffer if job.source is None else open(job.source, "rb")  # noqa: SIM115
        except (OSError, InputError) as e:
            yield Event("fail", job, message=_reason(e))
            continue
        try:
            yield Event("start", job)
            block: list[Unit] = []
            for number, offset, raw in raw_lines(stream):
                if job.failed:
                    break
                block.append(_unit(job, number, offset, raw, args))
                if len(block) == size:
                    yield Event("block", job, block)
                    block = []
            if block:
                yield Event("block", job, block)
            yield Event("end", job)
        except (OSError, InputError) as e:
            yield Event("fail", job, message=_reason(e))
        finally:
            if job.source is not None:
                stream.close()


def _reason(e: Exception) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e)


# -------------------------------------------------------------------------------------- cleaning

_worker: Cleaner | SetupError | None = None
_Packed = tuple[str, list[mtfix.Change], list[mtfix.Flag]] | None


def _setup(config: Config) -> Cleaner:
    try:
        cleaner = Cleaner(config).load()  # a missing model is reported once, up front
    except Exception as e:
        hint = " (--no-model runs the rules only)" if config.model is not None else ""
        raise SetupError(f"cannot set up the cleaner: {type(e).__name__}: {e}{hint}") from e
    return cleaner


def _init_worker(config: Config) -> None:
    """Pool initializer: build this process's cleaner once (an error is raised by the first block,
    because a pool whose initializer fails restarts its workers forever)."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    try:
        _worker = _setup(config)
    except SetupError as e:
        _worker = e


def _clean_block(texts: list[str]) -> list[_Packed]:
    """Clean a block in a worker; results are packed (``None``: untouched) to cut pickling."""
    if not isinstance(_worker, Cleaner):
        raise _worker or SetupError("worker not initialised")
    return [(r.text, r.changes, r.flags) if r.changes or r.flags else None for r in _worker.clean_batch(texts)]


class _Handle(Protocol):
    def get(self) -> list[Result]: ...


class _Done:
    """A block cleaned in this process, with the ``get()`` of a pending one."""

    def __init__(self, cleaner: Cleaner, texts: list[str]) -> None:
        self._error: Exception | None = None
        try:
            self._results = cleaner.clean_batch(texts)
        except Exception as e:
            self._error = e

    def get(self) -> list[Result]:
        if self._error is not None:
            raise self._error
        return self._results


class _Pending:
    """A block sent to a worker process."""

    def __init__(self, pending: Any, texts: list[str]) -> None:
        self._pending = pending
        self._texts = texts

    def get(self) -> list[Result]:
        return [
            Result(t, t) if p is None else Result(t, *p) for t, p in zip(self._texts, self._pending.get(), strict=True)
        ]


def ordered(
    events: Iterator[Event], submit: Callable[[list[str]], _Handle], depth: int
) -> Iterator[tuple[Event, _Handle | None]]:
    """Submit each block as it is read and yield events in input order, with at most ``depth``
    blocks submitted but not yet yielded."""
    queue: deque[tuple[Event, _Handle | None]] = deque()
    in_flight = 0
    for event in events:
        handle = submit(event.texts) if event.kind == "block" else None
        queue.append((event, handle))
        in_flight += handle is not None
        while queue and (queue[0][1] is None or in_flight > depth):
            event, handle = queue.popleft()
            in_flight -= handle is not None
            yield event, handle
    yield from queue


# --------------------------------------------------------------------------------------- writing

_COLORS = {"-": "\x1b[31m", "+": "\x1b[32m", "@": "\x1b[36m", "h": "\x1b[1m"}
_NO_EOL = "\\ No newline at end of file"


class UnifiedDiff:
    """The unified diff of one file, written as its lines stream by.

    Cleaning maps old line *i* to new line *i* (a cleaned line may, rarely, hold line breaks), so the
    hunks are found without a diff algorithm; the output is that of :func:`difflib.unified_diff`.
    """

    def __init__(self, write: Callable[[str], None], name: str, *, color: bool, context: int = 3) -> None:
        self._write = write
        self._name = name
        self._color = color
        self._context = context
        self._header = False
        self._before: deque[str] = deque(maxlen=context)  # unchanged lines before a hunk
        self._gap: list[str] = []  # unchanged lines since the last change of the open hunk
        self._hunk: list[str] | None = None
        self._start = (0, 0)  # first old and new line numbers of the open hunk
        self._size = [0, 0]
        self._old = self._new = 1  # numbers of the next old and new lines
        self._eol = True  # the last line fed ended with a line break

    def feed(self, old: str, new: str | None, *, eol: bool = True) -> None:
        """Add the next line, before and after cleaning (``None``: dropped); ``eol``: it ends with a
        line break."""
        self._eol = eol
        if old == new:
            if self._hunk is None:
                self._before.append(old)
            else:
                self._gap.append(old)
                if len(self._gap) > 2 * self._context:
                    self._flush()
            self._old += 1
            self._new += 1
            return
        lines = [] if new is None else new.split("\n")
        if self._hunk is None:
            lead = list(self._before)
            self._before.clear()
            self._hunk = [" " + s for s in lead]
            self._start = (self._old - len(lead), self._new - len(lead))
            self._size = [len(lead), len(lead)]
        else:
            self._hunk += [" " + s for s in self._gap]
            self._size = [self._size[0] + len(self._gap), self._size[1] + len(self._gap)]
            self._gap = []
        self._hunk.append("-" + old)
        if not eol:
            self._hunk.append(_NO_EOL)
        self._hunk += ["+" + s for s in lines]
        if not eol and lines:
            self._hunk.append(_NO_EOL)
        self._size = [self._size[0] + 1, self._size[1] + len(lines)]
        self._old += 1
        self._new += len(lines)

    def close(self) -> None:
        if self._hunk is not None:
            self._flush()

    def _line(self, line: str, color: str) -> None:
        self._write(f"{_COLORS[color]}{line}\x1b[0m\n" if self._color else line + "\n")

    def _flush(self) -> None:
        assert self._hunk is not None
        tail = self._gap[: self._context]
        if not self._header:
            self._line(f"--- {self._name}", "h")
            self._line(f"+++ {self._name}", "h")
            self._header = True
        (a, b), (m, n) = self._start, (self._size[0] + len(tail), self._size[1] + len(tail))
        b -= n == 0  # an empty range names the line before it
        self._line(f"@@ -{a if m == 1 else f'{a},{m}'} +{b if n == 1 else f'{b},{n}'} @@", "@")
        lines = self._hunk + [" " + s for s in tail]
        if not self._eol and 0 < len(self._gap) <= self._context:  # the last line is in the tail
            lines.append(_NO_EOL)
        for line in lines:
            if line[0] in " \\":
                self._write(line + "\n")
            else:
                self._line(line, line[0])
        self._before.extend(self._gap[self._context :])
        self._hunk, self._gap = None, []


@dataclass
class Stats:
    """Counts of one file, or of the whole run."""

    files: int = 0
    segments: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    bad_lines: int = 0

    def add(self, other: Stats) -> None:
        self.files += other.files
        self.segments += other.segments
        self.changes.update(other.changes)
        self.flags.update(other.flags)
        self.bad_lines += other.bad_lines


@dataclass(eq=False)
class _Open:
    """The state of a file being processed."""

    writer: AtomicFile | None  # None: standard output, or no output
    spool: IO[bytes] | None  # this file's change-log records, until the file completes
    diff: UnifiedDiff | None
    stats: Stats = field(default_factory=Stats)
    dirty: bool = False  # the output differs from the input


class Run:
    """Consumes the events of a run: writes outputs, diffs, findings and the log; keeps the counts."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.mode = (
            "check" if args.command == "check" else "diff" if args.diff else "inplace" if args.in_place else "write"
        )
        self.log_key: str | None = getattr(args, "log_key", None) or None
        self.stdout = sys.stdout.buffer
        self.stats = Stats()
        self.failed: list[str] = []
        self.binary_skipped = 0
        self.found = False
        self.started = time.perf_counter()
        self._open: dict[Job, _Open] = {}
        self._log: AtomicFile | None = None
        self._color = args.command == "clean" and (
            args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
        )
        self._bar: Any = None
        if not args.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(unit=" seg", unit_scale=True, file=sys.stderr, delay=1.0, leave=False)

    # Messages on stderr go around the progress bar.
    def warn(self, message: str, *, level: str = "warning") -> None:
        line = f"mtfix: {level}: {message}"
        if self._bar is not None:
            self._bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)

    def open_log(self) -> None:
        log = getattr(self.args, "log", None)
        if log:
            try:
                self._log = AtomicFile(Path(log))
            except OSError as e:
                raise UsageError(f"cannot write {log}: {e.strerror}") from None

    def handle(self, event: Event, handle: _Handle | None) -> None:
        job = event.job
        if job.failed:
            return
        if event.kind == "fail":
            self.fail(job, event.message)
        elif event.kind == "start":
            self.start(job)
        elif event.kind == "end":
            self.end(job)
        else:
            assert handle is not None and event.units is not None
            try:
                results = handle.get()
            except SetupError:
                raise
            except Exception as e:  # a bug in a fixer: this file fails, the others go on
                self.fail(job, f"internal error while cleaning: {type(e).__name__}: {e}")
                return
            self.block(job, event.units, results)

    def start(self, job: Job) -> None:
        writer = None
        try:
            if self.mode == "inplace":
                assert job.source is not None
                writer = AtomicFile(job.source, mode_from=job.source)
            elif self.mode == "write" and job.dest is not None:
                job.dest.parent.mkdir(parents=True, exist_ok=True)
                writer = AtomicFile(job.dest)
        except OSError as e:
            self.fail(job, f"cannot write {e.filename or job.dest}: {e.strerror}")
            return
        spool = None
        if self._log is not None:  # closed by end() or fail()
            spool = tempfile.SpooledTemporaryFile(max_size=1 << 22)  # noqa: SIM115
        diff = None
        if self.mode == "diff":
            diff = UnifiedDiff(lambda s: self.stdout.write(s.encode()), job.name, color=self._color)
        self._open[job] = _Open(writer, spool, diff)

    def block(self, job: Job, units: list[Unit], results: list[Result]) -> None:
        st = self._open[job]
        name = job.name
        out: list[str] = []
        log: list[str] = []
        report: list[str] = []
        explained: list[str] = []
        found = iter(results)
        for u in units:
            if u.error is not None:
                self.warn(f"{name}: {u.error} (skipped)")
                st.stats.bad_lines += 1
                st.dirty = True
                if st.diff:
                    st.diff.feed(u.raw, None, eol=bool(u.end))
                continue
            if u.text is None:
                out += [u.raw, u.end]
                if st.diff:
                    st.diff.feed(u.raw, u.raw, eol=bool(u.end))
                continue
            r = next(found)
            st.stats.segments += 1
            st.stats.changes.update(c.kind for c in r.changes)
            st.stats.flags.update(f.kind for f in r.flags)
            if self.mode == "check":
                report += self._findings(name, u.line, r)
                continue
            if st.diff is not None:
                new = r.text if u.record is None else u.record.render(r.text, "", None)
                st.diff.feed(u.raw, new, eol=bool(u.end))
                continue
            changes = [c.to_dict() for c in r.changes]
            flags = [f.to_dict() for f in r.flags]
            if u.record is None:
                new = r.text
            else:
                entry = None
                if self.log_key:
                    entry = json.dumps({"changes": changes, "flags": flags}, ensure_ascii=False)
                new = u.record.render(r.text, self.log_key or "", entry)
            st.dirty = st.dirty or new != u.raw
            out += [new, u.end]
            if getattr(self.args, "explain", False):
                explained += _explain(name, u.line, r)
            if st.spool is not None:
                rec = {"path": name, "line": u.line, "changes": changes, "flags": flags}
                log.append(json.dumps(rec, ensure_ascii=False) + "\n")
        if out and self.mode in ("write", "inplace"):
            data = "".join(out).encode()
            (st.writer or self.stdout).write(data)
        if explained:
            sys.stderr.write("".join(explained))
        if log and st.spool is not None:
            st.spool.write("".join(log).encode())
        if report:
            self.found = True
            self.stdout.write("".join(report).encode())
        if self._bar is not None:
            self._bar.update(len(units))

    def _findings(self, name: str, line: int, r: Result) -> list[str]:
        items = sorted(
            [(c.start, "change", c) for c in r.changes] + [(f.start, "flag", f) for f in r.flags],
            key=lambda t: t[0],
        )
        if self.args.report == "json":
            return [
                json.dumps(
                    {"path": name, "line": line, "column": start + 1, "type": kind, **item.to_dict()},
                    ensure_ascii=False,
                )
                + "\n"
                for start, kind, item in items
            ]
        return [f"{name}:{line}:{start + 1}: {item.kind}: {item.message}\n" for start, _, item in items]

    def end(self, job: Job) -> None:
        st = self._open.pop(job)
        if st.diff is not None:
            st.diff.close()
        if st.writer is not None:
            try:
                if self.mode == "inplace" and not st.dirty:
                    st.writer.abort()  # nothing changed: leave the file (and its mtime) alone
                else:
                    backup = self.args.backup
                    st.writer.commit(Path(f"{job.source}{backup}") if backup else None)
            except OSError as e:
                self.fail(job, f"cannot write {e.filename or st.writer.path}: {e.strerror}")
                return
        if st.spool is not None and self._log is not None:
            st.spool.seek(0)
            copyfileobj(st.spool, self._log.file)
            st.spool.close()
        st.stats.files = 1
        self.stats.add(st.stats)

    def fail(self, job: Job, message: str) -> None:
        job.failed = True
        self.failed.append(job.name)
        self.warn(f"{job.name}: {message}", level="error")
        st = self._open.pop(job, None)
        if st is not None:
            if st.writer is not None:
                st.writer.abort()
            if st.spool is not None:
                st.spool.close()

    def finish(self) -> None:
        """Commit the change log (the successful files' records) and flush standard output."""
        if self._log is not None:
            self._log.commit()
            self._log = None
        self.stdout.flush()
        if self._bar is not None:
            self._bar.close()

    def abort(self) -> None:
        """Remove every temporary file of an interrupted run; finished outputs stay."""
        for st in self._open.values():
            if st.writer is not None:
                st.writer.abort()
        self._open.clear()
        if self._log is not None:
            self._log.abort()
        if self._bar is not None:
            self._bar.close()

    def summary(self) -> str:
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
        skipped = [(s.bad_lines, "bad line"), (self.binary_skipped, "binary file")]
        if any(n for n, _ in skipped):
            lines.append("  skipped: " + ", ".join(_plural(n, what) for n, what in skipped if n))
        if self.failed:
            lines.append("  failed: " + ", ".join(self.failed))
        return "\n".join("mtfix: " + line for line in lines)


def _explain(name: str, line: int, r: Result) -> list[str]:
    """Readable change log lines for one unit: where, what kind, before and after, why."""
    out = [
        f"{name}:{line}:{c.start + 1}: {c.kind} ({c.source}, {c.confidence:.2f}) "
        f"{c.before!r} -> {c.after!r}: {c.message}\n"
        for c in r.changes
    ]
    out += [f"{name}:{line}:{f.start + 1}: {f.kind} (flag, {f.score:.2f}): {f.message}\n" for f in r.flags]
    return out


def _plural(n: int, what: str) -> str:
    return f"{n:,} {what}{'s' * (n != 1)}"


# ------------------------------------------------------------------------------------------ main


def _execute_ray(args: argparse.Namespace, config: Config) -> int:
    """``mtfix clean --engine ray``: Parquet and JSON Lines files cleaned with Ray Data into a folder."""
    refused = [
        (args.in_place, "--in-place"),
        (args.diff, "--diff"),
        (args.log, "--log"),
        (args.explain, "--explain"),
        (args.input_format == "text", "--format text"),
    ]
    for given, option in refused:
        if given:
            raise UsageError(f"--engine ray does not support {option}")
    if not args.output:
        raise UsageError("--engine ray needs an output folder: -o OUT")
    from mtfix.integrations import RAY_INSTALL_HINT

    try:
        from mtfix.integrations import ray as ray_engine
    except ImportError:
        raise UsageError(f"--engine ray needs Ray Data, which is not installed; {RAY_INSTALL_HINT}") from None
    try:
        report = ray_engine.clean_files(
            args.paths,
            args.output,
            field=args.field,
            log_key=args.log_key or None,
            config=config,
            address=args.address,
            concurrency=args.workers or None,
            batch_size=args.batch_size,
            globs=args.glob,
            drop_bad_lines=args.skip_bad_lines,
            quiet=args.quiet,
        )
    except ray_engine.UsageError as e:
        raise UsageError(str(e)) from None
    except Exception as e:  # the Ray job failed (e.g. the model could not be loaded): nothing was written
        lines = str(e).strip().splitlines() or [""]
        raise SetupError(f"the Ray job failed: {type(e).__name__}: {lines[-1]}") from None
    if not args.quiet:
        print(report.summary(), file=sys.stderr)
    return EXIT_OK


def _execute(args: argparse.Namespace) -> int:
    _check_args(args)
    config = _config(args)
    if getattr(args, "engine", "local") == "ray":
        return _execute_ray(args, config)
    if getattr(args, "address", None):
        raise UsageError("--address needs --engine ray")
    workers = args.workers or os.cpu_count() or 1
    if workers > 1 and config.model is not None and config.threads is None:
        config = config.replace(threads=max(1, (os.cpu_count() or 1) // workers))  # no oversubscription
    # In one process the model loads before anything is written; workers report a failure to load
    # with their first block.
    cleaner = _setup(config) if workers == 1 else None
    run = Run(args)
    try:
        jobs = plan(args, run)
        run.open_log()
        events = read_events(jobs, args)
        if cleaner is not None:
            for event, handle in ordered(events, lambda texts: _Done(cleaner, texts), 0):
                run.handle(event, handle)
        else:
            with multiprocessing.get_context("spawn").Pool(workers, _init_worker, (config,)) as pool:

                def submit(texts: list[str]) -> _Handle:
                    return _Pending(pool.apply_async(_clean_block, (texts,)), texts)

                for event, handle in ordered(events, submit, 2 * workers):
                    run.handle(event, handle)
        run.finish()
    except BaseException:
        run.abort()
        raise
    if not args.quiet:
        print(run.summary(), file=sys.stderr)
    if run.failed:
        return EXIT_ERROR
    return EXIT_FOUND if run.found else EXIT_OK


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mtfix`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    # Paths may follow options (``mtfix clean a.txt -o out/ b.txt``): argparse leaves them over.
    args, extra = parser.parse_known_args(argv)
    unknown = [a for a in extra if a.startswith("-") and a != "-"]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.paths += extra
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _execute(args)
    except (UsageError, SetupError) as e:
        print(f"mtfix: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("mtfix: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        return 128 + signal.SIGTERM
    except BrokenPipeError:  # e.g. `mtfix clean big.txt | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
