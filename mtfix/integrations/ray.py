"""Clean a corpus on a Ray cluster with Ray Data (``pip install 'mtfix[ray]'``).

:func:`clean_dataset` adds cleaning to any :class:`ray.data.Dataset`: a pool of actors each builds
one :class:`mtfix.Cleaner` (loading the model once, up front) and cleans batches of rows. The text
column comes back cleaned, a log column gains each row's change log as a JSON string, and every
other column is passed through untouched (the batches are Arrow tables; nothing goes through pandas)::

    import ray, mtfix
    from mtfix.integrations.ray import clean_dataset

    ds = ray.data.read_parquet("s3://bucket/corpus/")
    ds = clean_dataset(ds, "text", config=mtfix.Config(model=None), concurrency=8)
    ds.write_parquet("s3://bucket/cleaned/")

Each log entry is ``{"changes": [...], "flags": [...], "error": null}`` with the changes and flags of
:meth:`mtfix.Change.to_dict` / :meth:`mtfix.Flag.to_dict`. A row whose text is null or not a string
(or that makes a fixer fail) comes out unchanged with a message under ``"error"``: one bad row never
fails the job.

:func:`clean_files` is ``mtfix clean --engine ray``: Parquet files go through :func:`clean_dataset`;
JSON Lines files are read as raw lines and each record's text field is spliced back into the line
exactly as the local engine does, so every other byte of a record is kept (and the output equals
the local engine's, byte for byte). Every row carries its file and row number through the job, so
each output is named after its input and keeps its order; Ray's own output is silenced unless
``verbose``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mtfix import Cleaner, Config, Result
from mtfix._common import UsageError, log_entry, threads_per_worker, walk, within
from mtfix._quiet import quiet
from mtfix.integrations import RAY_INSTALL_HINT, settle_fsspec_http
from mtfix.io import MAX_LINE, JsonLine, parse_jsonl_line, raw_windows, remove_leftovers, temp_prefix

try:
    import pyarrow as pa
    import ray
    import ray.data
    from ray.data.block import BlockAccessor
    from ray.data.datasource import Datasink, FileBasedDatasource
except ImportError as e:  # pragma: no cover - exercised in a subprocess without Ray
    raise ImportError(f"mtfix.integrations.ray needs Ray Data ({e}); {RAY_INSTALL_HINT}") from e

__all__ = ["FilesReport", "UsageError", "clean_dataset", "clean_files"]


#: Whether fsspec's HTTP filesystem cannot be imported (see :func:`mtfix.integrations.settle_fsspec_http`).
_FSSPEC_HTTP_MISSING = settle_fsspec_http()

#: Input files :func:`clean_files` takes from folders.
DEFAULT_GLOBS = ("*.parquet", "*.jsonl")

Concurrency = int | tuple[int, int] | tuple[int, int, int]


# ------------------------------------------------------------------------------------- the cleaning


def _clean_values(cleaner: Cleaner, values: Sequence[Any], name: str) -> list[Result | str]:
    """Clean every ``str`` of ``values`` in one batch; anything else gives an error message.

    If the batch fails (a bug in a fixer), the rows are cleaned one by one so that only the row
    that fails gets an error.
    """
    out: list[Result | str] = [
        f"the {name!r} value is null" if v is None else f"the {name!r} value is not a string ({type(v).__name__})"
        for v in values
    ]
    todo = [i for i, v in enumerate(values) if isinstance(v, str)]
    results: list[Result | str]
    try:
        results = list(cleaner.clean_batch([values[i] for i in todo]))
    except Exception:
        results = []
        for i in todo:
            try:
                results.append(cleaner.clean(values[i]))
            except Exception as e:
                results.append(f"internal error while cleaning: {type(e).__name__}: {e}")
    for i, r in zip(todo, results, strict=True):
        out[i] = r
    return out


def _log_entry(r: Result | str) -> str:
    """The log column of one row: its change log, and its error (``None`` when it was cleaned)."""
    return log_entry(None, error=r) if isinstance(r, str) else log_entry(r, error=None)


def _object_array(values: list[Any], name: str) -> pa.Array:
    """An Arrow array of mixed Python values, the way Ray Data builds one (pickled-object extension)."""
    try:
        from ray.data._internal.tensor_extensions.arrow import convert_to_pyarrow_array
    except ImportError:  # older Ray
        from ray.air.util.tensor_extensions.arrow import convert_to_pyarrow_array
    return convert_to_pyarrow_array(values, name)


def _text_array(column: pa.ChunkedArray, values: list[Any], name: str) -> pa.Array | pa.ChunkedArray:
    """``values`` as an array of ``column``'s type when possible (e.g. ``large_string`` stays so)."""
    try:
        return pa.array(values, type=column.type)
    except (pa.ArrowException, TypeError, ValueError):
        return _object_array(values, name)


