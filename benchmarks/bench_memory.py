"""Peak memory and throughput of ``mtfix clean`` on inputs of any shape: one huge line, and a huge file of
ordinary lines (issue 16: both under 1 GB of peak RSS).

Builds, in a temporary folder, a single-line file of ``--line-mb`` MB (the WMT21 system outputs joined by
spaces, repeated) and a file of ``--lines-mb`` MB of ordinary lines (the same outputs, one segment a line),
then runs ``mtfix clean`` on each and records the peak RSS of the process tree (sampled from /proc) and
of the largest process (``ru_maxrss``), the time and MB/s. The rule layer (``--no-grammar``) runs the big
files; the default path (rules + grammar) and ``--max-line 0`` (the whole line in memory, as before the
limit) run a smaller single line for comparison. Writes markdown to stdout and ``--out``.

    python benchmarks/bench_memory.py [--data ../shared/data] [--line-mb 300] [--lines-mb 1000] [--small-mb 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cli import Measure, machine, measure

ROOT = Path(__file__).resolve().parents[1]


def write_repeated(path: Path, blob: bytes, size: int, sep: bytes, end: bytes = b"") -> tuple[int, int]:
    """``blob`` written again and again up to ``size`` bytes (the last copy cut after a ``sep``), then
    ``end``; returns (bytes, lines)."""
    total = lines = 0
    with open(path, "wb") as f:
        while total < size:
            part = blob[: size - total]
            if len(part) < len(blob):
                part = part[: part.rfind(sep) + 1] or part
            f.write(part)
            total += len(part)
            lines += part.count(b"\n")
        f.write(end)
    return total + len(end), lines + end.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = os.environ.get("MTFIX_SHARED_DATA", ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=shared, help="default: $MTFIX_SHARED_DATA or ../shared/data")
    parser.add_argument("--line-mb", type=float, default=300.0, help="the single line (default 300)")
    parser.add_argument("--lines-mb", type=float, default=1000.0, help="the file of ordinary lines (default 1000)")
    parser.add_argument("--small-mb", type=float, default=30.0, help="the line of the comparison runs (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="workers for the file of lines (default 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "memory.md")
    args = parser.parse_args()

    sources = sorted(p for p in (args.data / "wmt21" / "system-outputs").glob("*") if p.is_file())
    if not sources:
        sys.exit(f"no files in {args.data / 'wmt21' / 'system-outputs'}")
    lines = [x for p in sources for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    as_line = (" ".join(lines) + " ").encode()
    as_lines = ("\n".join(lines) + "\n").encode()
    host = machine()
    rows: list[Measure] = []
    clean = [sys.executable, "-m", "mtfix", "clean", "-q"]
    with tempfile.TemporaryDirectory(prefix="mtfix-memory-") as tmp:
        small = Path(tmp, "small-line.txt")
        size, n = write_repeated(small, as_line, int(args.small_mb * 1e6), b" ", b"\n")
        for label, extra in (
            ("one line, rules (--no-grammar)", ["--no-grammar"]),
            ("one line, default (rules + grammar)", []),
            ("one line, rules, --max-line 0 (no limit)", ["--no-grammar", "--max-line", "0"]),
        ):
            rows.append(measure(label, [*clean, *extra, str(small), "-o", str(Path(tmp, "out"))], 1, size, n))
            print(rows[-1].row(), file=sys.stderr)
        small.unlink()
        big = Path(tmp, "line.txt")
        size, n = write_repeated(big, as_line, int(args.line_mb * 1e6), b" ", b"\n")
        cmd = [*clean, "--no-grammar", str(big), "-o", str(Path(tmp, "out"))]
        rows.append(measure("one line, rules (--no-grammar)", cmd, 1, size, n))
        print(rows[-1].row(), file=sys.stderr)
        big.unlink()
        many = Path(tmp, "lines.txt")
        size, n = write_repeated(many, as_lines, int(args.lines_mb * 1e6), b"\n")
        cmd = [*clean, "--no-grammar", "--workers", str(args.workers), str(many), "-o", str(Path(tmp, "out"))]
        rows.append(measure("ordinary lines, rules (--no-grammar)", cmd, args.workers, size, n))
        print(rows[-1].row(), file=sys.stderr)
    head = (
        "| input | workers | MB | lines | seconds | MB/s | lines/s | peak RSS, tree (MiB) "
        "| peak RSS, one process (MiB) | status |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    text = "\n".join(
        [
            "# Peak memory on any input (`benchmarks/bench_memory.py`)",
            "",
            f"Machine: {host}. The single line is the WMT21 system outputs joined by spaces, repeated; the file of",
            "lines the same outputs one a line. `--max-line` is 1 MiB unless said: a longer line is cleaned in",
            "pieces cut after a sentence end or a space.",
            "",
            head,
            *(r.row() for r in rows),
            "",
        ]
    )
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
