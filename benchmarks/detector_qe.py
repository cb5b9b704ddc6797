"""How well the detector's garble score ranks MT by how much post-editing it needed.

    python benchmarks/detector_qe.py [--data ../shared/data] [--model default]

Scores every MLQE-PE dev MT sentence (all five pairs, detokenised) with the rewriter's detector, as
the model path does before deciding what to decode, and reports its Spearman rank correlation with
the sentence's HTER (the share of words the post-editor changed), per pair and overall. Writes
benchmarks/results/detector_qe.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tune_rewriter import ALL_PAIRS, load_pairs, score_all  # noqa: E402

import mtfix  # noqa: E402
from mtfix.rewrite import Rewriter, resolve  # noqa: E402


def ranks(xs: list[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(xs)), key=xs.__getitem__)
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--model", default="default")
    args = ap.parse_args()
    config = mtfix.Config(model=args.model, garble_threshold=0.0, min_confidence=0.0)
    rw = Rewriter(resolve(config.model), config)
    lines = [
        "# The detector as a quality estimate",
        "",
        f"Spearman correlation of the detector's garble score (model `{args.model}`) with HTER, MLQE-PE dev"
        " (`benchmarks/detector_qe.py`). 1 would rank the sentences exactly by the post-editing they needed.",
        "",
        "| pair | sentences | Spearman |",
        "|---|---:|---:|",
    ]
    garble_all: list[float] = []
    hter_all: list[float] = []
    for pair in ALL_PAIRS:
        mt, _ = load_pairs(args.data, [pair], "dev")
        hter = [float(x) for x in (args.data / "mlqe-pe" / pair / "dev.hter").read_text().split()]
        garble = [c.garble for c in score_all(rw, mt)]
        lines.append(f"| {pair} | {len(mt):,} | {spearman(garble, hter):.3f} |")
        garble_all += garble
        hter_all += hter
    lines.append(f"| all | {len(garble_all):,} | {spearman(garble_all, hter_all):.3f} |")
    lines.append("")
    out = ROOT / "benchmarks" / "results" / "detector_qe.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
