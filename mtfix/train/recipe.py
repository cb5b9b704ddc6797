"""Train the shipped rewriter from scratch with one command: every stage, in order, then export.

Usage::

    python -m mtfix.train.recipe --data ../shared/data --work /work/train_run \\
        [--stages 1 2] [--export mtfix/models/mtfix-bart-small]

Each stage builds its corpus (``mtfix.train.data``) and trains (``mtfix.train.train``) in a
subprocess, logging to ``WORK/stageN.log`` and checkpointing under ``WORK/ckptN``. A stage whose
``ckptN/final`` exists is skipped, so an interrupted recipe resumes at the stage it was in. The
last stage's model is exported (fp16 weights) to ``--export``.

1. BART from scratch and its sentencepiece tokenizer: clean identity pairs, synthetic MT-style
   damage, real MLQE-PE train pairs (HTER <= 0.4) with their whole post-edits.
2. Continued, typos added to the damage, two damaged copies of each clean sentence.

That is the shipped model, about 180 minutes of CPU in all. A third stage tried on top of it
(45 min on real MT whose target keeps only the post-editors' edits the guard admits,
``data --projected``) did not improve it on MLQE-PE dev; see the README.

Budgets are wall-clock minutes (stage 1 ran on one core shared with other work), so a rerun on
another machine sees a different number of steps; the seed fixes data and initialisation.

A smoke run of the whole pipeline (corpus, tokenizer, both stages, export) in well under a minute::

    python -m mtfix.train.recipe --work /tmp/smoke --scale 0.01 --data-scale 0.01 --max-steps 2 --threads 1

``--scale`` shrinks the training budgets only; ``--data-scale`` the corpus and the tokenizer's training
text (every 100th line of each source file: ``data --data-scale``); ``--max-steps`` ends each stage after
that many steps whatever its budget; ``--threads`` overrides each stage's torch threads (and the
export's), for a machine whose cores other work shares. Left out, each changes nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

# (data-build arguments, training arguments) per stage; {work} and {prev} are filled in.
STAGES: dict[int, tuple[list[str], list[str]]] = {
    1: ([], ["--minutes", "80", "--threads", "1"]),
    2: (
        ["--damaged-per-clean", "2", "--tokenizer", "{prev}"],
        ["--minutes", "100", "--threads", "2", "--lr", "7e-4", "--warmup", "200", "--init", "{prev}"],
    ),
}


def run(cmd: list[str], log: Path) -> None:
    print(f"$ {' '.join(cmd)}  (log: {log})", flush=True)
    with open(log, "a", encoding="utf-8") as f:
        subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--work", type=Path, default=Path("/work/train_run"))
    ap.add_argument("--stages", type=int, nargs="+", default=sorted(STAGES), choices=sorted(STAGES))
    ap.add_argument(
        "--scale", type=float, default=1.0, help="multiply every stage's minutes (0.01: a smoke run of the pipeline)"
    )
    ap.add_argument(
        "--data-scale",
        type=float,
        help="build each stage's corpus and tokenizer from this fraction of the source lines, a fixed "
        "sample (0.01: every 100th line, seconds instead of minutes; default: all of them)",
    )
    ap.add_argument("--max-steps", type=int, help="end each stage after this many training steps (default: no limit)")
    ap.add_argument("--threads", type=int, help="torch threads for every stage (default: each stage's own, 1 and 2)")
    ap.add_argument("--export", type=Path, help="copy the last stage's model here (e.g. mtfix/models/mtfix-bart-small)")
    args = ap.parse_args()
    if args.data_scale is not None and not 0 < args.data_scale <= 1:
        ap.error("--data-scale must be in (0, 1]")
    args.work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    prev: Path | None = None
    for n in sorted(args.stages):
        data_args, train_args = STAGES[n]
        final = args.work / f"ckpt{n}" / "final"
        if n > 1:
            prev = prev or args.work / f"ckpt{n - 1}" / "final"
            if not prev.is_dir():
                sys.exit(f"stage {n} continues from {prev}, which does not exist: run stage {n - 1} first")
        fill = {"{prev}": str(prev)}
        if final.is_dir():
            print(f"stage {n}: {final} exists, skipped", flush=True)
        else:
            t = time.time()
            log = args.work / f"stage{n}.log"
            data_dir = args.work / f"data{n}"
            data_args = [fill.get(a, a) for a in data_args]
            if args.data_scale is not None:
                data_args += ["--data-scale", f"{args.data_scale:g}"]
            run([py, "-m", "mtfix.train.data", "--data", str(args.data), "--out", str(data_dir), *data_args], log)
            train_args = [fill.get(a, a) for a in train_args]
            at = train_args.index("--minutes") + 1
            train_args[at] = f"{float(train_args[at]) * args.scale:g}"
            if args.threads is not None:
                train_args[train_args.index("--threads") + 1] = str(args.threads)
            if args.scale < 1:  # a smoke run: a small dev evaluation
                train_args += ["--dev-n", "20"]
            if args.max_steps is not None:
                train_args += ["--max-steps", str(args.max_steps)]
            run(
                [
                    py,
                    "-m",
                    "mtfix.train.train",
                    "--data-dir",
                    str(data_dir),
                    "--out",
                    str(args.work / f"ckpt{n}"),
                    *train_args,
                ],
                log,
            )
            print(f"stage {n}: done in {(time.time() - t) / 60:.0f} min", flush=True)
        prev = final
    if args.export and prev is not None:
        from mtfix.train.train import export

        if args.threads is not None:
            import torch

            torch.set_num_threads(args.threads)

        export(prev, args.export)
        print(f"exported {prev} to {args.export}", flush=True)


if __name__ == "__main__":
    main()