class _CleanerUDF:
    """The callable class behind :func:`clean_dataset`: one :class:`Cleaner` per actor."""

    def __init__(self, config: Config, column: str, output_column: str, log_column: str | None) -> None:
        self.cleaner = Cleaner(config).load()  # a model that cannot load fails the job here, up front
        self.column = column
        self.output_column = output_column
        self.log_column = log_column

    def __call__(self, batch: pa.Table) -> pa.Table:
        if self.column not in batch.column_names:
            raise KeyError(f"mtfix: no column {self.column!r} in the dataset (columns: {batch.column_names})")
        column = batch.column(self.column)
        values = column.to_pylist()
        results = _clean_values(self.cleaner, values, self.column)
        texts = [r.text if isinstance(r, Result) else v for r, v in zip(results, values, strict=True)]
        changed = any(isinstance(r, Result) and r.text != r.original for r in results)
        batch = _set_column(batch, self.output_column, _text_array(column, texts, self.column) if changed else column)
        if self.log_column is not None:
            batch = _set_column(batch, self.log_column, pa.array([_log_entry(r) for r in results], pa.string()))
        return batch


def _set_column(table: pa.Table, name: str, array: pa.Array | pa.ChunkedArray) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, name, array) if i >= 0 else table.append_column(name, array)


def _compute(concurrency: Concurrency) -> ray.data.ActorPoolStrategy:
    if isinstance(concurrency, int) and not isinstance(concurrency, bool):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        return ray.data.ActorPoolStrategy(size=concurrency)
    if isinstance(concurrency, tuple) and len(concurrency) in (2, 3) and all(isinstance(n, int) for n in concurrency):
        low, high = concurrency[0], concurrency[1]
        if not 1 <= low <= high:
            raise ValueError(f"concurrency {concurrency}: need 1 <= min <= max")
        if len(concurrency) == 3:  # initial_size: Ray >= 2.44
            return ray.data.ActorPoolStrategy(min_size=low, max_size=high, initial_size=concurrency[2])
        return ray.data.ActorPoolStrategy(min_size=low, max_size=high)
    raise ValueError(f"concurrency must be an int or a (min, max[, initial]) tuple, not {concurrency!r}")


def _actor_config(config: Config | None, num_cpus: float) -> Config:
    # torch would start a thread per core of the node in every actor: one per reserved CPU
    return threads_per_worker(config or Config(), num_cpus)


