"""Reading and cleaning: inputs streamed as events in blocks of units, cleaned here or by worker processes.

Each line of a text file, or the text field of each JSON Lines record, is one unit. Blocks go to
``--workers`` processes and come back in input order, with a bounded number in flight, so memory
stays bounded whatever the size of the input.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, NamedTuple, Protocol

import mtfix
from mtfix import Cleaner, Config, Result
from mtfix._common import SetupError, log_entry
from mtfix.cli.options import Options
from mtfix.cli.plan import Job
from mtfix.io import (
    BOM,
    InputError,
    Record,
    TsvRecord,
    Window,
    decode_line,
    looks_binary,
    parse_jsonl_line,
    parse_tsv,
    raw_windows,
)

#: The formats read as a whole file (units in a document), not line by line.
DOCUMENT_FORMATS = frozenset({"xliff", "po", "tmx"})

# --------------------------------------------------------------------------------------- reading


@dataclass(slots=True)
class Unit:
    """One line of an input: the text to clean, or a line passed through unchanged.

    A JSON Lines record that cannot be cleaned (malformed, not an object, no text field, a text that is
    not a string, invalid UTF-8) has its reason in ``error`` and its exact bytes in ``original``: it
    comes out as it went in (or goes to ``--rejects``), never dropped."""

    line: int  # 1-based
    raw: str  # the line without its terminator (and without the file's BOM)
    end: str  # "\n", "\r\n" or ""
    text: str | None  # what gets cleaned; None: passed through unchanged (a blank JSONL line)
    record: Record | TsvRecord | None = None  # JSON Lines, TSV
    error: str | None = None  # why this record cannot be cleaned
    original: bytes | None = None  # with ``error``: the line as read, terminator included
    bom: str = ""  # the BOM the file starts with, on its first line: written back before the line
    # A line longer than ``--max-line`` comes in several units, each a piece of it (:func:`raw_windows`):
    part: int = 0  # the piece's number, 0 for the first (and for a whole line)
    column: int = 0  # where the piece starts in its line, in characters: the change log counts from there
    continues: bool = False  # the line goes on in the next unit (``end`` is "")
    note: str | None = None  # why this piece of text is passed through unchanged
    source: str | None = None  # the segment the text translates (bitext: TSV, JSONL, XLIFF, PO, TMX)
    spans: tuple[tuple[int, int], ...] = ()  # protected spans of ``text`` (an l10n unit's inline tags)
    index: int = -1  # an l10n file's unit: its index in the file

    def cleaned(self, result: Result, log_key: str | None) -> str:
        """The line once cleaned (without its terminator): the text, or the record with the text and,
        under ``log_key``, the change log spliced in."""
        if self.record is None:
            return result.text
        return self.record.render(result.text, log_key or "", log_entry(result) if log_key else None)


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

    @property
    def batch(self) -> Batch:
        """What the cleaner gets: the texts, and their sources and protected spans where there are any."""
        units = [u for u in self.units or () if u.text is not None]
        texts = [u.text for u in units if u.text is not None]
        sources = [u.source for u in units] if any(u.source is not None for u in units) else None
        spans = [u.spans for u in units] if any(u.spans for u in units) else None
        return Batch(texts, sources, spans)


class Batch(NamedTuple):
    """A block's texts to clean, with their sources and protected spans (None: none has any)."""

    texts: list[str]
    sources: list[str | None] | None = None
    spans: list[tuple[tuple[int, int], ...]] | None = None

    def clean(self, cleaner: Cleaner) -> list[Result]:
        if self.sources is None and self.spans is None:
            return cleaner.clean_batch(self.texts)
        return cleaner.clean_batch(self.texts, sources=self.sources, protected=self.spans)


def read_events(jobs: Sequence[Job], options: Options) -> Iterator[Event]:
    """Stream every job as events, in blocks of ``--batch-size`` units.

    A job marked failed by the consumer (e.g. its output could not be created) stops being read.
    """
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
        if job.fmt in DOCUMENT_FORMATS:
            try:
                yield from _document_events(job, stream, options)
            finally:
                if job.source is not None:
                    stream.close()
            continue
        try:
            yield Event("start", job)
            block: list[Unit] = []
            column = 0
            cut_at_spaces = job.fmt == "text"  # a record cut in pieces is not parsed
            for window in raw_windows(stream, options.max_line, cut_at_spaces=cut_at_spaces):
                if job.failed:
                    break
                unit = _unit(job, window, column, options)
                column = unit.column + len(unit.raw) if window.continues else 0
                block.append(unit)
                # a piece of a long line is a block's last unit: a few pieces in memory at a time
                if len(block) == options.batch_size or unit.part or unit.continues:
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


