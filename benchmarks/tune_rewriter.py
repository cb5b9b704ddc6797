"""Choose the rewriter's thresholds on held-out post-editing data, and show what they do.

    python benchmarks/tune_rewriter.py --model mtfix/models/mtfix-bart-small --pairs ro-en et-en

For each MLQE-PE dev sentence of the tuning pairs (detokenised, after the rules) the model's
garble score, rewrite, confidence and guard verdict are computed once; then every pair of
thresholds (garble, confidence) is scored by corpus TER against the post-edits, with the share of
sentences changed and how many got better or worse. Sentence-level TER statistics are computed
once per version of each sentence, so the sweep itself is cheap. Tune on some language pairs and
report on the others (benchmarks/run.py) to keep the choice honest.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mtfix  # noqa: E402
from mtfix import guard  # noqa: E402
from mtfix.guard import admissible_part  # noqa: E402
from mtfix.rewrite import Rewriter, confidence_of, resolve  # noqa: E402

#: The MLQE-PE language pairs into English.
ALL_PAIRS = ("ro-en", "et-en", "ne-en", "si-en", "ru-en")


class Scored(NamedTuple):
    """A sentence with the model's garble score and copy log-probability (``Rewriter.score``)."""

    log: int  # its index in the list scored
    text: str
    garble: float
    copy_lp: float


def score_all(rw: Rewriter, texts: list[str]) -> list[Scored]:
    """Every text scored by the model's detector, as it stands."""
    return [Scored(i, t, s.garble, s.copy_lp) for i, (t, s) in enumerate(zip(texts, rw.score(texts), strict=True))]


def load_pairs(
    data: Path, pairs: Sequence[str], split: str, *, keep_mt_tokenised: bool = False
) -> tuple[list[str], list[str]]:
    """MLQE-PE MT and post-edits of ``pairs``, Moses-detokenised (the MT left as distributed if asked)."""
    from sacremoses import MosesDetokenizer

    detok = MosesDetokenizer(lang="en")
    mt: list[str] = []
    pe: list[str] = []
    for pair in pairs:
        folder = data / "mlqe-pe" / pair
        raw = (folder / f"{split}.mt").read_text(encoding="utf-8").splitlines()
        mt += raw if keep_mt_tokenised else [detok.detokenize(s.split()) for s in raw]
        pe += [detok.detokenize(s.split()) for s in (folder / f"{split}.pe").read_text(encoding="utf-8").splitlines()]
    return mt, pe


