"""File handling for the command line: streamed line reading, JSON Lines splicing, atomic writes.

Inputs are read as bytes and decoded line by line, so that invalid UTF-8 is reported with its byte
offset and a file of any size is read in bounded memory. A JSON Lines record is never re-serialised:
only the value of the cleaned text field (and of the log key) is spliced into the original line, so
every other byte of the record survives. Outputs go to a temporary file in the destination folder
that is renamed over the destination only once it is complete; the file is named after its host and
process, so that a later run removes what a killed one left (:func:`remove_leftovers`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "BOM",
    "AtomicFile",
    "InputError",
    "JsonLine",
    "Record",
    "decode_line",
    "looks_binary",
    "parse_jsonl_line",
    "parse_record",
    "raw_lines",
    "raw_windows",
    "remove_leftovers",
    "temp_prefix",
]

#: The byte order mark: accepted at the start of a file and written back where it was.
BOM = "\ufeff"

#: How much of a file :func:`looks_binary` inspects.
SNIFF_BYTES = 8192

#: The longest line read whole (``--max-line``); a longer one is read in windows (:func:`raw_windows`).
MAX_LINE = 1 << 20


class InputError(Exception):
    """A defect of one input (invalid UTF-8, a malformed record); the message names no file."""


def looks_binary(path: Path) -> bool:
    """Whether ``path`` has a NUL byte in its first :data:`SNIFF_BYTES` bytes."""
    with open(path, "rb") as f:
        return b"\0" in f.read(SNIFF_BYTES)


def raw_lines(stream: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """Yield ``(line number, byte offset, raw line)`` with 1-based numbers; the line keeps its ``\\n``."""
    offset = 0
    for number, raw in enumerate(stream, 1):
        yield number, offset, raw
        offset += len(raw)


@dataclass(frozen=True, slots=True)
class Window:
    """A piece of one line, at most the limit long: the whole line when it fits."""

    number: int  # the line's 1-based number
    offset: int  # of the piece's first byte in the file
    raw: bytes  # the piece; the last piece of a line keeps the line's terminator
    part: int  # 0 for a line's first piece
    continues: bool  # the line goes on in the next piece
    broken: bool  # a piece of a word longer than the limit (cut where no space was), no text to clean


# Where a long line is cut, best first: after a sentence end and its space, then after any space.
_SENTENCE_CUT = re.compile(rb"[.!?][\"')\]\xe2\x80\x9d\x99]*[ \t]+|\xe3\x80\x82")
_SPACE_CUT = re.compile(rb"[ \t]+")


def raw_windows(stream: BinaryIO, limit: int, *, cut_at_spaces: bool = True) -> Iterator[Window]:
    """The lines of ``stream`` in pieces of at most ``limit`` bytes, in bounded memory.

    A line that fits is one piece. A longer one is cut, with ``cut_at_spaces``, after the last sentence
    end in the second half of the piece (``. ``, ``?" ``, ``。``), else after its last space, so that
    each piece is text a fixer can clean on its own; where a piece holds no space it is cut at a UTF-8
    character boundary and marked ``broken``, and so is the rest of that word, up to its next space.
    Without ``cut_at_spaces`` (records that are not text) the cut is anywhere. ``limit`` 0: no limit
    (:func:`raw_lines`).
    """
    if limit <= 0:
        for number, offset, raw in raw_lines(stream):
            yield Window(number, offset, raw, 0, False, False)
        return
    number, offset, part, carry = 1, 0, 0, b""
    pending: Window | None = None  # a piece is yielded once it is known whether its line goes on
    in_word = False  # the last cut was inside a word: its rest, up to a space, is no text either
    while True:
        # a carry that holds its line's end is read no further: the next line is a piece of its own
        chunk = carry if carry.endswith(b"\n") else carry + stream.readline(limit - len(carry))
        carry = b""
        if not chunk:
            break
        if pending is not None:
            yield pending
        ends = chunk.endswith(b"\n") or len(chunk) < limit  # the line (or the file) ends in this piece
        space = _SPACE_CUT.search(chunk) if in_word else None
        if in_word and ((space is not None and space.start() > 0) or (space is None and ends)):
            cut = len(chunk) if space is None else space.start()  # the rest of the word
            chunk, carry = chunk[:cut], chunk[cut:]
            pending = Window(number, offset, chunk, part, bool(carry), True)
            number, part = (number, part + 1) if carry else (number + 1, 0)
            in_word = False
        elif ends:
            pending = Window(number, offset, chunk, part, False, False)
            number, part, in_word = number + 1, 0, False
        else:
            cut, in_word = _cut(chunk) if cut_at_spaces else (len(chunk), False)
            chunk, carry = chunk[:cut], chunk[cut:]
            pending = Window(number, offset, chunk, part, True, in_word)
            part += 1
        offset += len(chunk)
    if pending is not None:
        yield Window(pending.number, pending.offset, pending.raw, pending.part, False, pending.broken)


def _cut(chunk: bytes) -> tuple[int, bool]:
    half = len(chunk) // 2
    for pattern in (_SENTENCE_CUT, _SPACE_CUT):
        last = None
        for last in pattern.finditer(chunk, half if pattern is _SENTENCE_CUT else 0):  # noqa: B007
            pass
        if last is not None:  # (a piece that ends with a space is cut there: nothing carried over)
            return last.end(), False
    cut = len(chunk)
    while cut > len(chunk) - 4 and 0x80 <= chunk[cut - 1] <= 0xBF:  # not inside a UTF-8 character
        cut -= 1
    if chunk[cut - 1] >= 0xC0:  # the lead byte of a character cut short goes with it
        cut -= 1
    if chunk[cut - 1 : cut] == b"\r":  # a CRLF stays whole
        cut -= 1
    return cut, True


def decode_line(raw: bytes, offset: int) -> tuple[str, str]:
    """Decode one raw line into ``(text, terminator)``; the terminator is ``\\n``, ``\\r\\n`` or ``""``.

    Raises :class:`InputError` naming the byte offset (in the file) of invalid UTF-8. Decoding line
    by line is exact: the byte ``\\n`` never occurs inside a multi-byte UTF-8 sequence.
    """
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"invalid UTF-8 at byte offset {offset + e.start}") from None
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


_decoder = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class Record:
    """A JSON object line, with the positions needed to splice new values into it."""

    raw: str
    text: str  # the value of the text field
    text_span: tuple[int, int]  # where that value's JSON lies in ``raw``
    log_span: tuple[int, int] | None  # the log key's value, when the record already has one
    insert_at: int  # where a new member goes: after the last value, or inside ``{}``
    empty: bool  # the object has no members
    source: str | None = None  # the value of the source field (``--source-field``), when asked for

    def render(self, text: str | None, log_key: str, log_json: str | None) -> str:
        """The record with ``text`` as its text field (``None``: unchanged) and ``log_json`` under
        ``log_key`` (``None``: no log), every other byte as it was."""
        splices: list[tuple[int, int, str]] = []
        if text is not None and text != self.text:
            splices.append((*self.text_span, json.dumps(text, ensure_ascii=False)))
        if log_json is not None:
            if self.log_span is not None:
                splices.append((*self.log_span, log_json))
            else:
                sep = "" if self.empty else ", "
                at = self.insert_at
                splices.append((at, at, f"{sep}{json.dumps(log_key)}: {log_json}"))
        out: list[str] = []
        pos = 0
        for start, end, value in sorted(splices):
            out += [self.raw[pos:start], value]
            pos = end
        out.append(self.raw[pos:])
        return "".join(out)


def _skip(raw: str, i: int) -> int:
    """The index of the first non-whitespace character of ``raw`` at or after ``i``."""
    while i < len(raw) and raw[i] in " \t\n\r":
        i += 1
    return i


def parse_record(raw: str, field: str, log_key: str, source_field: str | None = None) -> Record:
    """Parse one JSON Lines record (a JSON object) whose ``field`` (and ``source_field``, when given)
    must hold a string.

    Only the top level is scanned by hand; member values are parsed by :mod:`json` itself, so what
    is accepted is what :func:`json.loads` accepts. Raises :class:`InputError`.
    """
    spans: dict[str, tuple[int, int, object]] = {}
    i = _skip(raw, 0)
    if raw[i : i + 1] != "{":
        raise InputError("not a JSON object")
    i = insert_at = _skip(raw, i + 1)
    empty = raw[i : i + 1] == "}"
    try:
        while not empty:
            if raw[i : i + 1] != '"':
                raise InputError(f"malformed JSON: expected a key in double quotes at column {i + 1}")
            key, i = scanstring(raw, i + 1)
            i = _skip(raw, i)
            if raw[i : i + 1] != ":":
                raise InputError(f"malformed JSON: expected ':' at column {i + 1}")
            start = _skip(raw, i + 1)
            value, end = _decoder.raw_decode(raw, start)
            spans[key] = (start, end, value)
            i = _skip(raw, end)
            insert_at = end
            if raw[i : i + 1] == "}":
                break
            if raw[i : i + 1] != ",":
                raise InputError(f"malformed JSON: expected ',' or '}}' at column {i + 1}")
            i = _skip(raw, i + 1)
    except json.JSONDecodeError as e:
        raise InputError(f"malformed JSON: {e.msg} at column {e.colno}") from None
    if _skip(raw, i + 1) != len(raw):
        raise InputError(f"malformed JSON: extra data after the object at column {i + 2}")
    if field not in spans:
        raise InputError(f"no {field!r} field")
    start, end, text = spans[field]
    if not isinstance(text, str):
        raise InputError(f"the {field!r} field is not a string")
    source = None
    if source_field is not None:
        if source_field not in spans:
            raise InputError(f"no {source_field!r} field (the source, --source-field)")
        source = spans[source_field][2]
        if not isinstance(source, str):
            raise InputError(f"the {source_field!r} field (the source) is not a string")
    log = spans.get(log_key)
    return Record(raw, text, (start, end), log and (log[0], log[1]), insert_at, empty, source)


@dataclass(frozen=True, slots=True)
class TsvRecord:
    """A tab-separated line of bitext: the target column is cleaned, every other byte stays."""

    raw: str
    text: str  # the target column
    text_span: tuple[int, int]
    source: str | None  # the source column, when there is one

    def render(self, text: str | None, log_key: str, log_json: str | None) -> str:
        """The line with ``text`` as its target column (``None``: unchanged); TSV has no room for a log."""
        if text is None or text == self.text:
            return self.raw
        a, b = self.text_span
        return self.raw[:a] + text + self.raw[b:]


def parse_tsv(raw: str, target: int, source: int | None) -> TsvRecord:
    """Parse one TSV line; ``target`` and ``source`` are 1-based column numbers. Raises :class:`InputError`
    for a line with too few columns (a tab inside the target would split it: a cleaned text never gains one)."""
    starts = [0]
    for i, ch in enumerate(raw):
        if ch == "\t":
            starts.append(i + 1)
    need = max(target, source or 0)
    if len(starts) < need:
        raise InputError(
            f"{len(starts)} column(s), but the {'target' if target == need else 'source'} is column {need}"
        )
    ends = [x - 1 for x in starts[1:]] + [len(raw)]
    a, b = starts[target - 1], ends[target - 1]
    src = None if source is None else raw[starts[source - 1] : ends[source - 1]]
    return TsvRecord(raw, raw[a:b], (a, b), src)


@dataclass(frozen=True, slots=True)
class JsonLine:
    """One raw line of a JSON Lines file as both engines see it: a record to clean, a blank line, or a
    line that cannot be cleaned (``error`` says why), which comes out exactly as it went in (``raw``)."""

    raw: bytes  # the line as read, terminator included
    text: str  # the line decoded, without terminator or BOM (invalid UTF-8: replaced, for display)
    end: str  # "\n", "\r\n" or ""
    bom: str  # BOM where the file starts with one, else ""
    record: Record | None  # None: blank, or not cleanable
    error: str | None  # why it cannot be cleaned


def parse_jsonl_line(
    raw: bytes, offset: int, *, first: bool, field: str, log_key: str, source_field: str | None = None
) -> JsonLine:
    """Read one JSON Lines line: never raises. A BOM on the first line is set aside (and written back
    by the caller); a malformed line, a non-object, a record without ``field`` or whose ``field`` is no
    string, or invalid UTF-8 is returned with its reason in ``error``."""
    try:
        line, end = decode_line(raw, offset)
    except InputError as e:
        end = "\r\n" if raw.endswith(b"\r\n") else "\n" if raw.endswith(b"\n") else ""
        shown = raw[: len(raw) - len(end)].decode("utf-8", "replace")
        return JsonLine(raw, shown, end, "", None, str(e))
    bom = BOM if first and line.startswith(BOM) else ""
    line = line[len(bom) :]
    if not line.strip():
        return JsonLine(raw, line, end, bom, None, None)
    try:
        return JsonLine(raw, line, end, bom, parse_record(line, field, log_key, source_field), None)
    except InputError as e:
        return JsonLine(raw, line, end, bom, None, str(e))


def temp_prefix(name: str) -> str:
    """The prefix of mtfix's temporary files for ``name``: the host and process that own them, so that
    a later run can tell a killed run's leftovers (removed) from a running one's (left alone)."""
    return f".{name}.mtfix-{_host()}-{os.getpid()}-"


_SWEPT: set[str] = set()  # folders this process has swept already


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files and folders that mtfix runs on this host left in ``folder`` when they
    were killed (SIGKILL, a power cut): those whose process no longer exists; a running one's stay.
    Each folder is swept once per process. Returns what was removed."""
    key = os.path.realpath(folder)
    if key in _SWEPT:
        return []
    _SWEPT.add(key)
    removed: list[Path] = []
    marker = f".mtfix-{_host()}-"
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        at = entry.name.find(marker)
        if not entry.name.startswith(".") or at < 0:
            continue
        pid = entry.name[at + len(marker) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def _host() -> str:
    return "".join(c if c.isalnum() else "_" for c in os.uname().nodename)[:40] or "host"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AtomicFile:
    """A file written under a temporary name next to ``path`` and renamed over it on :meth:`commit`.

    Until then ``path`` is untouched; :meth:`abort` (or an exception inside a ``with`` block) removes
    the temporary file. The new file gets the permissions of ``mode_from`` (the file it replaces,
    for in-place rewrites) or the usual ``0o666 & ~umask``. A symbolic link is followed (its target
    is replaced, not the link); a ``path`` that is no regular file (``/dev/null``, a named pipe,
    ``/dev/stdout``) is written directly, as there is nothing to rename over it.
    """

    def __init__(self, path: Path, *, mode_from: Path | None = None) -> None:
        self._mode_from = mode_from
        try:
            direct = not stat.S_ISREG(os.stat(path).st_mode)
        except FileNotFoundError:
            direct = False
        self._tmp: Path | None = None
        if direct:
            self.path = path
            self._file: BinaryIO | None = open(path, "wb")  # noqa: SIM115 - closed by commit or abort
            return
        self.path = Path(os.path.realpath(path))
        remove_leftovers(self.path.parent)  # what a killed run left here
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=temp_prefix(self.path.name), suffix=".tmp")
        self._tmp = Path(tmp)
        self._file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        assert self._file is not None, "write after commit or abort"
        self._file.write(data)

    @property
    def file(self) -> BinaryIO:
        assert self._file is not None, "file used after commit or abort"
        return self._file

    def commit(self, backup: Path | None = None) -> None:
        """Rename the finished file over ``path``, first copying the old ``path`` to ``backup``."""
        assert self._file is not None, "commit after commit or abort"
        if self._tmp is None:  # written directly
            self._file.close()
            self._file = None
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            if self._mode_from is not None:
                shutil.copymode(self._mode_from, self._tmp)
            else:
                os.chmod(self._tmp, 0o666 & ~_umask())
            if backup is not None:
                with AtomicFile(backup, mode_from=self.path) as copy, open(self.path, "rb") as old:
                    shutil.copyfileobj(old, copy.file)
                shutil.copystat(self.path, backup)
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Discard the temporary file; ``path`` stays as it was. Safe to call more than once."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._tmp is not None:
            with suppress(FileNotFoundError):
                self._tmp.unlink()

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
