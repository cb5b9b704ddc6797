"""The Ray engine: :func:`mtfix.integrations.ray.clean_dataset` and ``mtfix clean --engine ray``.

The tests that run Ray skip when it is not installed (``pip install 'mtfix[ray]'``); they share one
small local Ray instance (2 CPUs, 200 MB object store) started once for this module. Every result is
compared row by row with :meth:`mtfix.Cleaner.clean` on the same text. The tests of what happens
without Ray, and of the command line's refusals, run everywhere.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mtfix
from mtfix.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")  # Ray's own

ROOT = Path(__file__).resolve().parents[1]
SKIP_REASON = "Ray Data is not installed (pip install 'mtfix[ray]'); the Ray engine tests need it"

DAMAGED = [
    "Kim Jong -un arrived.He left.",
    "He said ,, no .",
    "North Korea.At the same time, the talks went on.",
    'They praised the cooperation.""" ".',
    "June , Pétain signed the armistice.",
    "The the meeting was held in Beijing。",
    "cafÃ© prices rose by 5 %.",
    "A clean sentence, nothing to do.",
    "",
    "这是一个测试。 The rest is English.",
    "China -DPRK strategic talks ( c ) continued .",
]
N_ROWS = 50
NULL_ROW = 7


def _rows() -> list[dict[str, Any]]:
    """50 rows of several column types; the text of row 7 is null."""
    return [
        {
            "id": i,
            "text": None if i == NULL_ROW else DAMAGED[i % len(DAMAGED)],
            "score": None if i % 5 == 0 else i / 4,
            "count": None if i % 3 == 0 else i * 1000,
            "tags": [f"t{i}", "mt"],
            "ok": i % 2 == 0,
            "when": datetime.datetime(2021, 1, 1) + datetime.timedelta(hours=i),
            "blob": bytes([i, 0, 255]),
            "meta": {"lang": "zh-en", "n": i},
        }
        for i in range(N_ROWS)
    ]


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
    env.pop("RAY_ADDRESS", None)
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )


def _expected_log(result: mtfix.Result) -> dict[str, Any]:
    return {
        "changes": [c.to_dict() for c in result.changes],
        "flags": [f.to_dict() for f in result.flags],
        "error": None,
    }


def check_rows(
    got: list[dict[str, Any]],
    source: list[dict[str, Any]],
    rules: mtfix.Cleaner,
    *,
    text: str = "text",
    output: str = "text",
    log: str = "mtfix",
) -> None:
    """Each output row: the text as ``Cleaner.clean`` cleans it, its change log, the other columns as they were."""
    by_id = {row["id"]: row for row in got}
    assert sorted(by_id) == sorted(row["id"] for row in source), "rows lost or duplicated"
    changed = 0
    for src in source:
        row = by_id[src["id"]]
        assert set(row) == set(src) | {output, log}
        for key, value in src.items():
            if key != output:
                assert row[key] == value, (src["id"], key)
        entry = json.loads(row[log])
        if isinstance(src[text], str):
            result = rules.clean(src[text])
            assert row[output] == result.text, src["id"]
            assert entry == _expected_log(result), src["id"]
            changed += result.changed
        else:  # unchanged, with the reason
            assert row[output] == src[text]
            assert entry["changes"] == [] and entry["flags"] == []
            assert entry["error"] == (
                f"the {text!r} value is null"
                if src[text] is None
                else f"the {text!r} value is not a string ({type(src[text]).__name__})"
            )
    assert changed >= len(source) // 2  # the data is damaged: the comparison is not vacuous


def _bad_line(line: str) -> bool:
    """A JSON Lines record the local engine refuses: not a JSON object with a string "text"."""
    if not line.strip():
        return False
    try:
        record = json.loads(line.removeprefix("\ufeff"))
    except ValueError:
        return True
    return not isinstance(record, dict) or not isinstance(record.get("text"), str)


