"""Experiment: accept a rewrite's word edits one by one instead of the whole rewrite.

    python benchmarks/per_edit.py --pairs ro-en et-en [--limit N] [--out benchmarks/results/per_edit.json]

The shipped rewriter proposes many rewrites that the guard or the confidence threshold rejects as
a whole. Here each rewrite (of the sentences the detector flags, after the rules) is split into its
word-level edits; each edit alone is applied to the sentence, checked by the guard, and scored by the
model itself: the gain in mean token log-probability of the edited sentence over the sentence as it
stands, both as outputs for the sentence as input (teacher-forced). For thresholds on that gain, the
edits that clear it are applied together (when they still pass the guard together) and the corpus TER
against the post-edits is compared with the rules alone. Tune on some pairs, check on the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tune_rewriter import load_pairs, score_all, ter_stats  # noqa: E402

import mtfix  # noqa: E402
from mtfix import guard  # noqa: E402
from mtfix.changes import Change, apply_changes  # noqa: E402
from mtfix.guard import word_edits  # noqa: E402
from mtfix.rewrite import Rewriter, resolve  # noqa: E402


def mean_lp(rw: Rewriter, sources: list[str], targets: list[str]) -> list[float]:
    """Mean token log-probability of each target given its source (teacher-forced, batched)."""
    return [float(lp.mean()) for lp in rw.token_logprobs(sources, targets)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="default", help="a model folder or name (default: the shipped one)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--pairs", nargs="+", default=["ro-en", "et-en"])
    ap.add_argument("--garble", type=float, default=0.5, help="detector threshold for decoding a sentence")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    mt, pe = load_pairs(args.data, args.pairs, "dev")
    if args.limit:
        mt, pe = mt[: args.limit], pe[: args.limit]
    ruled = [r.text for r in mtfix.Cleaner(model=None, detect_untranslated=False).clean_batch(mt)]
    config = mtfix.Config(model=args.model, garble_threshold=0.0, min_confidence=0.0)
    rw = Rewriter(resolve(config.model), config)
    cands = score_all(rw, ruled)
    chosen = [c for c in cands if c.garble >= args.garble]
    generated = rw.generate([c.text for c in chosen])
    # every single edit that passes the guard on its own
    singles: list[tuple[int, object, str]] = []  # (sentence, edit, sentence with the edit)
    for c, (text, _) in zip(chosen, generated, strict=True):
        text = text.strip()
        if text.split() == c.text.split():
            continue
        for e in word_edits(c.text, text, 0, 1.0):
            one = c.text[: e.start] + e.after + c.text[e.end :]
            if guard.check(c.text, one, 1.0, min_confidence=0.0, max_edit_ratio=1.0).ok:
                singles.append((c.log, e, one))
    srcs = [ruled[i] for i, _, _ in singles]
    gain_lp = mean_lp(rw, srcs, [one for _, _, one in singles])
    copy_lp = {c.log: c.copy_lp for c in cands}
    gains = [g - copy_lp[i] for (i, _, _), g in zip(singles, gain_lp, strict=True)]
    base = ter_stats(ruled, pe)
    total = sum(n for _, n in base)
    rules_ter = 100 * sum(e for e, _ in base) / total
    rows = []
    for tau in (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5):
        by_sent: dict[int, list] = {}
        for (i, e, _), g in zip(singles, gains, strict=True):
            if g > tau:
                by_sent.setdefault(i, []).append(e)
        new = list(ruled)
        for i, edits in by_sent.items():
            changes = [Change(e.start, e.end, ruled[i][e.start : e.end], e.after, "x", "model", 1.0, "") for e in edits]
            out = apply_changes(ruled[i], sorted(changes, key=lambda c: c.start))
            if guard.check(ruled[i], out, 1.0, min_confidence=0.0, max_edit_ratio=1.0).ok:
                new[i] = out
        alt = ter_stats(new, pe)
        changed = [i for i in range(len(new)) if new[i] != ruled[i]]
        rows.append(
            {
                "gain_over": tau,
                "ter": round(100 * sum(e for e, _ in alt) / total, 3),
                "changed": len(changed),
                "better": sum(alt[i][0] < base[i][0] for i in changed),
                "worse": sum(alt[i][0] > base[i][0] for i in changed),
                "examples": [(ruled[i], new[i], pe[i]) for i in changed[:6]],
            }
        )
        r = rows[-1]
        print(
            f"gain > {tau:<5} TER {r['ter']:.3f} (rules {rules_ter:.3f}) "
            f"changed {r['changed']} better {r['better']} worse {r['worse']}"
        )
    print(f"{len(chosen)} sentences decoded, {len(singles)} single edits pass the guard")
    if args.out:
        args.out.write_text(
            json.dumps({"pairs": args.pairs, "rules": rules_ter, "rows": rows}, indent=1, ensure_ascii=False)
        )


if __name__ == "__main__":
    main()