def clean_dataset(
    ds: ray.data.Dataset,
    column: str = "text",
    *,
    config: Config | None = None,
    output_column: str | None = None,
    log_column: str | None = "mtfix",
    concurrency: Concurrency = 1,
    num_cpus: float = 1,
    num_gpus: float = 0,
    batch_size: int = 256,
) -> ray.data.Dataset:
    """Clean the ``column`` of every row of ``ds`` with a pool of Ray actors; returns a new (lazy) dataset.

    ``config`` is the :class:`mtfix.Config` of every actor's :class:`mtfix.Cleaner` (default:
    ``Config()``: rules and grammar; ``Config(model="default")`` adds the shipped model). The cleaned
    text goes to ``output_column`` (default: ``column`` itself, overwritten) and each row's change log,
    a JSON string ``{"changes": [...], "flags": [...], "error": null}``, to ``log_column`` (``None``:
    no log). Every other column is kept unchanged. A row whose text is null or not a string comes out
    unchanged, with the reason under ``"error"``.

    ``concurrency`` is the number of actors, or a ``(min, max)`` range for an autoscaling pool; each
    actor reserves ``num_cpus`` CPUs and ``num_gpus`` GPUs and gets batches of ``batch_size`` rows.
    With a model and no ``config.threads``, each actor's torch uses ``int(num_cpus)`` threads.

    Leave the cluster at least one CPU beyond ``concurrency * num_cpus``: Ray Data starts the actors
    first, and a read or write task that cannot get a CPU waits forever (on a 2-CPU machine, two
    actors of one CPU each hang the job; :func:`clean_files` sizes ``num_cpus`` to avoid this).
    """
    output_column = output_column or column
    if log_column is not None and log_column in (column, output_column):
        raise ValueError(f"log_column {log_column!r} must differ from the text columns")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return ds.map_batches(
        _CleanerUDF,
        fn_constructor_kwargs={
            "config": _actor_config(config, num_cpus),
            "column": column,
            "output_column": output_column,
            "log_column": log_column,
        },
        compute=_compute(concurrency),
        num_cpus=num_cpus,
        num_gpus=num_gpus,
        batch_size=batch_size,
        batch_format="pyarrow",
    )


# ------------------------------------------------------------------------------- reading and writing

#: The hidden columns :func:`clean_files` gives each row: its input file and its place in that file.
#: The writer groups the rows by them, so that each output is named after its input and in its order.
_PATH = "__mtfix_path__"
_ROW = "__mtfix_row__"


class _ParquetDatasource(FileBasedDatasource):
    """Reads Parquet files batch by batch, each row tagged with its file and row number (``_PATH``, ``_ROW``)."""

    ROWS_PER_BLOCK = 8192

    def _open_input_source(self, filesystem: Any, path: str, **open_args: Any) -> Any:
        return filesystem.open_input_file(path)  # Parquet needs random access, not a stream

    def _read_stream(self, f: Any, path: str) -> Iterator[pa.Table]:
        import pyarrow.parquet as pq

        row = 0
        for batch in pq.ParquetFile(f).iter_batches(batch_size=self.ROWS_PER_BLOCK):
            table = pa.Table.from_batches([batch])
            n = table.num_rows
            table = table.append_column(_PATH, pa.array([path] * n, pa.string()))
            yield table.append_column(_ROW, pa.array(range(row, row + n), pa.int64()))
            row += n


class _LineReader:
    """``readline(size)`` over a file that only has ``read`` (a pyarrow stream), for :func:`raw_windows`."""

    def __init__(self, f: Any, chunk: int) -> None:
        self._f, self._chunk = f, chunk
        self._buf, self._pos = b"", 0

    def readline(self, size: int = -1) -> bytes:
        while True:
            end = len(self._buf) if size < 0 else min(len(self._buf), self._pos + size)
            i = self._buf.find(b"\n", self._pos, end)
            if i >= 0 or end - self._pos == size:
                stop = i + 1 if i >= 0 else end
                line, self._pos = self._buf[self._pos : stop], stop
                return line
            data = self._f.read(self._chunk)
            if not data:
                line, self._buf, self._pos = self._buf[self._pos : end], self._buf[end:], 0
                return line
            self._buf, self._pos = self._buf[self._pos :] + data, 0

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


