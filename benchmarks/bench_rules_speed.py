"""Speed of the rule layer, side by side with ftfy, and its worst case on adversarial lines.

    python benchmarks/bench_rules_speed.py [--data ../shared/data] [--lines 20000] [--sizes 100000,1000000]

1. Per call and per batch, over the same WMT21 system-output lines, interleaved rounds (best of each):
   ``ftfy.fix_text`` per segment, ``Cleaner.clean`` per segment (the rule layer: ``grammar=False``),
   ``Cleaner.clean_batch`` over all of them, and for reference the default ``mtfix.clean`` (rules and the
   grammar stage) per segment. Ratios are what count: absolute times vary from run to run.
2. Where the per-call time goes: the top functions of a ``cProfile`` run of ``Cleaner.clean`` per segment.
3. Adversarial lines (``benchmarks/adversarial.py``: long runs of one trigger on one line, 1 MB included),
   cleaned in thorough mode (best of three runs), timed against a clean line of the same length (WMT21
   references joined), and
   the time ratio between the two largest sizes (linear time: about their size ratio).

Only mtfix's public API is used. Writes ``rules_speed.md`` and ``rules_speed.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ftfy  # noqa: E402
from adversarial import UNITS, adversarial, clean_line  # noqa: E402

import mtfix  # noqa: E402


def system_lines(data: Path, n: int) -> list[str]:
    """The first ``n`` lines of the WMT21 system outputs, files in name order."""
    out: list[str] = []
    for f in sorted((data / "wmt21" / "system-outputs").glob("*")):
        out += f.read_text(encoding="utf-8").splitlines()
        if len(out) >= n:
            break
    return out[:n]


def best_of(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Each function's best time over ``rounds`` interleaved rounds."""
    best = {k: float("inf") for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            t = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t)
    return best


def per_call(lines: list[str], rounds: int) -> dict:
    rules = mtfix.Cleaner(model=None, grammar=False).load()
    default = mtfix.Cleaner().load()
    sample = lines[: max(1, len(lines) // 10)]  # the grammar stage is slower: a tenth of the lines
    for text in sample:  # its word cache warm, as in a long run
        default.clean(text)
    times = best_of(
        {
            "ftfy.fix_text per segment": lambda: [ftfy.fix_text(s) for s in lines],
            "Cleaner.clean per segment (rules)": lambda: [rules.clean(s) for s in lines],
            "Cleaner.clean_batch (rules)": lambda: rules.clean_batch(lines),
        },
        rounds,
    )
    grammar = best_of({"g": lambda: [default.clean(s) for s in sample]}, 1)["g"] * len(lines) / len(sample)
    times["mtfix.clean per segment (default: rules + grammar)"] = grammar
    mb = sum(len(s.encode("utf-8")) + 1 for s in lines) / 1e6
    ftfy_t = times["ftfy.fix_text per segment"]
    return {
        "lines": len(lines),
        "MB": round(mb, 3),
        "rows": [
            {
                "tool": k,
                "seconds": round(t, 4),
                "us per segment": round(1e6 * t / len(lines), 2),
                "x ftfy": round(ftfy_t / t, 2),
            }
            for k, t in times.items()
        ],
    }


def profile(lines: list[str]) -> list[str]:
    """The ten functions with the most own time in ``Cleaner.clean`` per segment."""
    rules = mtfix.Cleaner(model=None, grammar=False).load()
    prof = cProfile.Profile()
    prof.enable()
    for s in lines:
        rules.clean(s)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(10)
    rows = [r for r in out.getvalue().splitlines() if r.strip() and (r.strip()[0].isdigit())]
    return [r.strip().replace(str(ROOT) + "/", "") for r in rows[:10]]


def adversarial_times(data: Path, sizes: list[int]) -> dict:
    cleaner = mtfix.Cleaner(model=None, grammar=False, mode="thorough").load()

    def timed(text: str) -> float:
        t = time.perf_counter()
        cleaner.clean(text)
        return time.perf_counter() - t

    clean = {n: min(timed(clean_line(n, data)) for _ in range(3)) for n in sizes}
    rows = []
    for name in UNITS:
        t = {n: min(timed(adversarial(name, n)) for _ in range(3)) for n in sizes}  # best of 3, as the clean line
        big, small = sizes[-1], sizes[-2]
        rows.append(
            {
                "class": name,
                "seconds": {str(n): round(t[n], 4) for n in sizes},
                "x clean line": round(t[big] / clean[big], 1),
                "growth": round(t[big] / t[small], 2),
            }
        )
        print(f"  {name}: {t[big]:.3f}s at {big:,} characters", flush=True)
    return {"sizes": sizes, "clean line seconds": {str(n): round(clean[n], 4) for n in sizes}, "rows": rows}


def report(res: dict) -> str:
    pc = res["per call"]
    lines = [
        "# Rule-layer speed, side by side with ftfy",
        "",
        f"`python benchmarks/bench_rules_speed.py`: {pc['lines']:,} WMT21 system-output lines ({pc['MB']} MB), "
        "interleaved rounds, best of each.",
        "",
        "| tool | seconds | µs per segment | × ftfy |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r['tool']} | {r['seconds']} | {r['us per segment']} | {r['x ftfy']} |" for r in pc["rows"]]
    lines += [
        "",
        "Where the per-call time goes now (`cProfile`, `Cleaner.clean` per segment, top functions by own time):",
        "",
        "```",
        *res["profile"],
        "```",
        "",
    ]
    adv = res["adversarial"]
    sizes = adv["sizes"]
    head = " | ".join(f"{n:,} chars, s" for n in sizes)
    lines += [
        "## Adversarial lines",
        "",
        "Each class is one line of one trigger repeated (`benchmarks/adversarial.py`), cleaned in thorough mode,",
        "best of three runs;",
        "`× clean` is its time over a clean line of the same length (WMT21 references joined into one line:",
        f"{' / '.join(str(adv['clean line seconds'][str(n)]) for n in sizes)} s); growth is the time ratio "
        f"between {sizes[-2]:,} and {sizes[-1]:,} characters (linear: {sizes[-1] / sizes[-2]:.0f}).",
        "",
        f"| class | {head} | × clean | growth |",
        "|---|" + "---:|" * len(sizes) + "---:|---:|",
    ]
    for r in adv["rows"]:
        cells = " | ".join(str(r["seconds"][str(n)]) for n in sizes)
        lines.append(f"| `{r['class']}` | {cells} | {r['x clean line']} | {r['growth']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="100000,200000,1000000")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    lines = system_lines(args.data, args.lines)
    res = {"per call": per_call(lines, args.rounds), "profile": profile(lines)}
    print(json.dumps(res["per call"], indent=1), flush=True)
    res["adversarial"] = adversarial_times(args.data, [int(s) for s in args.sizes.split(",")])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rules_speed.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = report(res)
    (args.out / "rules_speed.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