# --------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """A small local Ray instance for this module; its GCS address (for ``--address``)."""
    pytest.importorskip("ray", reason=SKIP_REASON)
    pytest.importorskip("ray.data", reason=SKIP_REASON)
    pytest.importorskip("pyarrow", reason=SKIP_REASON)
    import ray
    import ray.data

    saved = dict(os.environ)
    os.environ.update(
        {
            "RAY_DEDUP_LOGS": "0",
            "RAY_USAGE_STATS_ENABLED": "0",
            # the workers (started by this instance) import mtfix from this checkout
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    os.environ.pop("RAY_ADDRESS", None)
    try:
        ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=200 * 2**20,
            logging_level="WARNING",
            # as a user of clean_dataset with Ray Data 2.60 and fsspec without aiohttp should
            runtime_env={"worker_process_setup_hook": "mtfix.integrations.settle_fsspec_http"},
        )
        ray.data.DataContext.get_current().enable_progress_bars = False
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the 50 rows in two Parquet files and in ``data.jsonl`` (plus bad JSON Lines)."""
    pa = pytest.importorskip("pyarrow", reason=SKIP_REASON)
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("data")
    table = pa.Table.from_pylist(_rows())
    pq.write_table(table.slice(0, 30), folder / "part-0.parquet", row_group_size=16)
    pq.write_table(table.slice(30), folder / "part-1.parquet")
    lines = [
        json.dumps({k: v for k, v in row.items() if k in ("id", "text", "score", "tags")}, ensure_ascii=False)
        for row in _rows()
    ]
    lines[3] = lines[3].replace(", ", ",  ")  # odd spacing, kept byte for byte
    lines.insert(10, '{"id": 1000, "text": 42, "note": "not a string"}')
    lines.insert(20, "not JSON at all")
    lines.insert(30, "")
    lines[0] = "\ufeff" + lines[0]  # a BOM, kept
    lines[5] += "\r"  # a CRLF line end, kept
    (folder / "data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    return folder


# ------------------------------------------------------------------------------------- public API


def test_clean_dataset_matches_cleaner(ray_address: str, data: Path, rules: mtfix.Cleaner) -> None:
    import ray.data

    from mtfix.integrations.ray import clean_dataset

    ds = ray.data.read_parquet([str(p) for p in sorted(data.glob("*.parquet"))])
    out = clean_dataset(ds, config=mtfix.Config(model=None), concurrency=1, batch_size=16).materialize()
    assert out.schema().names == [*ds.schema().names, "mtfix"]
    check_rows(out.take_all(), _rows(), rules)


def test_bad_rows_never_fail_the_job(ray_address: str, rules: mtfix.Cleaner) -> None:
    """Mixed types in one block (an object column): strings cleaned, the rest unchanged with an error."""
    import ray.data

    from mtfix.integrations.ray import clean_dataset

    items = [
        {"id": 0, "body": "Kim Jong -un arrived.He left."},
        {"id": 1, "body": 42},
        {"id": 2, "body": None},
        {"id": 3, "body": "He said ,, no ."},
        {"id": 4, "body": ["a", "list"]},
    ]
    ds = ray.data.from_items(items, override_num_blocks=1)
    out = clean_dataset(ds, "body", config=mtfix.Config(model=None), output_column="clean", log_column="log")
    check_rows(out.take_all(), items, rules, text="body", output="clean", log="log")


def test_clean_dataset_argument_errors(ray_address: str) -> None:
    import ray.data

    from mtfix.integrations.ray import clean_dataset

    ds = ray.data.from_items([{"text": "x"}])
    with pytest.raises(ValueError, match="log_column"):
        clean_dataset(ds, log_column="text")
    with pytest.raises(ValueError, match="concurrency"):
        clean_dataset(ds, concurrency=0)
    with pytest.raises(ValueError, match="concurrency"):
        clean_dataset(ds, concurrency=(3, 2))


# ------------------------------------------------------------------------------------ command line


def test_cli_engine_ray(ray_address: str, data: Path, rules: mtfix.Cleaner, tmp_path: Path) -> None:
    """Parquet rows match ``Cleaner.clean``; JSON Lines output equals the local engine's, byte for byte;
    each output is named after its input; stderr holds mtfix's lines only (Ray is quiet without --verbose)."""
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    proc = _run(
        "-m", "mtfix", "clean", "--engine", "ray", "--address", ray_address, "--no-model", data, "-o", out,
        "--workers", "2",  # two actors on this 2-CPU instance: they must leave a CPU to the reads (or hang)
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr  # records that cannot be cleaned passed through
    assert sorted(p.name for p in out.iterdir()) == ["data.jsonl", "part-0.parquet", "part-1.parquet"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folder left behind"
    assert proc.stdout == ""
    assert [x for x in proc.stderr.splitlines() if not x.startswith("mtfix:")] == [], proc.stderr

    source = pq.read_schema(data / "part-0.parquet")
    rows = []
    for name in ("part-0.parquet", "part-1.parquet"):  # each file's rows, in their order
        table = pq.read_table(out / name)  # the same schema, plus the log column
        assert table.schema.remove_metadata() == source.append(table.schema.field("mtfix")).remove_metadata()
        assert table.column("id").to_pylist() == pq.read_table(data / name).column("id").to_pylist()
        rows += table.to_pylist()
    check_rows(rows, _rows(), rules)

    # One record policy: both engines pass a record that cannot be cleaned through unchanged, warn about
    # each and exit 3; their outputs are identical, byte for byte (the BOM and the CRLF line included).
    local = _run("-m", "mtfix", "clean", "--no-model", "-q", data / "data.jsonl", "-o", "l.jsonl",
                 cwd=tmp_path)  # fmt: skip
    assert local.returncode == 3, local.stderr
    got = (out / "data.jsonl").read_bytes()
    assert got == (tmp_path / "l.jsonl").read_bytes()
    warnings = [x.split(": ", 3)[-1] for x in proc.stderr.splitlines() if x.startswith("mtfix: warning:")]
    assert warnings == [x.split(": ", 3)[-1] for x in local.stderr.splitlines() if x.startswith("mtfix: warning:")]
    assert len(warnings) == 3
    source_lines = (data / "data.jsonl").read_bytes().splitlines(keepends=True)
    assert got.splitlines(keepends=True)[0].startswith(b"\xef\xbb\xbf{") and b"\r\n" in got
    assert [x for x in source_lines if _bad_line(x.decode())] == [
        x for x in got.splitlines(keepends=True) if _bad_line(x.decode())
    ]
    assert f"line {NULL_ROW + 1}: the 'text' field is not a string (passed through unchanged)" in proc.stderr
    assert "line 11: the 'text' field is not a string (passed through unchanged)" in proc.stderr
    assert "line 21: not a JSON object (passed through unchanged)" in proc.stderr

    again = _run("-m", "mtfix", "clean", "--engine", "ray", "--address", ray_address, "--no-model", data, "-o", out,
                 cwd=tmp_path)  # fmt: skip
    assert again.returncode == 2 and "empty or new output folder" in again.stderr


def test_outputs_named_after_inputs(ray_address: str, rules: mtfix.Cleaner, tmp_path: Path) -> None:
    """Nested folders and several arguments: each output mirrors its input's path as the local engine's
    does, its rows in their order across many blocks; empty files stay files; --verbose lets Ray speak."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = tmp_path / "corpus"
    (corpus / "a" / "deep").mkdir(parents=True)
    (corpus / "b").mkdir()
    rows = [{"id": i, "text": f"{DAMAGED[i % len(DAMAGED)]} ({i})"} for i in range(700)]
    pq.write_table(pa.Table.from_pylist(rows), corpus / "a" / "deep" / "x.parquet", row_group_size=50)
    pq.write_table(pa.Table.from_pylist(rows[:0], schema=pa.table({"id": [1], "text": ["x"]}).schema),
                   corpus / "b" / "empty.parquet")  # fmt: skip
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reversed(rows))
    (corpus / "a" / "y.jsonl").write_text(lines, encoding="utf-8")
    (corpus / "b" / "empty.jsonl").write_bytes(b"")
    long = json.dumps({"text": "Kim Jong -un arrived. " * 400})  # 8,800 bytes: longer than --max-line 4096
    (corpus / "a" / "long.jsonl").write_text("\ufeff" + "\n".join([long, lines.split("\n")[0], long, long]), "utf-8")
    single = tmp_path / "single.jsonl"
    single.write_text(lines[: lines.index("\n") + 1], encoding="utf-8")

    out = tmp_path / "out"
    proc = _run(
        "-m", "mtfix", "clean", "--engine", "ray", "--address", ray_address, "--no-model", "--verbose",
        "--batch-size", "16", "--workers", "2", "--max-line", "4096", corpus / "a", corpus / "b", single, "-o", out,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr  # the long records: passed through unchanged, copied from the input
    assert [x for x in proc.stderr.splitlines() if not x.startswith("mtfix:")], "--verbose: Ray's lines shown"
    warnings = [x for x in proc.stderr.splitlines() if x.startswith("mtfix: warning:")]
    assert warnings == [
        f"mtfix: warning: {corpus / 'a' / 'long.jsonl'}: line {n}: record longer than --max-line (4,096 bytes) "
        "(passed through unchanged)"
        for n in (1, 3, 4)
    ]
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    # below the folder the inputs have in common (tmp_path: single.jsonl's)
    inside = ("a/deep/x.parquet", "a/long.jsonl", "a/y.jsonl", "b/empty.jsonl", "b/empty.parquet")
    assert names == [f"corpus/{n}" for n in inside] + ["single.jsonl"]
    out = out / "corpus"
    table = pq.read_table(out / "a" / "deep" / "x.parquet")
    assert table.column("id").to_pylist() == list(range(700))  # in order, though cleaned 16 rows at a time
    assert table.column("text").to_pylist() == [rules.clean(r["text"]).text for r in rows]
    empty = pq.read_table(out / "b" / "empty.parquet")
    assert empty.num_rows == 0 and empty.column_names == ["id", "text", "mtfix"]
    assert (out / "b" / "empty.jsonl").read_bytes() == b""

    local = tmp_path / "local"  # the local engine, same arguments: the same names and JSON Lines bytes
    proc = _run("-m", "mtfix", "clean", "--no-model", "-q", "--max-line", "4096", corpus / "a", corpus / "b", single,
                "-o", local, cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert [x for x in proc.stderr.splitlines() if x.startswith("mtfix: warning:")] == warnings
    got, given = ((p / "a" / "long.jsonl").read_bytes().split(b"\n") for p in (out, corpus))
    assert [got[i] for i in (0, 2, 3)] == [given[i] for i in (0, 2, 3)]  # the long ones, BOM included
    assert got[1] != given[1]  # the short one is cleaned
    for name in ("corpus/a/long.jsonl", "corpus/a/y.jsonl", "corpus/b/empty.jsonl", "single.jsonl"):
        assert (out.parent / name).read_bytes() == (local / name).read_bytes(), name


def test_output_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason=SKIP_REASON)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "in.jsonl").write_text('{"text": "a"}\n', encoding="utf-8")
    proc = _run("-m", "mtfix", "clean", "--engine", "ray", "--no-model", "c", "-o", "c/sub", cwd=tmp_path)
    assert proc.returncode == 2
    assert "is inside the input folder c: the next run would read its own output as input" in proc.stderr
    assert not (tmp_path / "c" / "sub").exists()


def test_where_ray_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """No address: a new local instance (never one found running); else the address, or $RAY_ADDRESS."""
    pytest.importorskip("ray", reason=SKIP_REASON)
    import ray

    from mtfix.integrations import ray as engine

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kwargs: calls.append(kwargs))
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(engine, "_FSSPEC_HTTP_MISSING", True)
    hook = {"runtime_env": {"worker_process_setup_hook": "mtfix.integrations.settle_fsspec_http"}}
    assert engine._init_ray(None, quiet=False)
    assert calls.pop() == {"address": "local", "num_cpus": os.cpu_count() + 1, "include_dashboard": False, **hook}
    assert engine._init_ray("ray://head:10001", quiet=True)
    assert calls.pop() == {"address": "ray://head:10001", "logging_level": "ERROR", "log_to_driver": False, **hook}
    monkeypatch.setenv("RAY_ADDRESS", "auto")
    assert engine._init_ray(None, quiet=False)
    assert calls.pop() == {"address": "auto", **hook}
    monkeypatch.setattr(engine, "_FSSPEC_HTTP_MISSING", False)  # fsspec with aiohttp, or no fsspec
    assert engine._init_ray("auto", quiet=False)
    assert calls.pop() == {"address": "auto"}


def test_actors_leave_a_cpu_for_reads_and_writes() -> None:
    pytest.importorskip("ray", reason=SKIP_REASON)
    from mtfix.integrations.ray import _actor_cpus

    assert _actor_cpus(2, 3.0) == 1.0  # a local instance on 2 cores: 3 logical CPUs
    assert _actor_cpus(2, 2.0) == 0.5
    assert _actor_cpus((1, 8), 5.0) == 0.5
    assert _actor_cpus(1, 1.0) == 0.0


# ------------------------------------------------------------------------------ without Ray, refusals


def test_without_ray_says_how_to_install(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"text": "Kim Jong -un arrived.He left."}\n', encoding="utf-8")
    block = "import sys; sys.modules['ray'] = None; from mtfix.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = _run("-c", block, "clean", "--engine", "ray", "--no-model", "in.jsonl", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert "install it with: pip install 'mtfix[ray]'" in proc.stderr
    assert not (tmp_path / "out").exists()
    # the local engine does not need Ray, and importing mtfix does not import it
    proc = _run("-c", block, "clean", "--no-model", "-q", "in.jsonl", "-o", "local.jsonl", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Kim Jong-un arrived. He left." in (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    check = "import sys, mtfix, mtfix.cli, mtfix.integrations; assert 'ray' not in sys.modules, 'ray imported'"
    proc = _run("-c", check, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["in.jsonl"], "--engine ray needs an output folder: -o OUT"),
        (["--in-place", "in.jsonl"], "--engine ray does not support --in-place"),
        (["--diff", "in.jsonl"], "--engine ray does not support --diff"),
        (["--log", "log.jsonl", "in.jsonl", "-o", "out"], "--engine ray does not support --log"),
    ],
)
def test_engine_ray_refusals(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", "--engine", "ray", "--no-model", *args]) == 2
    assert message in capsys.readouterr().err


def test_address_needs_engine_ray(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", "--address", "auto", "--no-model", str(tmp_path / "in.txt")]) == 2
    assert "--address needs --engine ray" in capsys.readouterr().err
    assert main(["clean", "--verbose", "--no-model", str(tmp_path / "in.txt")]) == 2
    assert "--verbose needs --engine ray" in capsys.readouterr().err