def _document_events(job: Job, stream: BinaryIO, options: Options) -> Iterator[Event]:
    """An l10n file (XLIFF, PO, TMX): read and parsed whole (a malformed one fails before anything is
    written), then its units in blocks; the writer renders the file from the results at its end."""
    from mtfix.l10n import L10nError, read

    try:
        data = stream.read()
        document = read(data, job.fmt, job.name, target_lang=options.target_lang)
    except L10nError as e:
        yield Event("fail", job, message=f"line {e.line}, column {e.column}: {e.message}")
        return
    except (OSError, InputError) as e:
        yield Event("fail", job, message=_reason(e))
        return
    job.document = document
    yield Event("start", job)
    block: list[Unit] = []
    for u in document.units:
        if not u.translate:  # translate="no": the file says to leave it
            unit = Unit(u.line, u.target or "", "", None, source=u.source)
        elif u.target is None:
            unit = Unit(u.line, "", "", None, note=f"unit {u.id!r} has no target: nothing to clean", source=u.source)
        else:
            # offsets count in the target's text (entities decoded, tags as written), not the file's line
            unit = Unit(u.line, u.target, "", u.target, source=u.source, spans=tuple(u.spans))
        unit.index = u.index
        block.append(unit)
        if len(block) == options.batch_size:
            yield Event("block", job, block)
            block = []
    if block:
        yield Event("block", job, block)
    yield Event("end", job)


def _unit(job: Job, w: Window, column: int, options: Options) -> Unit:
    number, offset, raw = w.number, w.offset, w.raw
    if job.fmt in ("jsonl", "tsv") and (
        w.part or w.continues
    ):  # longer than the limit: passed through as it is, never parsed
        bom = BOM if number == 1 and w.part == 0 and raw.startswith(BOM.encode()) else ""
        error = f"record longer than --max-line ({options.max_line:,} bytes)"
        end = "\n" if raw.endswith(b"\n") and not w.continues else ""
        return Unit(number, "", end, None, error=error, original=raw, bom=bom, part=w.part, continues=w.continues)
    if job.fmt == "tsv":
        return _tsv_unit(number, offset, raw, options)
    if job.fmt == "jsonl":
        parsed = parse_jsonl_line(
            raw,
            offset,
            first=number == 1,
            field=options.field,
            log_key=options.log_key or "",
            source_field=options.source_field,
        )
        if parsed.error is not None:
            return Unit(number, parsed.text, parsed.end, None, error=parsed.error, original=raw, bom=parsed.bom)
        record = parsed.record
        return Unit(
            number,
            parsed.text,
            parsed.end,
            record and record.text,
            record,
            bom=parsed.bom,
            source=record and record.source,
        )
    try:
        line, end = decode_line(raw, offset)
    except InputError as e:  # a text file is not records: invalid UTF-8 fails it, with the byte offset
        raise InputError(f"line {number}: {e}") from None
    bom = BOM if number == 1 and w.part == 0 and line.startswith(BOM) else ""
    line = line[len(bom) :]
    note = None
    if w.broken:  # a piece of a word longer than the limit: not text a fixer may see in pieces
        note = f"a word longer than --max-line ({options.max_line:,} bytes): passed through unchanged"
    text = None if note else line
    return Unit(number, line, end, text, bom=bom, part=w.part, column=column, continues=w.continues, note=note)


def _tsv_unit(number: int, offset: int, raw: bytes, options: Options) -> Unit:
    """A TSV line: its target column cleaned, with its source column; a line that cannot be (invalid
    UTF-8, too few columns) passes through as it is, or goes to ``--rejects``, like a bad JSONL record."""
    try:
        line, end = decode_line(raw, offset)
    except InputError as e:
        end = "\r\n" if raw.endswith(b"\r\n") else "\n" if raw.endswith(b"\n") else ""
        shown = raw[: len(raw) - len(end)].decode("utf-8", "replace")
        return Unit(number, shown, end, None, error=str(e), original=raw)
    bom = BOM if number == 1 and line.startswith(BOM) else ""
    line = line[len(bom) :]
    if not line.strip():
        return Unit(number, line, end, None, bom=bom)
    assert options.target_column is not None
    try:
        record = parse_tsv(line, options.target_column, options.source_column)
    except InputError as e:
        return Unit(number, line, end, None, error=str(e), original=raw, bom=bom)
    column = record.text_span[0]
    return Unit(number, line, end, record.text, record, bom=bom, column=column, source=record.source)


def _reason(e: Exception) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e)


# -------------------------------------------------------------------------------------- cleaning

_worker: Cleaner | SetupError | None = None
_Packed = tuple[str, list[mtfix.Change], list[mtfix.Flag]] | None


class Handle(Protocol):
    """The results of one block, once they are there."""

    def get(self) -> list[Result]: ...