class _JsonLinesDatasource(FileBasedDatasource):
    """Reads files as raw lines (bytes, each with its ``\\n``), in blocks: columns ``_PATH``, ``_ROW``
    (the row's place in the file), line (its number), offset, raw, long.

    Lines are split on ``\\n`` only (as the local engine does), never decoded here: an invalid
    line is the cleaning step's to report, not the reader's. A line longer than ``max_line`` (0: no
    limit) is read in pieces and never held: its row has no ``raw`` but its length in ``long``, and
    the driver copies those bytes from the input into the output (:func:`_assemble`).
    """

    LINES_PER_BLOCK = 8192
    CHUNK_BYTES = 4 << 20

    def __init__(self, paths: Sequence[str], max_line: int) -> None:
        super().__init__(list(paths))
        self.max_line = max_line

    def _read_stream(self, f: Any, path: str) -> Iterator[pa.Table]:
        columns: dict[str, list[Any]] = {"line": [], "offset": [], "raw": [], "long": []}
        row = 0
        long_at = long_size = 0  # the long line being read in pieces: its offset and bytes so far

        def block() -> pa.Table:
            nonlocal row
            n = len(columns["raw"])
            table = pa.table(
                {
                    _PATH: pa.array([path] * n, pa.string()),
                    _ROW: pa.array(range(row, row + n), pa.int64()),
                    "line": pa.array(columns["line"], pa.int64()),
                    "offset": pa.array(columns["offset"], pa.int64()),
                    "raw": pa.array(columns["raw"], pa.binary()),
                    "long": pa.array(columns["long"], pa.int64()),
                }
            )
            row += n
            for values in columns.values():
                values.clear()
            return table

        for w in raw_windows(_LineReader(f, self.CHUNK_BYTES), self.max_line, cut_at_spaces=False):
            if w.part == 0 and not w.continues:
                raw, size, offset = w.raw, 0, w.offset
            else:  # a piece of a line longer than the limit: counted, not kept
                if w.part == 0:
                    long_at, long_size = w.offset, 0
                long_size += len(w.raw)
                if w.continues:
                    continue
                raw, size, offset = b"", long_size, long_at
            for key, value in (("line", w.number), ("offset", offset), ("raw", raw), ("long", size)):
                columns[key].append(value)
            if len(columns["raw"]) >= self.LINES_PER_BLOCK:
                yield block()
        if columns["raw"]:
            yield block()


def _runs(table: pa.Table) -> Iterator[tuple[str, int, pa.Table]]:
    """The rows of ``table`` as runs of consecutive rows of one file: (file, first row, rows)."""
    table = table.sort_by([(_PATH, "ascending"), (_ROW, "ascending")])
    paths = table.column(_PATH).to_pylist()
    rows = table.column(_ROW).to_pylist()
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or paths[i] != paths[start] or rows[i] != rows[i - 1] + 1:
            yield paths[start], rows[start], table.slice(start, i - start)
            start = i


Warning = tuple[str, int, str]  # (input file, line number, what is wrong)


class _PartsDatasink(Datasink[list[Warning]]):
    """Writes each block as parts, one per input file it holds rows of, named after the file's index
    and the part's first row (``folder/7/000000004096.part``): :func:`_assemble` joins them in order.

    JSON Lines parts are the ``raw`` bytes; Parquet parts are Parquet files without the hidden columns.
    A write returns the ``warning`` of each JSON Lines record passed through unchanged, for the driver
    to print (printed by a worker, a warning could be lost or folded into "repeated" lines by Ray).
    """

    def __init__(self, folder: str, files: Sequence[str], fmt: str) -> None:
        self.folder = folder
        self.index = {os.path.abspath(f): i for i, f in enumerate(files)}
        self.fmt = fmt
        self.warnings: list[Warning] = []

    def write(self, blocks: Iterable[Any], ctx: Any) -> list[Warning]:  # type: ignore[override]
        import pyarrow.parquet as pq

        warnings: list[Warning] = []
        for block in blocks:
            table = BlockAccessor.for_block(block).to_arrow()
            if table.num_rows == 0:
                continue
            if "warning" in table.column_names:
                for path, line, warning in zip(
                    table.column(_PATH).to_pylist(),
                    table.column("line").to_pylist(),
                    table.column("warning").to_pylist(),
                    strict=True,
                ):
                    if warning is not None:
                        warnings.append((path, line, warning))
            for path, first, run in _runs(table):
                folder = os.path.join(self.folder, str(self.index[os.path.abspath(path)]))
                os.makedirs(folder, exist_ok=True)
                if self.fmt == "jsonl":
                    _write_jsonl_parts(folder, first, run)
                else:
                    pq.write_table(run.drop_columns([_PATH, _ROW]), os.path.join(folder, f"{first:012d}.part"))
        return warnings

    def on_write_complete(self, write_result: Any) -> None:
        self.warnings = sorted(w for ws in write_result.write_returns for w in ws or ())


