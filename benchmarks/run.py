"""mtfix side by side with doing nothing, ``ftfy.fix_text`` and sacremoses, on the same inputs.

    python benchmarks/run.py [--data ../shared/data] [--quick] [--out benchmarks] [--no-model]
    python benchmarks/run.py --only speed        # re-run one section, keep the others
    python benchmarks/run.py --report-only       # RESULTS.md and the plot again from results.json

Writes ``OUT/RESULTS.md``, ``OUT/results/results.json`` (every number, and the examples) and
``OUT/results/quality_vs_speed.png``. Sections: 1. the seed article (16 known faults); 2. damage on
clean human text (WMT21 references); 3. artifact repair on WMT21 system outputs, per mtfix change kind,
chrF against the reference; 4. MLQE-PE post-editing (TER, chrF); 5. JFLEG fluency (GLEU); 6. speed
and peak memory (each tool in its own subprocess, interleaved); 7. quality against speed.

Every tool cleans one segment (line) at a time. sacremoses is ``MosesPunctNormalizer('en')`` then
``MosesDetokenizer('en').detokenize(text.split())``. The model rows ("mtfix + model") run only when
the default model ships (``mtfix/models/*/config.json``) and loads; otherwise they say why not.
``--quick`` takes slices (at most 200 segments per system output, a 2 MB speed corpus).

Layout: this file parses the flags and runs the sections; ``sections/<name>.py`` measures one section
(``measure(...) -> dict``, the section's part of ``results.json``); ``benchtools.py`` holds the shared
tools; ``report/`` writes RESULTS.md and the plot from the results dictionary alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from benchtools import (  # noqa: E402
    FTFY,
    MODEL,
    MOSES,
    NOTHING,
    RULES,
    TOOLS,
    elapsed,
    machine_info,
    make_tool,
    model_status,
    progress,
    speed_worker,
    unavailable,
)
from report import PLOT, plot, write_markdown  # noqa: E402
from sections import SECTIONS, jfleg, mlqe, references, seed, speed, system_outputs  # noqa: E402

RESULTS_JSON = "results/results.json"  # under --out, like RESULTS.md and the plot


def default_data() -> Path:
    """``$MTFIX_SHARED_DATA``, else ``../shared/data`` next to the repository."""
    return Path(os.environ.get("MTFIX_SHARED_DATA", HERE.parent.parent / "shared" / "data"))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data(), help="shared data (default ../shared/data)")
    parser.add_argument("--quick", action="store_true", help="slices of the data: a few minutes")
    parser.add_argument("--out", type=Path, default=HERE, help="writes OUT/RESULTS.md and OUT/results/")
    parser.add_argument("--no-model", action="store_true", help="skip the model rows")
    parser.add_argument("--note", default="", help="a line added to RESULTS.md (e.g. what else ran)")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="re-run only this section (repeatable) and keep the others from OUT/results/results.json",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: write OUT/RESULTS.md and the plot again from OUT/results/results.json",
    )
    hidden = argparse.SUPPRESS
    parser.add_argument("--limit", type=int, help=hidden)  # segments per file (smoke test)
    parser.add_argument("--speed-mb", type=float, help=hidden)
    parser.add_argument("--speed-rounds", type=int, default=speed.ROUNDS, help=hidden)  # smoke test: 1
    parser.add_argument("--model-sample", type=int, help=hidden)
    parser.add_argument("--speed-worker", choices=TOOLS, help=hidden)
    parser.add_argument("--speed-input", type=Path, help=hidden)
    parser.add_argument("--speed-lines", type=int, help=hidden)
    return parser.parse_args(argv)


def load_results(out: Path, why: str) -> dict[str, Any]:
    """``OUT/results/results.json``, or exit saying that ``why`` needs it."""
    saved = out / RESULTS_JSON
    if not saved.is_file():
        sys.exit(f"{why} needs an earlier full run's {saved}")
    return json.loads(saved.read_text(encoding="utf-8"))


def write_report(results: dict[str, Any], out: Path) -> None:
    """``OUT/RESULTS.md`` from ``results`` (as read back from ``results.json``), with the grammar stage's
    figures and changes from ``results/grammar.json`` where ``bench_grammar.py`` wrote one."""
    grammar = out / "results" / "grammar.json"
    if grammar.is_file():
        results = {**results, "grammar": json.loads(grammar.read_text(encoding="utf-8"))}
    (out / "RESULTS.md").write_text(write_markdown(results), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the sections asked for, then write results.json, the plot and RESULTS.md."""
    args = parse_args(argv)
    if args.speed_worker:
        speed_worker(args.speed_worker, args.speed_input, args.speed_lines)
        return
    if args.report_only:
        results = load_results(args.out, "--report-only")
        plot(results, args.out / PLOT)
        write_report(results, args.out)
        progress(f"wrote {args.out / 'RESULTS.md'} from {args.out / RESULTS_JSON}")
        return
    if not (args.data / "wmt21").is_dir():
        sys.exit(f"shared data not found at {args.data} (use --data or MTFIX_SHARED_DATA)")
    load_start = os.getloadavg()
    limits = {  # segments per file; --quick slices the two slowest sections
        "references": args.limit,
        "system outputs": min(args.limit or 200, 200) if args.quick else args.limit,
        "MLQE-PE": min(args.limit or 300, 300) if args.quick else args.limit,
        "JFLEG": args.limit,
    }
    model_sample = args.model_sample or (200 if args.quick else 1000)
    speed_mb = args.speed_mb or (2.0 if args.quick else 5.0)

    progress("loading tools")
    model_tool, model_description = model_status(not args.no_model)
    tools = {name: make_tool(name) for name in (NOTHING, FTFY, MOSES, RULES)}
    if model_tool is not None:
        tools[MODEL] = model_tool
    progress(f"model: {model_description}")

    results: dict[str, Any] = {"model": {"available": model_tool is not None, "description": model_description}}
    section_s: dict[str, float] = {}
    model_lines = 50 if args.quick else 200
    sections: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
        ("seed", "1/7 seed article", lambda: seed.measure(tools)),
        (
            "references",
            "2/7 damage on WMT21 references",
            lambda: references.measure(args.data, limits["references"], tools, model_sample),
        ),
        (
            "system_outputs",
            "3/7 artifact repair on WMT21 system outputs",
            lambda: system_outputs.measure(args.data, limits["system outputs"], tools, model_sample),
        ),
        ("mlqe", "4/7 MLQE-PE post-editing", lambda: mlqe.measure(args.data, limits["MLQE-PE"], tools, model_sample)),
        ("jfleg", "5/7 JFLEG fluency", lambda: jfleg.measure(args.data, limits["JFLEG"], tools, model_sample)),
        (
            "speed",
            "6/7 speed and memory",
            lambda: speed.measure(args.data, speed_mb, model_tool is not None, model_lines, args.speed_rounds),
        ),
    ]
    previous: dict[str, Any] = {}
    if args.only:
        previous = load_results(args.out, "--only")
        sections = [s for s in sections if s[0] in args.only]
    for key, title, run in sections:
        progress(f"{title} ...")
        start = time.perf_counter()
        results[key] = run()
        section_s[key] = time.perf_counter() - start
        progress(f"{title}: done in {section_s[key]:.1f} s")
    if previous:  # the other sections, and the run that measured them, stay as they were
        results = {**previous, **{k: results[k] for k in args.only}}
    elif model_tool is None:
        missing = unavailable(model_description)
        for key in ("seed", "references", "system_outputs", "jfleg", "speed"):
            results[key]["tools"][MODEL] = missing
        for rows in results["mlqe"]["conditions"].values():
            rows[MODEL] = missing

    (args.out / "results").mkdir(parents=True, exist_ok=True)
    progress("7/7 plot and report")
    plot(results, args.out / PLOT)
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    meta = {
        "command": command.strip(),
        "quick": args.quick,
        "limits": ", ".join(f"{k} {v or 'all'}" for k, v in limits.items()),
        "model_sample": model_sample,
        "machine": machine_info(),
        "load_start": load_start,
        "load_end": os.getloadavg(),
        "note": args.note,
        "section_s": section_s,
        "runtime_s": elapsed(),
    }
    if previous:  # the full run's meta stays; this run is listed under it
        results["meta"].setdefault("reruns", []).append(
            {"sections": args.only, "date": time.strftime("%Y-%m-%d %H:%M"), **meta}
        )
    else:
        results["meta"] = meta
    saved = json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    (args.out / RESULTS_JSON).write_text(saved, encoding="utf-8")
    write_report(json.loads(saved), args.out)  # what --report-only will read: the same report again
    progress(f"wrote {args.out / 'RESULTS.md'} and {args.out / RESULTS_JSON}")


if __name__ == "__main__":
    main()
