"""Input planning: the files of a run (folders walked, globs applied), their formats and destinations."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtfix._common import UsageError, walk, within
from mtfix.cli.options import Options
from mtfix.io import looks_binary
from mtfix.l10n import format_of

#: Input files taken from folders unless ``--glob`` says otherwise.
DEFAULT_GLOBS = ("*.txt", "*.jsonl", "*.tsv", "*.xlf", "*.xliff", "*.po", "*.tmx")
#: Formats by file name; any other name is text.
SUFFIXES = {".jsonl": "jsonl", ".tsv": "tsv"}  # and the l10n files' (mtfix.l10n.format_of)


@dataclass(eq=False)
class Job:
    """One input and where its output goes."""

    source: Path | None  # None: standard input
    fmt: str  # "text", "jsonl", "tsv", "xliff", "po" or "tmx"
    dest: Path | None = None  # the output file; None: standard output, or no output
    walked: bool = False  # found in a folder (already checked not to be binary)
    error: str | None = None  # known to fail before it is opened
    failed: bool = False
    document: Any = None  # an l10n file (XLIFF, PO, TMX) once read: :class:`mtfix.l10n.L10nFile`

    @property
    def name(self) -> str:
        return "-" if self.source is None else str(self.source)


@dataclass
class Plan:
    """The jobs of a run, in input order, and how many binary files the folder walks skipped."""

    jobs: list[Job] = field(default_factory=list)
    binary_skipped: int = 0


def plan(options: Options, warn: Callable[[str], None]) -> Plan:
    """The jobs of the run, with their destinations; raises :class:`UsageError`.

    A binary file found in a folder is skipped with a warning passed to ``warn``.
    """
    result = Plan()
    inputs: Sequence[str] = options.paths or ("-",)
    forced = options.input_format
    out = Path(options.output) if options.output else None
    exclude = out.resolve() if out is not None else None
    jobs = result.jobs
    roots: list[str] = []  # the folder each input is mirrored relative to
    folders = 0
    seen: set[str] = set()
    for arg in inputs:
        if arg == "-":
            if options.in_place:
                raise UsageError("--in-place needs files, not standard input")
            if "-" not in seen:
                seen.add("-")
                jobs.append(Job(None, _format_of(None, forced)))
            continue
        path = Path(arg)
        if path.is_dir():
            folders += 1
            roots.append(os.path.abspath(path))
            found = _walk(path, options.globs or DEFAULT_GLOBS, exclude, warn, result)
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

    written = [
        f
        for f in (options.output, options.log, options.rejects, options.html_report, options.kept, options.dropped)
        if f
    ]
    inside = [(arg, f) for f in written for arg in inputs if within(f, arg)]
    if inside:
        folder, what = inside[0]
        raise UsageError(
            f"{what} is inside the input folder {folder}: the next run would read its own output as input; "
            "write it outside the folders being cleaned"
        )
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
    elif options.in_place:
        for job in jobs:
            job.dest = job.source
    sides = (
        (options.log, "the change log"),
        (options.rejects, "the rejects file"),
        (options.html_report, "the report"),
        (options.kept, "the kept pairs"),
        (options.dropped, "the dropped pairs"),
    )
    for side, what in sides:
        if side:
            for job in jobs:
                for path in (job.source, job.dest):
                    if path is not None and _same_file(path, Path(side)):
                        raise UsageError(f"{side}: {what} would overwrite an input or output")
            _make_dirs(Path(side).parent)
    if options.command == "filter":
        if options.kept and options.dropped and _same_file(Path(options.kept), Path(options.dropped)):
            raise UsageError(f"{options.dropped}: the dropped pairs would overwrite the kept ones")
        documents = [job.name for job in jobs if job.fmt in ("xliff", "po", "tmx")]
        if documents:
            raise UsageError(
                f"{documents[0]}: mtfix filter sorts pairs of TSV, JSON Lines or text, not {jobs[0].fmt} files"
            )
    if options.log and options.rejects and _same_file(Path(options.log), Path(options.rejects)):
        raise UsageError(f"{options.rejects}: the rejects file would overwrite the change log")
    return result


def _format_of(path: Path | None, forced: str | None) -> str:
    if forced:
        return forced
    if path is None:
        return "text"
    return SUFFIXES.get(path.suffix.lower()) or format_of(path) or "text"


def _walk(
    root: Path, globs: Sequence[str], exclude: Path | None, warn: Callable[[str], None], result: Plan
) -> Iterator[Job | Path]:
    """The files of :func:`mtfix._common.walk` but binary ones (skipped with a warning, counted in
    ``result``), then each folder that could not be read as a failed :class:`Job`."""
    errors: list[OSError] = []
    for path in walk(root, globs, exclude, errors):
        try:
            binary = looks_binary(path)
        except OSError:
            binary = False  # reported when the file is opened
        if binary:
            warn(f"{path}: skipped: binary file")
            result.binary_skipped += 1
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