def _write_jsonl_parts(folder: str, first: int, run: pa.Table) -> None:
    """Consecutive rows of one JSON Lines file as ``.part`` files of their bytes, and each record too
    long to hold as a ``.copy`` file naming its bytes in the input (``offset size``)."""
    f = None
    try:
        columns = (run.column(name).to_pylist() for name in ("raw", "long", "offset"))
        for i, (raw, long, offset) in enumerate(zip(*columns, strict=True)):
            if long:
                if f is not None:
                    f.close()
                    f = None
                with open(os.path.join(folder, f"{first + i:012d}.copy"), "w", encoding="ascii") as c:
                    c.write(f"{offset} {long}")
                continue
            if f is None:
                f = open(os.path.join(folder, f"{first + i:012d}.part"), "wb")  # noqa: SIM115
            f.write(raw)
    finally:
        if f is not None:
            f.close()


def _copy_range(source: str, offset: int, size: int, out: Any) -> None:
    """Copy ``size`` bytes of ``source`` from ``offset`` to ``out``, a megabyte at a time."""
    with open(source, "rb") as f:
        f.seek(offset)
        while size > 0:
            data = f.read(min(size, 1 << 20))
            if not data:
                raise OSError(f"{source}: changed while it was cleaned (shorter than expected)")
            out.write(data)
            size -= len(data)


def _assemble(parts: Path, source: str, dest: Path, fmt: str, log_key: str | None) -> None:
    """Join the parts of one input file, in row order, into ``dest`` (streamed: a part at a time)."""
    import pyarrow.parquet as pq

    files = sorted(parts.iterdir()) if parts.is_dir() else []
    dest.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        with open(dest, "wb") as out:
            for part in files:
                if part.suffix == ".copy":
                    offset, size = map(int, part.read_text(encoding="ascii").split())
                    _copy_range(source, offset, size, out)
                    continue
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out)
        return
    if files:
        schema = pa.unify_schemas([pq.read_schema(p) for p in files])
    else:  # no rows: the input's columns and the log's
        schema = pq.read_schema(source)
        if log_key is not None and log_key not in schema.names:
            schema = schema.append(pa.field(log_key, pa.string()))
    with pq.ParquetWriter(dest, schema) as writer:
        for part in files:
            for batch in pq.ParquetFile(part).iter_batches():
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
        if not files:
            writer.write_table(schema.empty_table())


