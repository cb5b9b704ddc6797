"""Fingerprint mtfix's behaviour over the shared corpora, to prove a restructuring changes nothing.

For each corpus and configuration it cleans the lines in fixed blocks (the model batches inside a
block, so the blocks must match between the two runs) and writes every result as one JSON line:
output text, changes and flags. ``--compare A B`` reports the first lines that differ.

    python benchmarks/snapshot.py --out /tmp/before            # rules only, three modes, every corpus
    python benchmarks/snapshot.py --out /tmp/before --model    # the default model path (sampled)
    python benchmarks/snapshot.py --compare /tmp/before /tmp/after

Public API only: ``mtfix.Config``, ``mtfix.Cleaner.clean_batch``, ``Result.to_json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

DATA = Path(os.environ.get("MTFIX_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
BLOCK = 64


def corpora(model: bool) -> dict[str, list[str]]:
    """Corpus name -> lines. The model path is sampled (every k-th line) to fit a session."""

    def lines(paths: list[Path], every: int = 1) -> list[str]:
        out: list[str] = []
        for p in sorted(paths):
            out += p.read_text(encoding="utf-8").split("\n")[:-1]
        return out[::every]

    step = (
        {"outputs": 100, "refs": 4, "wmt23": 4, "mlqe": 1, "jfleg": 1}
        if model
        else dict.fromkeys(("outputs", "refs", "wmt23", "mlqe", "jfleg"), 1)
    )
    return {
        "wmt21-outputs": lines(list((DATA / "wmt21/system-outputs").iterdir()), step["outputs"]),
        "wmt21-references": lines(list((DATA / "wmt21/references").iterdir()), step["refs"]),
        "wmt23-references": lines(list((DATA / "wmt23/references").iterdir()), step["wmt23"]),
        "mlqe-pe-dev": lines(list(DATA.glob("mlqe-pe/*/dev.mt")), step["mlqe"]),
        "jfleg-dev": lines([DATA / "jfleg/dev.src"], step["jfleg"]),
    }


def run(out: Path, model: bool, modes: list[str], only: list[str] | None) -> None:
    import mtfix

    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, dict[str, object]] = {}
    for name, lines in corpora(model).items():
        if only and name not in only:
            continue
        for mode in modes:
            key = f"{name}.{'model' if model else 'rules'}.{mode}"
            cleaner = mtfix.Cleaner(mtfix.Config(mode=mode, model=mtfix.DEFAULT_MODEL if model else None))
            t0 = time.perf_counter()
            digest = hashlib.sha256()
            changed = n_changes = n_flags = 0
            with (out / f"{key}.jsonl").open("w", encoding="utf-8") as f:
                for i in range(0, len(lines), BLOCK):
                    for r in cleaner.clean_batch(lines[i : i + BLOCK]):
                        row = r.to_json(sort_keys=True)
                        f.write(row + "\n")
                        digest.update(row.encode())
                        changed += r.changed
                        n_changes += len(r.changes)
                        n_flags += len(r.flags)
            summary[key] = {
                "lines": len(lines),
                "changed": changed,
                "changes": n_changes,
                "flags": n_flags,
                "sha256": digest.hexdigest(),
                "seconds": round(time.perf_counter() - t0, 1),
            }
            print(key, json.dumps(summary[key]), flush=True)
    path = out / ("summary.model.json" if model else "summary.rules.json")
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**old, **summary}, indent=1, sort_keys=True))


def compare(a: Path, b: Path) -> int:
    bad = 0
    for fa in sorted(a.glob("*.jsonl")):
        fb = b / fa.name
        if not fb.exists():
            print(f"{fa.name}: missing in {b}")
            bad += 1
            continue
        la, lb = fa.read_text().splitlines(), fb.read_text().splitlines()
        diffs = [i for i, (x, y) in enumerate(zip(la, lb, strict=False)) if x != y]
        if len(la) != len(lb) or diffs:
            bad += 1
            print(f"{fa.name}: {len(diffs)} lines differ (of {len(la)}/{len(lb)})")
            for i in diffs[:3]:
                print("  -", la[i][:300])
                print("  +", lb[i][:300])
        else:
            print(f"{fa.name}: identical ({len(la)} lines)")
    return 1 if bad else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path)
    p.add_argument("--model", action="store_true", help="the default model path instead of rules only")
    p.add_argument("--modes", default="thorough,standard,strict")
    p.add_argument("--only", help="comma-separated corpus names")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = p.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not DATA.is_dir():
        sys.exit(f"no shared data at {DATA}")
    run(args.out, args.model, args.modes.split(","), args.only.split(",") if args.only else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