def ter_stats(hyps: list[str], refs: list[str]) -> list[tuple[float, int]]:
    """(edits, reference length) per sentence; corpus TER is sum(edits) / sum(lengths)."""
    from sacrebleu.metrics import TER

    ter = TER()
    out = []
    for h, r in zip(hyps, refs, strict=True):
        n = max(1, len(r.split()))
        out.append((ter.sentence_score(h, [r]).score * n / 100, n))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="default")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--pairs", nargs="+", default=["ro-en", "et-en"])
    ap.add_argument("--split", default="dev")
    ap.add_argument("--limit", type=int, default=0, help="sentences per run (0: all)")
    ap.add_argument("--max-edit-ratio", type=float, default=0.35)
    ap.add_argument("--out", type=Path, help="write the sweep as JSON")
    ap.add_argument("--threads", type=int, help="torch threads (1 while another job uses the cores)")
    ap.add_argument(
        "--facts-only",
        action="store_true",
        help="guard without its content-word rule (facts and the edit bound only): would a looser guard help?",
    )
    ap.add_argument(
        "--partial",
        action="store_true",
        help="a rewrite the guard rejects is cut down to the word edits it accepts (Config.partial_rewrites)",
    )
    args = ap.parse_args()
    if args.facts_only:
        guard.content_change = lambda original, rewrite: ""  # type: ignore[assignment]

    mt, pe = load_pairs(args.data, args.pairs, args.split)
    if args.limit:
        mt, pe = mt[: args.limit], pe[: args.limit]
    rules = mtfix.Cleaner(model=None, detect_untranslated=False)
    ruled = [r.text for r in rules.clean_batch(mt)]
    config = mtfix.Config(model=args.model, garble_threshold=0.0, min_confidence=0.0, threads=args.threads)
    t = time.time()
    rw = Rewriter(resolve(config.model), config)
    cands = score_all(rw, ruled)
    t_score = time.time() - t
    t = time.time()
    generated = rw.generate([c.text for c in cands])
    t_gen = time.time() - t
    print(f"scored {len(cands)} in {t_score:.1f}s, decoded in {t_gen:.1f}s", file=sys.stderr)

    rewrites: list[str] = []
    conf: list[float] = []
    for c, (text, lp) in zip(cands, generated, strict=True):
        text = text.strip()
        confidence = confidence_of(lp, c.copy_lp)

        def accepts(new: str, original: str = c.text) -> bool:
            return guard.check(original, new, 1.0, min_confidence=0.0, max_edit_ratio=args.max_edit_ratio).ok

        ok = text != c.text and accepts(text)
        if not ok and args.partial and text != c.text:
            text = admissible_part(c.text, text, accepts)
            ok = text != c.text
        rewrites.append(text if ok else c.text)
        conf.append(confidence if ok else -1.0)
    base = ter_stats(ruled, pe)
    alt = ter_stats(rewrites, pe)
    base_ter = 100 * sum(e for e, _ in base) / sum(n for _, n in base)
    raw_ter = 100 * sum(e for e, _ in ter_stats(mt, pe)) / sum(n for _, n in base)
    passing = sum(c >= 0 for c in conf)
    print(f"do-nothing TER {raw_ter:.2f}; rules only {base_ter:.2f}; guard-passing rewrites {passing}")
    rows = []
    garbles = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    confidences = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99]
    for g, m in itertools.product(garbles, confidences):
        use = [c.garble >= g and conf[i] >= m for i, c in enumerate(cands)]
        edits = sum((alt if u else base)[i][0] for i, u in enumerate(use))
        ter = 100 * edits / sum(n for _, n in base)
        better = sum(u and alt[i][0] < base[i][0] for i, u in enumerate(use))
        worse = sum(u and alt[i][0] > base[i][0] for i, u in enumerate(use))
        rows.append(
            {"garble": g, "confidence": m, "ter": round(ter, 3), "changed": sum(use), "better": better, "worse": worse}
        )
    rows.sort(key=lambda r: (r["ter"], -r["confidence"]))
    # The default: the lowest TER, and it must beat the rules alone; among equals the highest
    # thresholds (fewest sentences decoded and changed): precision first.
    gains = [r for r in rows if r["ter"] < round(base_ter, 3)]
    choice = min(gains, key=lambda r: (r["ter"], -r["garble"], -r["confidence"])) if gains else None
    print("recommended:", json.dumps(choice) if choice else "none: no setting beats the rules alone")
    print("garble  conf   TER     changed better worse")
    for r in rows[:15]:
        print(f"{r['garble']:<7} {r['confidence']:<6} {r['ter']:<7.2f} {r['changed']:<7} {r['better']:<6} {r['worse']}")
    examples = [
        (cands[i].text, rewrites[i], round(conf[i], 3), round(cands[i].garble, 3))
        for i in range(len(cands))
        if rewrites[i] != cands[i].text
    ][:25]
    for e in examples:
        print(json.dumps(e, ensure_ascii=False))
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "model": args.model,
                    "facts_only": args.facts_only,
                    "partial": args.partial,
                    "pairs": args.pairs,
                    "split": args.split,
                    "do_nothing": raw_ter,
                    "rules": base_ter,
                    "recommended": choice,
                    "sweep": rows,
                    "examples": examples,
                },
                indent=1,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