class _JsonLinesUDF:
    """Cleans the ``field`` of raw JSON Lines records, splicing text and log into the original line.

    The record policy of the local engine (:func:`mtfix.io.parse_jsonl_line`): a line that cannot be
    cleaned (invalid UTF-8, not a JSON object, no string ``field``) passes through unchanged, with the
    reason in the ``warning`` column (the writer hands them to the driver, which prints them); a BOM is kept.
    So does a record longer than ``max_line`` (a row with ``long`` set), never parsed.
    """

    def __init__(self, config: Config, field: str, log_key: str | None, max_line: int) -> None:
        self.cleaner = Cleaner(config).load()
        self.field = field
        self.log_key = log_key
        self.max_line = max_line

    def __call__(self, batch: pa.Table) -> pa.Table:
        raws: list[bytes] = batch.column("raw").to_pylist()
        numbers = batch.column("line").to_pylist()
        offsets = batch.column("offset").to_pylist()
        longs = batch.column("long").to_pylist()
        out: list[bytes] = list(raws)
        warnings: list[str | None] = [None] * len(raws)
        todo: list[tuple[int, JsonLine]] = []
        for i, raw in enumerate(raws):
            if longs[i]:  # as the local engine says it (mtfix.cli.stream)
                warnings[i] = f"record longer than --max-line ({self.max_line:,} bytes)"
                continue
            parsed = parse_jsonl_line(
                raw, offsets[i], first=numbers[i] == 1, field=self.field, log_key=self.log_key or ""
            )
            if parsed.error is not None:
                warnings[i] = parsed.error
            elif parsed.record is not None:
                todo.append((i, parsed))
        results = _clean_values(self.cleaner, [p.record.text for _, p in todo if p.record], self.field)
        for (i, parsed), r in zip(todo, results, strict=True):
            assert parsed.record is not None
            if isinstance(r, str):
                warnings[i] = r
                continue
            entry = log_entry(r) if self.log_key else None
            out[i] = (parsed.bom + parsed.record.render(r.text, self.log_key or "", entry) + parsed.end).encode()
        return pa.table(
            {
                _PATH: batch.column(_PATH),
                _ROW: batch.column(_ROW),
                "line": batch.column("line"),
                "offset": batch.column("offset"),
                "raw": pa.array(out, pa.binary()),
                "long": batch.column("long"),
                "warning": pa.array(warnings, pa.string()),
            }
        )


# ----------------------------------------------------------------------------------------- files


@dataclasses.dataclass
class FilesReport:
    """What :func:`clean_files` did."""

    inputs: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # format -> input files
    outputs: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    #: JSON Lines records that could not be cleaned, passed through unchanged: (file, line, why), in order
    warnings: list[Warning] = dataclasses.field(default_factory=list)

    @property
    def bad_records(self) -> int:
        return len(self.warnings)

    def summary(self) -> str:
        what = ", ".join(f"{len(files)} {fmt}" for fmt, files in self.inputs.items())
        line = f"mtfix: {what} input file(s) cleaned into {len(self.outputs)} file(s) in {self.seconds:.1f} s (Ray)"
        if self.bad_records:
            line += f"\nmtfix:   {self.bad_records:,} record(s) not cleaned (passed through unchanged)"
        return line


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".jsonl", ".json"):
        return "jsonl"
    raise UsageError(f"{path}: --engine ray reads *.parquet and *.jsonl files (use --engine local for text)")


def _find_inputs(
    paths: Sequence[str | Path], globs: Sequence[str], out: Path
) -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """The input files by format, folders walked (hidden names skipped); the name of each one's
    output relative to the output folder (its path below the folder the inputs have in common, as
    the local engine names them); and each one's path as the user wrote it, for messages.
    Refuses an output folder inside an input folder."""
    found: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    roots: list[str] = []  # the folder each input is mirrored relative to
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            found.setdefault(_format(path), []).append(os.path.abspath(path))
            shown[os.path.abspath(path)] = str(path)

    for arg in paths:
        path = Path(arg)
        if str(arg) == "-":
            raise UsageError("--engine ray reads files and folders, not standard input")
        if path.is_dir():
            if within(out, path):
                raise UsageError(
                    f"{out} is inside the input folder {arg}: the next run would read its own output as input; "
                    "write it outside the folders being cleaned"
                )
            roots.append(os.path.abspath(path))
            for file in walk(path, globs, None):
                add(file)
        elif path.is_file():
            roots.append(os.path.dirname(os.path.abspath(path)))
            add(path)
        else:
            raise UsageError(f"{arg}: no such file or folder")
    if not found:
        raise UsageError(f"no input files ({' '.join(globs)}) in {' '.join(map(str, paths))}")
    base = os.path.commonpath(roots)
    names = {f: os.path.relpath(f, base) for files in found.values() for f in files}
    return found, names, shown


