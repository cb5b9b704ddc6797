"""The three evidence modes of the rule layer on clean human text and on real MT output.

    python benchmarks/bench_modes.py [--data ../shared/data]

For ``mode`` thorough, standard (the default) and strict: the WMT21 reference segments each changes
(the issue's bar: at most 1 in 1,000), the WMT21 system-output segments it repairs, by kind, and the
TER of the Moses-tokenised MLQE-PE dev MT once cleaned (against the detokenised post-edits). Then,
per kind, how often a repair stands alone on its line in the references and in the system outputs
(thorough mode): the measurement behind each fixer's ``typo`` test. The WMT23 references, which
played no part in choosing those tests, are a held-out check. Lists every reference change the
default still makes. Writes benchmarks/results/modes.md and modes.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tune_rewriter import ALL_PAIRS, load_pairs  # noqa: E402

import mtfix  # noqa: E402


def lines_of(files: list[Path]) -> list[tuple[str, int, str]]:
    return [(f.name, i + 1, s) for f in files for i, s in enumerate(f.read_text(encoding="utf-8").splitlines())]


def mlqe_ter(cleaner: mtfix.Cleaner, mt: list[str], pe: list[str]) -> float:
    """Corpus TER of the cleaned tokenised MLQE-PE MT against the detokenised post-edits."""
    from sacrebleu.metrics import TER

    return TER().corpus_score([r.text for r in cleaner.clean_batch(mt)], [pe]).score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    wmt = args.data / "wmt21"
    corpora = {
        "references": lines_of(sorted((wmt / "references").glob("*"))),
        "system outputs": lines_of(sorted((wmt / "system-outputs").glob("*"))),
    }
    # The typo tests were chosen looking at the WMT21 references; WMT23's are a held-out check.
    held_out = lines_of(sorted((args.data / "wmt23" / "references").glob("*")))
    if held_out:
        corpora["WMT23 references (held out)"] = held_out
    out: dict = {"modes": {}, "lone": {}}
    lines = [
        "# Evidence modes of the rule layer",
        "",
        "Two or more rule repairs on one line (segment) are evidence of machine translation: every mode applies",
        "them. A repair alone on its line is applied by `thorough`; by `standard` (the default) unless it mends a",
        "slip human writers make as often as MT systems do (each fixer's `typo` test, from the second table); by",
        "`strict` only for damage no typist makes (mojibake, full-width punctuation). A repair not applied is a",
        "`rule.withheld` flag. Rules only. Produced by `benchmarks/bench_modes.py`.",
        "",
        "| corpus | mode | segments | changed | per 1,000 | withheld (flags) | changed segments by kind |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    listing: list[str] = []
    results: dict[str, dict[str, list[mtfix.Result]]] = {}
    for corpus, segs in corpora.items():
        texts = [s for _, _, s in segs]
        for mode in mtfix.MODES:
            rs = mtfix.Cleaner(model=None, grammar=False, mode=mode).clean_batch(texts)
            results.setdefault(corpus, {})[mode] = rs
            changed = [r for r in rs if r.changes]
            withheld = sum(1 for r in rs for fl in r.flags if fl.kind == "rule.withheld")
            kinds = Counter(k for r in changed for k in {c.kind for c in r.changes})
            out["modes"][f"{corpus}/{mode}"] = {
                "segments": len(texts),
                "changed": len(changed),
                "withheld": withheld,
                "kinds": kinds,
            }
            lines.append(
                f"| {corpus} | {mode} | {len(texts):,} | {len(changed):,} | {1000 * len(changed) / len(texts):.2f} | "
                f"{withheld:,} | " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()) + " |"
            )
            if corpus != "system outputs" and mode == "standard":
                for (f, i, _), r in zip(segs, rs, strict=True):
                    for c in r.changes:
                        listing.append(f"- `{f}:{i}` {c.kind}: `{c.before!r}` → `{c.after!r}`: {c.message}")
    sys_kept = {m: out["modes"][f"system outputs/{m}"]["changed"] for m in mtfix.MODES}
    lines += [""]
    if (args.data / "mlqe-pe").is_dir():
        mt, pe = load_pairs(args.data, ALL_PAIRS, "dev", keep_mt_tokenised=True)
        ter = {m: mlqe_ter(mtfix.Cleaner(model=None, grammar=False, mode=m), mt, pe) for m in mtfix.MODES}
        out["mlqe_tokenised_ter"] = ter
        lines += [
            "MLQE-PE dev (5,000 Moses-tokenised MT sentences, all five pairs), cleaned, TER against the detokenised "
            "post-edits (the Moses detokeniser: see RESULTS.md section 4): "
            + ", ".join(f"{m} {t:.2f}" for m, t in ter.items())
            + ".",
            "",
        ]
    lines += [
        "Share of the system-output segments thorough mode repairs that each mode still repairs: "
        + ", ".join(f"{m} {100 * sys_kept[m] / max(1, sys_kept['thorough']):.0f}%" for m in mtfix.MODES)
        + ".",
        "",
        "**A repair alone on its line, by kind** (thorough mode; per 1,000 segments). Where the references",
        "show a lone repair about as often as MT output does, it is a human slip as much as MT damage:",
        "",
        "| kind | typo test | references | per 1,000 | system outputs | per 1,000 | withheld by standard (refs / MT) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    n_ref, n_sys = len(corpora["references"]), len(corpora["system outputs"])
    lone: dict[str, Counter[str]] = {}
    held: dict[str, Counter[str]] = {}
    for corpus in corpora:
        lone[corpus] = Counter(r.changes[0].kind for r in results[corpus]["thorough"] if len(r.changes) == 1)
        held[corpus] = Counter(
            c.kind  # the repair a withheld flag stands for: thorough mode makes it, with the same span
            for std, every in zip(results[corpus]["standard"], results[corpus]["thorough"], strict=True)
            for fl in std.flags
            if fl.kind == "rule.withheld"
            for c in every.changes
            if (c.start, c.end) == (fl.start, fl.end)
        )
    from mtfix.fixers import REGISTRY

    for kind in mtfix.fixer_names():
        ref, mt = lone["references"][kind], lone["system outputs"][kind]
        test = REGISTRY[kind].typo
        lines.append(
            f"| {kind} | {test.__name__.strip('_') if test else '-'} | {ref} | {1000 * ref / n_ref:.2f} | {mt} | "
            f"{1000 * mt / n_sys:.2f} | {held['references'][kind]} / {held['system outputs'][kind]} |"
        )
        out["lone"][kind] = {"references": ref, "system_outputs": mt, "withheld": [held[c][kind] for c in corpora]}
    lines += ["", "Reference changes the default still makes (WMT21, then WMT23):", "", *(listing or ["- none"]), ""]
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "modes.md").write_text("\n".join(lines), encoding="utf-8")
    (ROOT / "benchmarks" / "results" / "modes.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