class Cleaning:
    """Where the blocks of a run are cleaned: in this process (one worker) or in a pool of processes.

    In one process the model loads here, before anything is written; worker processes report a
    failure to load with their first block.
    """

    def __init__(self, config: Config, workers: int) -> None:
        self.config = config
        self.workers = workers
        self._cleaner = setup(config) if workers == 1 else None
        self._stats: dict[int, dict[str, Any]] = {}  # worker process id -> its cleaner's stats

    def stats(self) -> dict[str, Any]:
        """The stages' counters (:meth:`mtfix.Cleaner.stats`), summed over the worker processes."""
        if self._cleaner is not None:
            return self._cleaner.stats()
        return merge_stats(list(self._stats.values()))

    def run(self, events: Iterator[Event], consume: Callable[[Event, Handle | None], None]) -> None:
        """Clean the blocks of ``events`` and pass every event to ``consume`` in input order, with the
        handle of its results (``None`` for events that are not blocks)."""
        cleaner = self._cleaner
        if cleaner is not None:
            for event, handle in ordered(events, lambda batch: _Done(cleaner, batch), 0):
                consume(event, handle)
            return
        # multiprocessing's resource tracker (started with the pool, with our -W options) would warn of
        # "leaked semaphores" on stderr when this process is killed: nothing leaks that outlives it.
        if _QUIET_TRACKER not in sys.warnoptions:
            sys.warnoptions.append(_QUIET_TRACKER)
        spawn = multiprocessing.get_context("spawn")
        with spawn.Pool(self.workers, _init_worker, (self.config, os.getpid())) as pool:

            def submit(batch: Batch) -> Handle:
                return _Pending(pool.apply_async(_clean_block, (batch,)), batch.texts, self._stats)

            for event, handle in ordered(events, submit, 2 * self.workers):
                consume(event, handle)


_QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


def setup(config: Config) -> Cleaner:
    """A cleaner with its model loaded; raises :class:`SetupError`."""
    try:
        cleaner = Cleaner(config).load()  # a missing model is reported once, up front
    except Exception as e:
        hint = " (--no-model runs without it)" if config.model is not None else ""
        raise SetupError(f"cannot set up the cleaner: {type(e).__name__}: {e}{hint}") from e
    return cleaner


def _init_worker(config: Config, parent: int) -> None:
    """Pool initializer: build this process's cleaner once (an error is raised by the first block,
    because a pool whose initializer fails restarts its workers forever). ``parent`` is the process
    that started the pool."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _die_with_parent(parent)
    try:
        _worker = setup(config)
    except SetupError as e:
        _worker = e


def _die_with_parent(parent: int) -> None:
    """Have the kernel end this worker the moment its parent dies (Linux): a parent killed with SIGKILL
    would otherwise leave its workers to find a broken pipe and print tracebacks on the way out. The
    parent's id comes from the parent itself: one killed while this worker was still starting (on a
    busy machine, importing takes seconds) would leave ``os.getppid()`` naming the process that adopted
    the worker, and the check below would pass."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the workers end on the broken pipe as before
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _clean_block(batch: Batch) -> tuple[list[_Packed], int, dict[str, Any]]:
    """Clean a block in a worker; results are packed (``None``: untouched) to cut pickling. With them
    come the worker's process id and its cleaner's stats so far."""
    if not isinstance(_worker, Cleaner):
        raise _worker or SetupError("worker not initialised")
    packed = [(r.text, r.changes, r.flags) if r.changes or r.flags else None for r in batch.clean(_worker)]
    return packed, os.getpid(), _worker.stats()


def merge_stats(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Stats of several cleaners of one configuration added up (the model is theirs in common)."""
    out: dict[str, Any] = {"model": next((p["model"] for p in parts if p.get("model")), None)}
    for part in parts:
        for stage, counts in part.items():
            if isinstance(counts, dict):
                mine = out.setdefault(stage, {})
                for key, n in counts.items():
                    mine[key] = mine.get(key, 0) + n
    return out


class _Done:
    """A block cleaned in this process, with the ``get()`` of a pending one."""

    def __init__(self, cleaner: Cleaner, batch: Batch) -> None:
        self._error: Exception | None = None
        try:
            self._results = batch.clean(cleaner)
        except Exception as e:
            self._error = e

    def get(self) -> list[Result]:
        if self._error is not None:
            raise self._error
        return self._results


class _Pending:
    """A block sent to a worker process."""

    def __init__(self, pending: Any, texts: list[str], stats: dict[int, dict[str, Any]]) -> None:
        self._pending = pending
        self._texts = texts
        self._stats = stats

    def get(self) -> list[Result]:
        packed, pid, stats = self._pending.get()
        self._stats[pid] = stats
        return [Result(t, t) if p is None else Result(t, *p) for t, p in zip(self._texts, packed, strict=True)]


def ordered(
    events: Iterator[Event], submit: Callable[[Batch], Handle], depth: int
) -> Iterator[tuple[Event, Handle | None]]:
    """Submit each block as it is read and yield events in input order, with at most ``depth``
    blocks submitted but not yet yielded."""
    queue: deque[tuple[Event, Handle | None]] = deque()
    in_flight = 0
    for event in events:
        handle = submit(event.batch) if event.kind == "block" else None
        queue.append((event, handle))
        in_flight += handle is not None
        while queue and (queue[0][1] is None or in_flight > depth):
            event, handle = queue.popleft()
            in_flight -= handle is not None
            yield event, handle
    yield from queue