def _check_columns(files: Sequence[str]) -> None:
    """Refuse Parquet inputs that already have the hidden columns (read from each file's footer)."""
    import pyarrow.parquet as pq

    for file in files:
        try:
            names = pq.read_schema(file).names
        except (OSError, pa.ArrowException) as e:
            raise UsageError(f"{file}: not a Parquet file ({e})") from None
        taken = [n for n in (_PATH, _ROW) if n in names]
        if taken:
            raise UsageError(f"{file}: the column {taken[0]} is mtfix's own name; rename it")


def _actor_cpus(concurrency: Concurrency, cpus: float) -> float:
    """CPUs each cleaning actor reserves: one, or less so that the pool leaves one CPU of the cluster free.

    Ray Data starts an actor pool before any read task runs; were the actors to hold every CPU, the
    read and write tasks (which reserve one) would never start and the job would wait forever.
    """
    most = concurrency if isinstance(concurrency, int) else concurrency[1]
    return min(1.0, max(0.0, cpus - 1) / most)


def _init_ray(address: str | None, quiet: bool) -> bool:
    """Connect to ``address`` (or ``RAY_ADDRESS``), else start a local instance; True if we started Ray."""
    if ray.is_initialized():
        return False
    # quiet: Ray's own lines hidden, and no worker output relayed (warnings come back as data)
    options: dict[str, Any] = {"logging_level": "ERROR", "log_to_driver": False} if quiet else {}
    if _FSSPEC_HTTP_MISSING:  # Ray Data's read tasks race on that import too: settle it in every worker
        options["runtime_env"] = {"worker_process_setup_hook": "mtfix.integrations.settle_fsspec_http"}
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address:
        ray.init(address=address, **options)
    else:
        # "local": a new instance even if another one runs on this machine (ray.init() would join it).
        # One CPU more than the cores: the light read and write tasks get it while the cleaning
        # actors hold one CPU per core (see _actor_cpus).
        ray.init(address="local", num_cpus=(os.cpu_count() or 1) + 1, include_dashboard=False, **options)
    return True


def clean_files(
    paths: Sequence[str | Path],
    output: str | Path,
    *,
    field: str = "text",
    log_key: str | None = "mtfix",
    config: Config | None = None,
    address: str | None = None,
    concurrency: Concurrency | None = 1,
    batch_size: int = 256,
    globs: Sequence[str] | None = None,
    max_line: int = MAX_LINE,
    verbose: bool = False,
) -> FilesReport:
    """Clean Parquet and JSON Lines files with Ray Data into the folder ``output`` (``mtfix clean --engine ray``).

    ``paths`` are files or folders (walked for ``globs``, default ``*.parquet`` and ``*.jsonl``).
    Each input file is written in its format to ``output``, under its path below the folder the
    inputs have in common (as ``--engine local`` names them), its rows in their order; ``output``
    must be empty or not exist, and may not lie inside an input folder. Ray's workers write parts
    to a temporary folder beside ``output``; the driver joins each file's parts in order and
    moves the files into ``output`` once the whole run has succeeded (a failed run writes nothing).
    ``field`` is the column or record field cleaned, ``log_key`` the column or key of each row's
    change log (``None``: none). A JSON Lines record longer than ``max_line`` bytes (0: no limit) is
    never held in memory: it passes through unchanged, copied from the input, with a warning.

    Ray is started locally (one CPU per core, plus one for reading and writing) unless ``address``
    (or ``RAY_ADDRESS``) names a cluster; on a cluster of several machines, every path must be on
    storage that all of them share, and mtfix installed on every machine.
    ``concurrency`` is the number of cleaning actors, a ``(min, max)`` range, or ``None`` for one to
    the number of CPUs of the cluster. Ray's own log lines and progress bars are shown only with
    ``verbose``. Raises :class:`UsageError` for bad arguments.
    """
    started = time.perf_counter()
    if log_key is not None and log_key == field:
        raise UsageError("the log key must differ from the field")
    out = Path(output).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{output}: --engine ray needs an empty or new output folder")
    inputs, names, shown = _find_inputs(paths, globs or DEFAULT_GLOBS, out)
    _check_columns(inputs.get("parquet", []))
    report = FilesReport(inputs=inputs)
    config = config or Config()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out.parent)  # a killed run's temporary folder
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=temp_prefix(out.name)))
    except OSError as e:
        raise UsageError(f"cannot write {output}: {e.strerror}") from None
    started_ray = False
    # Ray's C++ core writes to file descriptor 2 itself: only --verbose lets it through
    with contextlib.nullcontext() if verbose else quiet():
        try:
            started_ray = _init_ray(address, quiet=not verbose)
            cpus = float(ray.cluster_resources().get("CPU", 1))
            if concurrency is None:
                concurrency = (1, max(1, int(cpus) - 1))
            actor_cpus = _actor_cpus(concurrency, cpus)
            with _data_settings(quiet=not verbose):
                warnings = _run_files(
                    report.inputs, tmp, names, field, log_key, config, concurrency, actor_cpus, batch_size, max_line
                )
                report.warnings = [(shown.get(os.path.abspath(p), p), line, why) for p, line, why in warnings]
            out.mkdir(exist_ok=True)
            for name in sorted(names.values()):
                dest = out / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp / "out" / name, dest)
                report.outputs.append(str(dest))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if started_ray:
                ray.shutdown()
    report.seconds = time.perf_counter() - started
    return report


