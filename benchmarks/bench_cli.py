"""Throughput and memory of ``mtfix clean`` on a corpus of WMT21 system outputs.

Builds a corpus of at least ``--size-mb`` MB by concatenating ``DATA/wmt21/system-outputs/*``
repeatedly into files of about 2 MB in a temporary folder, then times ``mtfix clean --no-model``
on it with each ``--workers`` count and records the peak memory: the summed RSS of the process
tree (sampled every 50 ms from /proc) and the largest single process (``ru_maxrss`` from wait4).
``--model-path`` adds a run with a model (the default one unless named) on a smaller slice, skipped
when the model cannot be loaded. Writes a markdown table to stdout and ``--out``.

    python benchmarks/bench_cli.py [--data ../shared/data] [--size-mb 20] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
PART_BYTES = 2 << 20
T = TypeVar("T")


@dataclass
class Measure:
    label: str
    workers: int
    mb: float
    segments: int
    seconds: float
    tree_rss_mb: float
    max_rss_mb: float
    status: str = "ok"

    def row(self) -> str:
        return (
            f"| {self.label} | {self.workers} | {self.mb:.1f} | {self.segments:,} | {self.seconds:.1f} "
            f"| {self.mb / self.seconds:.2f} | {self.segments / self.seconds:,.0f} "
            f"| {self.tree_rss_mb:.0f} | {self.max_rss_mb:.0f} | {self.status} |"
        )


def parts(items: list[T], size: int, nbytes: Callable[[T], int]) -> Iterator[list[T]]:
    """Cycle through ``items`` in parts of about :data:`PART_BYTES` until ``size`` bytes in all."""
    total = i = 0
    while total < size:
        part: list[T] = []
        n = 0
        while n < PART_BYTES and total + n < size:
            part.append(items[i % len(items)])
            n += nbytes(part[-1])
            i += 1
        total += n
        yield part


def build_corpus(sources: list[Path], folder: Path, size: int) -> tuple[int, int]:
    """Write parts of about :data:`PART_BYTES` until ``size`` bytes; returns (bytes, lines)."""
    data = [p.read_bytes() for p in sources]
    data = [d if d.endswith(b"\n") else d + b"\n" for d in data if d]
    total = lines = 0
    for k, chunk in enumerate(parts(data, size, len)):
        blob = b"".join(chunk)
        (folder / f"part-{k:03d}.txt").write_bytes(blob)
        total += len(blob)
        lines += blob.count(b"\n")
    return total, lines


def tree_rss(root: int) -> int:
    """Summed resident set size (bytes) of ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total


def measure(label: str, cmd: list[str], workers: int, size: int, lines: int) -> Measure:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    result = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {err.strip().splitlines()[-1:]}"
    return Measure(label, workers, size / 1e6, lines, seconds, peak / 2**20, usage.ru_maxrss / 1024, result)


def model_loads(model: str) -> str | None:
    """None when ``model`` loads, else why not (a missing default model is no error of the bench)."""
    code = (
        "import sys, mtfix\n"
        "from mtfix.rewrite import load_rewriter\n"
        "sys.exit(0 if load_rewriter(mtfix.Config(model=sys.argv[1])) else 3)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code, model], env=env, capture_output=True, text=True)
    if proc.returncode == 0:
        return None
    if proc.returncode == 3:
        return "no rewriter available (load_rewriter returned None)"
    return (proc.stderr.strip().splitlines() or ["failed"])[-1]


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = os.environ.get("MTFIX_SHARED_DATA", ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=shared, help="default: $MTFIX_SHARED_DATA or ../shared/data")
    parser.add_argument("--size-mb", type=float, default=20.0, help="corpus size (default 20)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--model-path",
        nargs="?",
        const="default",
        metavar="MODEL",
        help="also run with a model (default: the default model) on a slice of --slice-mb",
    )
    parser.add_argument("--slice-mb", type=float, default=0.5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cli.md")
    parser.add_argument("--note", default="", help="a line added under the table (e.g. machine load)")
    args = parser.parse_args()

    sources = sorted(p for p in (args.data / "wmt21" / "system-outputs").glob("*") if p.is_file())
    if not sources:
        sys.exit(f"no files in {args.data / 'wmt21' / 'system-outputs'}")
    rows: list[Measure] = []
    notes: list[str] = []
    host = machine()  # the load before the runs
    with tempfile.TemporaryDirectory(prefix="mtfix-bench-") as tmp:
        corpus = Path(tmp, "corpus")
        corpus.mkdir()
        size, lines = build_corpus(sources, corpus, int(args.size_mb * 1e6))
        outputs: dict[int, Path] = {}
        for workers in [int(w) for w in args.workers.split(",")]:
            out = Path(tmp, f"out-{workers}")
            cmd = [sys.executable, "-m", "mtfix", "clean", "--no-model", "-q", str(corpus), "-o", str(out)]
            cmd += ["--workers", str(workers), "--batch-size", str(args.batch_size)]
            rows.append(measure("rules (--no-model)", cmd, workers, size, lines))
            print(rows[-1].row(), file=sys.stderr)
            outputs[workers] = out
        first, *others = outputs.values()
        same = all((first / p.name).read_bytes() == (o / p.name).read_bytes() for o in others for p in corpus.iterdir())
        notes.append(f"Outputs identical across worker counts: {'yes' if same else 'NO'}.")
        for out in outputs.values():
            shutil.rmtree(out)
        if args.model_path:
            why = model_loads(args.model_path)
            if why is not None:
                notes.append(f"Model run ({args.model_path}) skipped: {why}.")
            else:
                part = Path(tmp, "slice")
                part.mkdir()
                size, lines = build_corpus(sources, part, int(args.slice_mb * 1e6))
                cmd = [sys.executable, "-m", "mtfix", "clean", "-q", "--model", args.model_path, str(part)]
                cmd += ["-o", str(Path(tmp, "out-model"))]
                rows.append(measure(f"model ({args.model_path})", cmd, 1, size, lines))

    table = [
        "| run | workers | input MB | segments | wall s | MB/s | segments/s | peak RSS, tree (MB) "
        "| peak RSS, largest process (MB) | status |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *(m.row() for m in rows),
    ]
    text = "\n".join(
        [
            "# `mtfix clean` throughput",
            "",
            f"Corpus: WMT21 system outputs concatenated to {args.size_mb:g} MB in ~2 MB files; "
            f"batch size {args.batch_size}. Machine: {host}. "
            f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}.",
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
