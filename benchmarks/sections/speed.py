"""6. Speed and peak memory: each tool in fresh subprocesses (``run.py --speed-worker``), rounds interleaved."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchtools import FTFY, MODEL, MOSES, NOTHING, PASSES, RNG_SEED, RULES, RUN, progress, read_lines

ROUNDS = 5  # fresh subprocesses per tool, interleaved (median reported)


def speed_corpus(data: Path, size_mb: float, folder: Path) -> Path:
    """All WMT21 system-output lines, shuffled (fixed seed), cut at ``size_mb`` MB, written to a file."""
    lines = [ln for f in sorted((data / "wmt21" / "system-outputs").glob("*.en")) for ln in read_lines(f)]
    random.Random(RNG_SEED).shuffle(lines)
    chosen: list[str] = []
    size = 0
    for line in lines:
        if size >= size_mb * 1e6:
            break
        chosen.append(line)
        size += len(line.encode("utf-8")) + 1
    path = folder / "speed.txt"
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return path


def measure(data: Path, size_mb: float, with_model: bool, model_lines: int, rounds: int = ROUNDS) -> dict[str, Any]:
    """Throughput and peak memory, each tool in its own subprocess, ``rounds`` rounds interleaved."""
    names = [NOTHING, FTFY, MOSES, RULES] + ([MODEL] if with_model else [])
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="mtfix-speed-") as tmp:
        corpus = speed_corpus(data, size_mb, Path(tmp))
        for round_no in range(rounds):
            for name in names:
                cmd = [sys.executable, str(RUN), "--speed-worker", name, "--speed-input", str(corpus)]
                if name == MODEL:
                    cmd += ["--speed-lines", str(model_lines)]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    raise RuntimeError(f"speed worker {name} failed:\n{proc.stderr[-2000:]}")
                runs[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            progress(f"  6. speed: round {round_no + 1}/{rounds} done")
    out: dict[str, Any] = {
        "corpus_mb": runs[NOTHING][0]["bytes"] / 1e6,
        "corpus_lines": runs[NOTHING][0]["lines"],
        "rounds": rounds,
        "passes": PASSES,
        "tools": {},
    }
    for name in names:
        seconds = [r["seconds"] for r in runs[name]]
        median = statistics.median(seconds)
        first = runs[name][0]
        out["tools"][name] = {
            "available": True,
            "mb": first["bytes"] / 1e6,
            "lines": first["lines"],
            "seconds": seconds,
            "warmup_seconds": [r["warmup_seconds"] for r in runs[name]],
            "warmup_lines": first["warmup_lines"],
            "mb_per_s": first["bytes"] / 1e6 / median,
            "segments_per_s": first["lines"] / median,
            "rss_loaded_mib": max(r["rss_loaded_mib"] for r in runs[name]),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in runs[name]),
        }
    paired = [f["seconds"] / r["seconds"] for f, r in zip(runs[FTFY], runs[RULES], strict=True)]
    out["rules_vs_ftfy"] = {
        "ratio_of_medians": out["tools"][RULES]["mb_per_s"] / out["tools"][FTFY]["mb_per_s"],
        "per_round": paired,
        "median_per_round": statistics.median(paired),
    }
    return out
