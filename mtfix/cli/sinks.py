"""Where the results of a run go: one sink per output, all behind the small interface of :class:`Sink`.

``clean`` writes the cleaned text (:class:`WriteSink`), with ``--explain`` a readable change log on
stderr (:class:`ExplainSink`) and with ``--log`` the JSON change log (:class:`LogSink`); ``clean
--diff`` prints a unified diff (:class:`DiffSink`); ``check`` prints findings (:class:`CheckSink`).
Every file written is written under a temporary name and renamed into place once complete.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from shutil import copyfileobj
from typing import IO, BinaryIO

from mtfix import Result
from mtfix._common import UsageError, log_entry
from mtfix.cli.options import Options
from mtfix.cli.plan import Job
from mtfix.cli.stream import Unit
from mtfix.io import AtomicFile
from mtfix.review import Segment

#: The units of a block, each with its result (``None``: a unit passed through or skipped).
Items = Sequence[tuple[Unit, Result | None]]


class WriteError(Exception):
    """An output of one file could not be written: that file fails, the others go on."""


class Sink:
    """One output of a run. For each file: :meth:`start`, :meth:`block` for each block of its units in
    order, then :meth:`end`, or :meth:`drop` once the file has failed; then :meth:`finish` once the
    run is complete, or :meth:`abort` if it is interrupted. ``start`` and ``end`` raise
    :class:`WriteError`; ``found`` says whether the sink reported something (exit status 1)."""

    found = False

    def start(self, job: Job) -> None:
        """A file starts."""

    def block(self, job: Job, items: Items) -> None:
        """The next units of the file, with their results."""

    def end(self, job: Job) -> None:
        """The file is complete."""

    def drop(self, job: Job) -> None:
        """The file failed: forget what it left (a partial output is removed)."""

    def finish(self) -> None:
        """The run is complete."""

    def abort(self) -> None:
        """The run is interrupted: remove every temporary file; finished outputs stay."""


def sinks_for(options: Options, stdout: BinaryIO) -> list[Sink]:
    """The sinks of a run, in the order they get each block; raises :class:`UsageError`."""
    if options.command == "check":
        return [CheckSink(stdout, json=options.report == "json")]
    if options.command == "report":
        return [ReportSink(options)]
    if options.command == "filter":
        return [FilterSink(options)]
    if options.diff:
        color = options.color == "always" or (
            options.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        )
        return [DiffSink(stdout, color=color)]
    rejects = options.rejects is not None
    sinks: list[Sink] = [
        WriteSink(stdout, in_place=options.in_place, backup=options.backup, log_key=options.log_key, rejects=rejects)
    ]
    if options.explain:
        sinks.append(ExplainSink())
    if options.log:
        sinks.append(LogSink(options.log, rejects=rejects))
    if options.rejects is not None:
        sinks.append(RejectsSink(options.rejects))
    if options.html_report:
        sinks.append(ReportSink(options))
    return sinks


def bad_record_action(rejects: bool) -> str:
    """What happens to a record that cannot be cleaned, as the warnings and the log say it."""
    return "written to --rejects" if rejects else "passed through unchanged"


# ------------------------------------------------------------------------------------------ write


@dataclass(eq=False)
class _Output:
    """The output of a file being cleaned."""

    writer: AtomicFile | None  # None: standard output
    dirty: bool = False  # the output differs from the input


def _document_results(job: Job, items: Items, into: dict[Job, dict[int, Result]]) -> None:
    """Keep an l10n file's changed units' results, for the file rendered at its end."""
    mine = into.setdefault(job, {})
    for u, r in items:
        if r is not None and r.changes:
            mine[u.index] = r


def _render_document(job: Job, results: dict[int, Result]) -> bytes:
    from mtfix.l10n import L10nError

    try:
        data: bytes = job.document.write(results)
    except L10nError as e:
        raise WriteError(str(e)) from None
    return data


class WriteSink(Sink):
    """The cleaned text: to standard output, to each job's output file, or over the inputs (in place).
    An l10n file is written whole at its end, nothing but its changed targets changed."""

    def __init__(
        self, stdout: BinaryIO, *, in_place: bool, backup: str | None, log_key: str | None, rejects: bool = False
    ) -> None:
        self._stdout = stdout
        self._in_place = in_place
        self._backup = backup
        self._log_key = log_key
        self._rejects = rejects  # records that cannot be cleaned go to the rejects file, not here
        self._open: dict[Job, _Output] = {}
        self._documents: dict[Job, dict[int, Result]] = {}

    def start(self, job: Job) -> None:
        writer = None
        try:
            if self._in_place:
                assert job.source is not None
                writer = AtomicFile(job.source, mode_from=job.source)
            elif job.dest is not None:
                job.dest.parent.mkdir(parents=True, exist_ok=True)
                writer = AtomicFile(job.dest)
        except OSError as e:
            raise WriteError(f"cannot write {e.filename or job.dest}: {e.strerror}") from None
        self._open[job] = _Output(writer)

    def block(self, job: Job, items: Items) -> None:
        output = self._open[job]
        if job.document is not None:
            _document_results(job, items, self._documents)
            return
        out: list[bytes] = []
        text: list[str] = []
        for u, r in items:
            if u.bom:
                text.append(u.bom)
            if u.error is not None:
                assert u.original is not None
                if self._rejects:
                    output.dirty = True  # the record leaves this file for the rejects file
                else:  # exactly as it went in, invalid UTF-8 and all
                    out.append("".join(text).encode())
                    text = []
                    out.append(u.original[len(u.bom.encode()) :])
            elif r is None:
                text += [u.raw, u.end]
            else:
                new = u.cleaned(r, self._log_key)
                output.dirty = output.dirty or new != u.raw
                text += [new, u.end]
        out.append("".join(text).encode())
        data = b"".join(out)
        if data:
            (output.writer or self._stdout).write(data)

    def end(self, job: Job) -> None:
        if job.document is not None:
            results = self._documents.pop(job, {})
            output = self._open[job]
            output.dirty = bool(results)
            (output.writer or self._stdout).write(_render_document(job, results))
        output = self._open.pop(job)
        writer = output.writer
        if writer is None:
            return
        try:
            if self._in_place and not output.dirty:
                writer.abort()  # nothing changed: leave the file (and its mtime) alone
            else:
                writer.commit(Path(f"{job.source}{self._backup}") if self._backup else None)
        except OSError as e:
            raise WriteError(f"cannot write {e.filename or writer.path}: {e.strerror}") from None

    def drop(self, job: Job) -> None:
        self._documents.pop(job, None)
        output = self._open.pop(job, None)
        if output is not None and output.writer is not None:
            output.writer.abort()

    def abort(self) -> None:
        self._documents.clear()
        for output in self._open.values():
            if output.writer is not None:
                output.writer.abort()
        self._open.clear()


class ExplainSink(Sink):
    """``--explain``: a readable change log on standard error, ``path:line:col: kind 'before' -> 'after': why``."""

    def block(self, job: Job, items: Items) -> None:
        lines: list[str] = []
        for u, r in items:
            if r is None:
                continue
            at, col = f"{job.name}:{u.line}", u.column + 1
            lines += [
                f"{at}:{c.start + col}: {c.kind} ({c.source}, {c.confidence:.2f}) "
                f"{c.before!r} -> {c.after!r}: {c.message}\n"
                for c in r.changes
            ]
            lines += [f"{at}:{f.start + col}: {f.kind} (flag, {f.score:.2f}): {f.message}\n" for f in r.flags]
        if lines:
            sys.stderr.write("".join(lines))


class _SpooledFile(Sink):
    """One file for the whole run, committed at its end; each input's part is spooled until that input
    completes, so a failed input leaves nothing in it."""

    def __init__(self, path: str) -> None:
        try:
            self._file = AtomicFile(Path(path))
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror}") from None
        self._spools: dict[Job, IO[bytes]] = {}

    def start(self, job: Job) -> None:
        self._spools[job] = tempfile.SpooledTemporaryFile(max_size=1 << 22)  # noqa: SIM115 - closed by end() or drop()

    def _write(self, job: Job, data: bytes) -> None:
        if data:
            self._spools[job].write(data)

    def end(self, job: Job) -> None:
        spool = self._spools.pop(job)
        spool.seek(0)
        copyfileobj(spool, self._file.file)
        spool.close()

    def drop(self, job: Job) -> None:
        spool = self._spools.pop(job, None)
        if spool is not None:
            spool.close()

    def finish(self) -> None:
        self._file.commit()

    def abort(self) -> None:
        for spool in self._spools.values():
            spool.close()
        self._spools.clear()
        self._file.abort()


class LogSink(_SpooledFile):
    """``--log``: one JSON record (path, line, changes, flags) per unit cleaned, and one (path, line,
    error, action) per record that could not be cleaned."""

    def __init__(self, path: str, *, rejects: bool = False) -> None:
        super().__init__(path)
        self._action = bad_record_action(rejects)

    def block(self, job: Job, items: Items) -> None:
        records = []
        for u, r in items:
            where = {"path": job.name, "line": u.line}
            if u.error is not None and u.part == 0:
                records.append(log_entry(None, where, error=u.error, action=self._action))
            elif u.note is not None:
                records.append(log_entry(None, where, column=u.column + 1, error=u.note, action=self._action))
            elif r is not None:
                records.append(log_entry(_in_line(r, u.column), where))
        self._write(job, "".join(r + "\n" for r in records).encode())


class RejectsSink(_SpooledFile):
    """``--rejects``: the records that cannot be cleaned, byte for byte (a last line without a line
    break gets one, so that the next rejected record starts a line)."""

    def block(self, job: Job, items: Items) -> None:
        bad = [
            (u.original[len(u.bom.encode()) :], u.continues)
            for u, _ in items
            if u.error is not None and u.original is not None
        ]
        self._write(job, b"".join(b if b.endswith(b"\n") or more else b + b"\n" for b, more in bad))


#: What drops a pair in ``mtfix filter`` unless ``--drop`` says otherwise: the QA checks that say the
#: pair is not a translation (or not the same content), and untranslated text. A kind matches itself
#: and every kind it is a prefix of ("qa" drops on every QA check).
DEFAULT_DROP = frozenset(
    {"qa.empty", "qa.untranslated", "qa.number", "qa.placeholder", "qa.tag", "qa.url", "qa.length", "untranslated"}
)


def dropping(kind: str, drop: frozenset[str]) -> bool:
    """Whether a flag or change of ``kind`` drops its pair under ``drop``."""
    return any(kind == d or kind.startswith(d + ".") for d in drop)


class FilterSink(Sink):
    """``filter``: each pair to the kept file (cleaned, as ``clean`` writes it) or to the dropped file (as
    it came in, with the reasons: a last TSV column, a JSON Lines field, text after a tab), the way
    bicleaner annotates its output. A record that cannot be read is dropped with that reason: nothing
    is lost. ``counts``: pairs kept and dropped, and the dropped per reason."""

    def __init__(self, options: Options) -> None:
        assert options.kept is not None and options.dropped is not None
        self._kept = _SpooledFile(options.kept)
        self._dropped = _SpooledFile(options.dropped)
        self._drop = options.drop or DEFAULT_DROP
        self._log_key = options.log_key
        self._reason_key = "mtfix_dropped"
        self.counts: dict[str, int] = {"kept": 0, "dropped": 0}
        self.reasons: dict[str, int] = {}

    def start(self, job: Job) -> None:
        self._kept.start(job)
        self._dropped.start(job)

    def block(self, job: Job, items: Items) -> None:
        kept: list[str] = []
        dropped: list[bytes] = []
        for u, r in items:
            bom = u.bom
            if u.error is not None or u.note is not None:
                if u.part:
                    continue  # a long record's later pieces: its first says it
                why = [("record.invalid", u.error or u.note or "")]
                raw = (u.original or (u.raw + u.end).encode())[len(bom.encode()) :]
                dropped.append(self._annotated(job, raw, why))
                continue
            if u.text is None:  # a blank line
                kept.append(bom + u.raw + u.end)
                continue
            result = r if r is not None else Result(u.text, u.text)
            why = [(f.kind, f.message) for f in result.flags if dropping(f.kind, self._drop)]
            if why:
                dropped.append(self._annotated(job, (u.raw + u.end).encode(), why))
            else:
                self.counts["kept"] += 1
                kept.append(bom + (u.raw if r is None else u.cleaned(r, self._log_key)) + u.end)
        self._kept._write(job, "".join(kept).encode())
        self._dropped._write(job, b"".join(dropped))

    def _annotated(self, job: Job, raw: bytes, why: list[tuple[str, str]]) -> bytes:
        self.counts["dropped"] += 1
        for kind, _ in why:
            self.reasons[kind] = self.reasons.get(kind, 0) + 1
        body, end = (
            (raw[:-2], b"\r\n") if raw.endswith(b"\r\n") else (raw[:-1], b"\n") if raw.endswith(b"\n") else (raw, b"\n")
        )
        text = body.decode("utf-8", "replace")
        if job.fmt == "jsonl" and _is_object(text):
            items = [{"kind": k, "message": m} for k, m in why]
            close = text.rstrip()
            sep = "" if close[:-1].rstrip().endswith("{") else ", "
            value = json.dumps(items, ensure_ascii=False)
            return (f"{close[:-1].rstrip()}{sep}{json.dumps(self._reason_key)}: {value}}}").encode() + end
        reasons = "; ".join(f"{k}: {m}" for k, m in why).replace("\t", " ").replace("\n", " ")
        return body + b"\t" + reasons.encode() + end

    def end(self, job: Job) -> None:
        self._kept.end(job)
        self._dropped.end(job)

    def drop(self, job: Job) -> None:
        self._kept.drop(job)
        self._dropped.drop(job)

    def finish(self) -> None:
        self._kept.finish()
        self._dropped.finish()

    def abort(self) -> None:
        self._kept.abort()
        self._dropped.abort()


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _in_line(r: Result, column: int) -> Result:
    """``r`` with its offsets counted from the start of the line (a piece of a long line starts at ``column``)."""
    if not column:
        return r
    changes = [replace(c, start=c.start + column, end=c.end + column) for c in r.changes]
    flags = [replace(f, start=f.start + column, end=f.end + column) for f in r.flags]
    return Result(r.original, r.text, changes, flags)


# ----------------------------------------------------------------------------------------- report


class ReportSink(Sink):
    """``mtfix report``, ``clean --report``: the review report (:mod:`mtfix.report`) of every unit with a
    change or a flag, written once the run is complete; the units of a file that failed are left out."""

    def __init__(self, options: Options) -> None:
        from mtfix.report import REPORT_LIMIT

        assert options.html_report is not None
        self.path = Path(options.html_report)
        self._inputs = list(options.paths) or ["standard input"]
        self._title = options.report_title or "mtfix review: " + ", ".join(self._inputs[:3]) + (
            f" and {len(self._inputs) - 3} more" if len(self._inputs) > 3 else ""
        )
        self._limit = options.report_limit or REPORT_LIMIT
        self._segments: dict[Job, list[Segment]] = {}
        self._done: list[Segment] = []
        self.truncated: dict[str, object] | None = None  # what the report left out, once written

    def start(self, job: Job) -> None:
        self._segments[job] = []

    def block(self, job: Job, items: Items) -> None:
        mine = self._segments[job]
        for u, r in items:
            if r is not None and (r.changes or r.flags):
                mine.append(Segment(job.name, u.line, u.column, r))

    def end(self, job: Job) -> None:
        self._done += self._segments.pop(job)

    def drop(self, job: Job) -> None:
        self._segments.pop(job, None)

    def finish(self) -> None:
        from mtfix.report import render
        from mtfix.review import report_data

        data = report_data(self._done, title=self._title, inputs=self._inputs, limit=self._limit)
        self.truncated = data["truncated"]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with AtomicFile(self.path) as f:
                f.write(render(data).encode())
        except OSError as e:
            raise UsageError(f"cannot write the report {self.path}: {e.strerror}") from None

    def abort(self) -> None:
        self._segments.clear()
        self._done.clear()


# ------------------------------------------------------------------------------------------ check


class CheckSink(Sink):
    """``check``: one finding a line, ``path:line:col: kind: message`` (or a JSON object), on standard output."""

    def __init__(self, stdout: BinaryIO, *, json: bool) -> None:
        self._stdout = stdout
        self._json = json

    def block(self, job: Job, items: Items) -> None:
        report: list[str] = []
        for u, r in items:
            if r is not None:
                report += self._findings(job.name, u.line, _in_line(r, u.column))
            elif u.error is not None and u.part == 0:  # a record that cannot be checked is a finding of its own
                report.append(self._invalid(job.name, u.line, u.error))
            elif u.note is not None:
                report.append(self._invalid(job.name, u.line, u.note, column=u.column + 1))
        if report:
            self.found = True
            self._stdout.write("".join(report).encode())

    def _invalid(self, name: str, line: int, error: str, column: int = 1) -> str:
        if self._json:
            item = {"path": name, "line": line, "column": column, "type": "error", "kind": "record.invalid"}
            return json.dumps({**item, "message": error}, ensure_ascii=False) + "\n"
        return f"{name}:{line}:{column}: record.invalid: {error}\n"

    def _findings(self, name: str, line: int, r: Result) -> list[str]:
        items = sorted(
            [(c.start, "change", c) for c in r.changes] + [(f.start, "flag", f) for f in r.flags],
            key=lambda t: t[0],
        )
        if self._json:
            return [
                json.dumps(
                    {"path": name, "line": line, "column": start + 1, "type": kind, **item.to_dict()},
                    ensure_ascii=False,
                )
                + "\n"
                for start, kind, item in items
            ]
        return [f"{name}:{line}:{start + 1}: {item.kind}: {item.message}\n" for start, _, item in items]


# ------------------------------------------------------------------------------------------- diff


class DiffSink(Sink):
    """``clean --diff``: the unified diff of every file that would change, on standard output; writes
    no file. ``found``: something would change."""

    def __init__(self, stdout: BinaryIO, *, color: bool) -> None:
        self._stdout = stdout
        self._color = color
        self._diffs: dict[Job, UnifiedDiff] = {}
        self._documents: dict[Job, dict[int, Result]] = {}
        self._pieces: dict[Job, tuple[list[str], list[str]]] = {}  # a long line's pieces so far

    def start(self, job: Job) -> None:
        self._diffs[job] = UnifiedDiff(lambda s: self._stdout.write(s.encode()), job.name, color=self._color)

    def block(self, job: Job, items: Items) -> None:
        diff = self._diffs[job]
        if job.document is not None:
            _document_results(job, items, self._documents)
            return
        for u, r in items:
            new = u.raw if r is None else u.cleaned(r, None)  # a record that cannot be cleaned stays
            self.found = self.found or new != u.raw
            if u.continues or u.part:  # the pieces of a long line are one line of the diff
                old_parts, new_parts = self._pieces.setdefault(job, ([], []))
                old_parts.append(u.bom + u.raw)
                new_parts.append(u.bom + new)
                if u.continues:
                    continue
                del self._pieces[job]
                diff.feed("".join(old_parts), "".join(new_parts), eol=bool(u.end))
            else:
                diff.feed(u.bom + u.raw, u.bom + new, eol=bool(u.end))

    def end(self, job: Job) -> None:
        diff = self._diffs.pop(job)
        if job.document is not None:  # the whole file before and after: a changed entry may rewrap (PO)
            results = self._documents.pop(job, {})
            if results:
                self.found = True
                self._document_diff(job, results)
            return
        diff.close()

    def _document_diff(self, job: Job, results: dict[int, Result]) -> None:
        import difflib

        encoding = job.document.encoding
        before = job.document.data.decode(encoding).splitlines(keepends=True)
        after = _render_document(job, results).decode(encoding).splitlines(keepends=True)
        out: list[str] = []
        for line in difflib.unified_diff(before, after, job.name, job.name):
            body = line.rstrip("\r\n")
            kind = "h" if line.startswith(("---", "+++")) else line[:1]
            colored = self._color and kind in _COLORS
            out.append(f"{_COLORS[kind]}{body}\x1b[0m\n" if colored else body + "\n")
            if not line.endswith("\n"):
                out.append(_NO_EOL + "\n")
        self._stdout.write("".join(out).encode())

    def drop(self, job: Job) -> None:
        self._documents.pop(job, None)
        self._diffs.pop(job, None)
        self._pieces.pop(job, None)


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