@contextlib.contextmanager
def _data_settings(quiet: bool) -> Iterator[None]:
    """The Ray Data settings of :func:`clean_files`, put back as they were afterwards."""
    context = ray.data.DataContext.get_current()
    options = context.execution_options
    handlers = [  # Ray Data's progress lines on stderr
        h
        for h in logging.getLogger("ray.data").handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
    ]
    saved = (options.preserve_order, context.enable_progress_bars)
    levels = [h.level for h in handlers]
    try:
        options.preserve_order = True  # rows reach the writer in input order (the parts are ordered anyway)
        if quiet:
            context.enable_progress_bars = False
            for h in handlers:
                h.setLevel(logging.ERROR)
        yield
    finally:
        options.preserve_order, context.enable_progress_bars = saved
        for h, level in zip(handlers, levels, strict=True):
            h.setLevel(level)


def _run_files(
    inputs: dict[str, list[str]],
    tmp: Path,
    names: dict[str, str],
    field: str,
    log_key: str | None,
    config: Config,
    concurrency: Concurrency,
    actor_cpus: float,
    batch_size: int,
    max_line: int,
) -> list[Warning]:
    """Clean each format's files into ``tmp/out`` under their ``names`` (the Ray jobs of :func:`clean_files`);
    returns the JSON Lines records that could not be cleaned (passed through unchanged), in order."""
    warnings: list[Warning] = []
    for fmt, files in inputs.items():
        parts = tmp / f"parts-{fmt}"
        if fmt == "parquet":
            ds = ray.data.read_datasource(_ParquetDatasource(files))
            ds = clean_dataset(
                ds,
                field,
                config=config,
                log_column=log_key,
                concurrency=concurrency,
                num_cpus=actor_cpus,
                batch_size=batch_size,
            )
        else:
            ds = ray.data.read_datasource(_JsonLinesDatasource(files, max_line))
            ds = ds.map_batches(
                _JsonLinesUDF,
                fn_constructor_kwargs={
                    "config": _actor_config(config, actor_cpus),
                    "field": field,
                    "log_key": log_key,
                    "max_line": max_line,
                },
                compute=_compute(concurrency),
                num_cpus=actor_cpus,
                batch_size=batch_size,
                batch_format="pyarrow",
            )
        sink = _PartsDatasink(str(parts), files, fmt)
        ds.write_datasink(sink)
        warnings += sink.warnings
        for i, file in enumerate(files):
            _assemble(parts / str(i), file, tmp / "out" / names[file], fmt, log_key)
        shutil.rmtree(parts, ignore_errors=True)
    return warnings
