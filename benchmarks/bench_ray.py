"""Throughput of ``mtfix clean --engine ray`` against the local engine, on the same corpus.

Builds a corpus of at least ``--size-mb`` MB of WMT21 system outputs (``DATA/wmt21/system-outputs/*``),
one segment per row, in files of about 2 MB: as JSON Lines (``{"id": N, "text": SEGMENT}``) and as
Parquet with the same rows. Then times, each as a fresh process (rules only, ``--no-model``):

- ``mtfix clean --workers W`` on the JSON Lines (the local engine: a process pool);
- ``mtfix clean --engine ray --workers W`` on the JSON Lines and on the Parquet (a local Ray instance
  started by the command, W cleaning actors);
- starting and stopping a local Ray instance alone, the fixed cost included in the Ray rows.

Peak memory is measured as in ``bench_cli.py`` (the summed RSS of the process tree, which includes
Ray's GCS, raylet and workers). Checks that both engines write the same JSON Lines. Writes a markdown
table to stdout and ``--out``.

    python benchmarks/bench_ray.py [--data ../shared/data] [--size-mb 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cli import ROOT, Measure, machine, measure, parts


def build_corpus(sources: list[Path], folder: Path, size: int) -> tuple[int, int]:
    """Write ``part-NNN.jsonl`` and ``part-NNN.parquet`` until ``size`` bytes of text; returns (bytes, rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    segments = [s for p in sources for s in p.read_text(encoding="utf-8").splitlines()]
    (folder / "jsonl").mkdir()
    (folder / "parquet").mkdir()
    total = rows = 0
    for k, texts in enumerate(parts(segments, size, lambda t: len(t.encode()) + 1)):
        ids = list(range(rows, rows + len(texts)))
        with open(folder / "jsonl" / f"part-{k:03d}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(
                json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in zip(ids, texts, strict=True)
            )
        pq.write_table(pa.table({"id": ids, "text": texts}), folder / "parquet" / f"part-{k:03d}.parquet")
        total += sum(len(t.encode()) + 1 for t in texts)
        rows += len(texts)
    return total, rows


def ray_startup(workers: int) -> float:
    """Seconds to start and stop a local Ray instance in a fresh process (as the command does)."""
    code = (
        "import os, ray\n"
        "ray.init(address='local', num_cpus=os.cpu_count(), include_dashboard=False, logging_level='WARNING')\n"
        "ray.shutdown()\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def read_jsonl_outputs(folder: Path) -> list[str]:
    return [line for p in sorted(folder.glob("*.jsonl")) for line in p.read_text(encoding="utf-8").splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = os.environ.get("MTFIX_SHARED_DATA", ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=shared, help="default: $MTFIX_SHARED_DATA or ../shared/data")
    parser.add_argument("--size-mb", type=float, default=20.0, help="corpus size (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes / Ray actors (default 2)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ray.md")
    parser.add_argument("--note", default="", help="a line added under the table (e.g. machine load)")
    args = parser.parse_args()

    sources = sorted(p for p in (args.data / "wmt21" / "system-outputs").glob("*") if p.is_file())
    if not sources:
        sys.exit(f"no files in {args.data / 'wmt21' / 'system-outputs'}")
    import ray

    host = machine()  # the load before the runs
    rows: list[Measure] = []
    notes: list[str] = []
    w = str(args.workers)
    common = ["--no-model", "-q", "--workers", w, "--batch-size", str(args.batch_size)]
    with tempfile.TemporaryDirectory(prefix="mtfix-bench-ray-") as tmp_name:
        tmp = Path(tmp_name)
        size, segments = build_corpus(sources, tmp, int(args.size_mb * 1e6))
        runs = [
            ("local engine, JSON Lines", [], tmp / "jsonl", tmp / "out-local"),
            ("Ray engine, JSON Lines", ["--engine", "ray"], tmp / "jsonl", tmp / "out-ray-jsonl"),
            ("Ray engine, Parquet", ["--engine", "ray"], tmp / "parquet", tmp / "out-ray-parquet"),
        ]
        for label, engine, corpus, out in runs:
            cmd = [sys.executable, "-m", "mtfix", "clean", *engine, *common, str(corpus), "-o", str(out)]
            rows.append(measure(label, cmd, args.workers, size, segments))
            print(rows[-1].row(), file=sys.stderr)
        startup = ray_startup(args.workers)
        local, ray_jsonl = read_jsonl_outputs(tmp / "out-local"), read_jsonl_outputs(tmp / "out-ray-jsonl")
        same = (
            "yes" if local == ray_jsonl else "same lines, other order" if sorted(local) == sorted(ray_jsonl) else "NO"
        )
        if same == "NO":  # say where, for whoever looks into it
            first = next((i for i, (a, b) in enumerate(zip(local, ray_jsonl, strict=False)) if a != b), None)
            same += f" (line counts {len(local):,} and {len(ray_jsonl):,}; first difference at line {first})"
        notes.append(f"Ray engine's JSON Lines output identical to the local engine's ({len(local):,} lines): {same}.")
        notes.append(
            f"Starting and stopping a local Ray instance alone takes {startup:.1f} s here; "
            "it is part of the wall time of the Ray rows."
        )

    table = [
        "| run | workers | input MB | segments | wall s | MB/s | segments/s | peak RSS, tree (MB) "
        "| peak RSS, largest process (MB) | status |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *(m.row() for m in rows),
    ]
    text = "\n".join(
        [
            "# `mtfix clean --engine ray` throughput",
            "",
            f"Corpus: WMT21 system outputs, one segment per row, {args.size_mb:g} MB of text in ~2 MB files "
            f"(JSON Lines and Parquet with the same rows); rules only (`--no-model`), batch size {args.batch_size}. "
            f"Machine: {host}. Python {platform.python_version()}, Ray {ray.__version__}, "
            f"{time.strftime('%Y-%m-%d %H:%M')}.",
            "",
            *table,
            "",
            *notes,
            *([args.note] if args.note else []),
            "",
        ]
    )
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
