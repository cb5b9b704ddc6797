"""The grammar stage measured: JFLEG dev GLEU, WMT21 references changed, MLQE-PE dev TER, the seed
article, Harper's first suggestion against the model's pick, and speed, side by side in one run.

    python benchmarks/bench_grammar.py            # writes benchmarks/results/grammar.{json,md}
    python benchmarks/bench_grammar.py --quick    # a smoke run on small samples

Public API only (``mtfix.Cleaner``, ``mtfix.Config`` fields, ``Cleaner.stats``); JFLEG and MLQE-PE are
scored as ``benchmarks/run.py`` scores them (its sections), Harper applied blindly through harper-py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchtools import Tool, corpus_scores, detokenize, read_lines
from sections import jfleg
from sections.mlqe import MLQE_PAIRS

import mtfix

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SEED = ROOT / "seeds" / "000_a531eb22376dc238.txt"

MODEL = mtfix.DEFAULT_MODEL
CONFIGS: dict[str, dict[str, Any]] = {
    "rules (no grammar)": {"grammar": False},
    "default: rules + grammar": {},
    "rules + the shipped model (no grammar)": {"model": MODEL, "grammar": False},
    "rules + grammar + the shipped model": {"model": MODEL},
    "rules + grammar, thorough (no evidence)": {"mode": "thorough"},
    "thorough + the model's pick": {"model": MODEL, "mode": "thorough", "options": {"grammar": {"arbitrate": "pick"}}},
    "thorough + the model's pick and veto": {
        "model": MODEL,
        "mode": "thorough",
        "options": {"grammar": {"arbitrate": True}},
    },
}


def harper_blind() -> Tool:
    """Harper alone: every lint's first suggestion applied (all its default rules)."""
    import harper

    from mtfix.grammar import quiet

    linter = harper.Linter()

    def fix(text: str) -> str:
        with quiet():
            for lint in sorted(linter.lint(text, language="plaintext"), key=lambda x: -x.span.start):
                if lint.suggestions:
                    text = linter.apply_suggestion(text, lint, lint.suggestions[0])
        return text

    return Tool("harper", fix=fix)


def references(data: Path, limit: int | None) -> tuple[list[str], list[str]]:
    """The WMT21 references, and the source segment of each (``newstest2021.cs-en.ref.A.en`` translates
    ``newstest2021.cs-en.src.cs``, line by line)."""
    refs: list[str] = []
    sources: list[str] = []
    for f in sorted((data / "wmt21" / "references").glob("*")):
        pair = f.name.split(".")[1]
        lines = read_lines(f, limit)
        src = read_lines(data / "wmt21" / "sources" / f"newstest2021.{pair}.src.{pair.split('-')[0]}", limit)
        if len(src) != len(lines):
            raise ValueError(f"{f.name}: not line-aligned with its source")
        refs += lines
        sources += src
    return refs, sources


def with_sources(
    cleaner: mtfix.Cleaner, texts: list[str] | tuple[str, ...], sources: list[str], alone: list[mtfix.Result]
) -> tuple[list[mtfix.Result], list[dict[str, Any]]]:
    """``texts`` cleaned with their source segments (bilingual input), and each segment whose result
    differs from ``alone`` (cleaned without): its changes both ways."""
    results = cleaner.clean_batch(texts, sources=sources)
    differ = [
        {"without": [[c.before, c.after] for c in a.changes], "with": [[c.before, c.after] for c in b.changes]}
        for a, b in zip(alone, results, strict=True)
        if a.text != b.text
    ]
    return results, differ


def listed(results: list[mtfix.Result], source: str | None = None) -> list[dict[str, Any]]:
    """Every change in ``results`` (of ``source`` only, if given), in context, for a reader to judge."""
    return [
        {
            "source": c.source,
            "kind": c.kind,
            "before": r.original[max(0, c.start - 30) : c.end + 15],
            "change": [c.before, c.after],
        }
        for r in results
        for c in r.changes
        if source is None or c.source == source
    ]


def measure(data: Path, limit: int | None, speed_lines: int) -> dict[str, Any]:
    out: dict[str, Any] = {"configs": {}, "harper_blind": {}}
    refs, refs_src = references(data, limit)
    seed = SEED.read_text(encoding="utf-8")
    mt = tuple(detokenize(s) for p in MLQE_PAIRS for s in read_lines(data / "mlqe-pe" / p / "dev.mt", limit))
    pe = tuple(detokenize(s) for p in MLQE_PAIRS for s in read_lines(data / "mlqe-pe" / p / "dev.pe", limit))
    mt_src = [detokenize(s) for p in MLQE_PAIRS for s in read_lines(data / "mlqe-pe" / p / "dev.src", limit)]
    out["mlqe_do_nothing"] = corpus_scores(mt, pe, mt)
    nothing = jfleg.measure(data, limit, {"nothing": Tool("nothing", fix=str)}, None)["tools"]["nothing"]
    out["jfleg_do_nothing"] = nothing["gleu"]
    out["limit"] = limit
    for name, cfg in CONFIGS.items():
        cleaner = mtfix.Cleaner(**cfg)
        row: dict[str, Any] = {"config": cfg}
        t = time.perf_counter()
        j = jfleg.measure(data, limit, {name: Tool(name, cleaner=cleaner)}, None)["tools"][name]
        row["jfleg"] = {"gleu": j["gleu"], "changed_share": j["changed_share"], "seconds": time.perf_counter() - t}
        if "pick" in name or "veto" in name:
            row["stats"] = cleaner.stats()
            out["configs"][name] = row
            print(name, json.dumps(row["jfleg"]), flush=True)
            continue
        results = cleaner.clean_batch(refs)
        row["references"] = {
            "segments": len(refs),
            "changed": sum(r.changed for r in results),
            "grammar_changes": listed(results, "grammar"),
            "model_changes": listed(results, "model"),
        }
        if name.startswith("default"):  # held out: never looked at while the stage was built
            held = [s for f in sorted((data / "wmt23" / "references").glob("*")) for s in read_lines(f, limit)]
            held_results = cleaner.clean_batch(held)
            row["wmt23_references"] = {
                "segments": len(held),
                "changed": sum(r.changed for r in held_results),
                "changes": listed(held_results),
            }
        mlqe_results = cleaner.clean_batch(mt)
        row["mlqe"] = corpus_scores(tuple(r.text for r in mlqe_results), pe, mt)
        if name.startswith("default"):  # bilingual input: the guard keeps words copied from the source
            refs_given, refs_differ = with_sources(cleaner, refs, refs_src, results)
            mlqe_given, mlqe_differ = with_sources(cleaner, mt, mt_src, mlqe_results)
            row["with_sources"] = {
                "references_changed": sum(r.changed for r in refs_given),
                "references_differ": refs_differ,
                "mlqe": corpus_scores(tuple(r.text for r in mlqe_given), pe, mt),
                "mlqe_differ": mlqe_differ,
            }
        r = cleaner.clean(seed)
        row["seed"] = {
            "rule_changes": sum(c.source == "rule" for c in r.changes),
            "other_changes": [[c.before, c.after, c.source] for c in r.changes if c.source != "rule"],
            "names_kept": all(n in r.text for n in ("Kim Jong-un", "Lavrov", "Pyongyang")),
            "flags": [f.kind for f in r.flags],
        }
        row["stats"] = cleaner.stats()
        out["configs"][name] = row
        print(name, json.dumps({k: row[k] for k in ("jfleg", "mlqe")})[:400], row["references"]["changed"], flush=True)
    blind = harper_blind()
    j = jfleg.measure(data, limit, {"harper": blind}, None)["tools"]["harper"]
    changed = sum(blind.fix(s) != s for s in refs)  # type: ignore[misc]
    out["harper_blind"] = {"jfleg_gleu": j["gleu"], "jfleg_changed": j["changed_share"], "refs_changed": changed}
    out["speed"] = speed(data, speed_lines)
    return out


def speed(data: Path, lines: int) -> dict[str, Any]:
    """One core, one process, side by side: Harper alone per sentence, and the pipeline on WMT21 system
    outputs (every k-th line of every file) and on JFLEG learner sentences."""
    import harper
    import torch

    torch.set_num_threads(1)
    files = sorted((data / "wmt21" / "system-outputs").glob("*"))
    every = [s for f in files for s in read_lines(f)]
    step = max(1, len(every) // lines)
    corpus = every[::step][:lines]
    warm = every[step // 2 :: step][: max(64, lines // 10)]  # disjoint from the measured lines
    size = sum(len(s.encode()) + 1 for s in corpus) / 1e6
    learner = read_lines(data / "jfleg" / "dev.src")
    from mtfix.segment import sentences

    out: dict[str, Any] = {"outputs_lines": len(corpus), "outputs_mb": size}
    out["outputs_sentences"] = sum(1 for line in corpus for _ in sentences(line))
    linter = harper.Linter()
    t = time.perf_counter()
    for s in corpus[:2000]:
        linter.lint(s, language="plaintext")
    out["harper_default_rules_per_s"] = 2000 / (time.perf_counter() - t)
    for name, cfg in {
        "rules": {"grammar": False, "threads": 1},
        "default: rules + grammar": {"threads": 1},
        "with the shipped model": {"model": MODEL, "threads": 1},
    }.items():
        cleaner = mtfix.Cleaner(**cfg).load()
        # warm-up on other lines of the same files: Harper's first calls in a process cost about a
        # second more (once per process, as loading the model does); its per-word cache starts empty
        cleaner.clean_batch(warm)
        before = cleaner.stats()
        t = time.perf_counter()
        for i in range(0, len(corpus), 256):
            cleaner.clean_batch(corpus[i : i + 256])
        took = time.perf_counter() - t
        after = cleaner.stats()
        t = time.perf_counter()
        cleaner.clean_batch(learner)
        learner_s = time.perf_counter() - t
        g0, g1 = before.get("grammar", {}), after.get("grammar", {})
        m0, m1 = before.get("rewrite", {}), after.get("rewrite", {})
        out[name] = {
            "mb_per_s": size / took,
            "segments_per_s": len(corpus) / took,
            "harper_sentences": g1.get("linted", 0) - g0.get("linted", 0),
            "model_scored": m1.get("scored", 0) - m0.get("scored", 0),
            "model_decoded": m1.get("decoded", 0) - m0.get("decoded", 0),
            "sentences": m1.get("sentences", 0) - m0.get("sentences", 0),
            "jfleg_sentences_per_s": len(learner) / learner_s,
        }
        print("speed", name, json.dumps(out[name]), flush=True)
    return out


def markdown(res: dict[str, Any]) -> str:
    lines = [
        "# The grammar stage (Harper proposes, mtfix judges)",
        "",
        "Written by `benchmarks/bench_grammar.py`. JFLEG dev: GLEU against the four references, the learner",
        "sentences Moses-detokenised, cleaned, tokenised again (as `benchmarks/run.py`). WMT21 references: the",
        "clean-text control (segments changed). MLQE-PE dev: TER against the post-edits, detokenised.",
        f"Sample: the first {res['limit']} lines of each file" if res.get("limit") else "Every line of every file.",
        "",
        "| configuration | JFLEG GLEU | JFLEG changed | WMT21 refs changed | MLQE-PE TER | MLQE changed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in res["configs"].items():
        refs = row.get("references")
        m = row.get("mlqe") or {}
        ref_cell = (
            f"{refs['changed']} of {refs['segments']:,} ({refs['changed'] / refs['segments']:.2%})" if refs else "—"
        )
        ter = f"{m['ter']:.3f}" if "ter" in m else "—"
        mch = f"{m['changed_share']:.1%}" if "changed_share" in m else "—"
        gleu, jch = row["jfleg"]["gleu"], row["jfleg"]["changed_share"]
        lines.append(f"| {name} | {gleu:.2f} | {jch:.1%} | {ref_cell} | {ter} | {mch} |")
    nothing = res["mlqe_do_nothing"]
    lines.append(f"| do nothing | {res['jfleg_do_nothing']:.2f} | 0% | 0 | {nothing['ter']:.3f} | 0% |")
    hb = res["harper_blind"]
    lines.append(
        f"| Harper alone, every first suggestion | {hb['jfleg_gleu']:.2f} | {hb['jfleg_changed']:.1%} | "
        f"{hb['refs_changed']} | — | — |"
    )
    given = res["configs"].get("default: rules + grammar", {}).get("with_sources")
    if given:
        m = given["mlqe"]
        lines += [
            "",
            "Given the source segments (bilingual input, `clean_batch(texts, sources=...)`), the default keeps a",
            "word the translation copied from its source (a capitalised word, or a lower-case one English does",
            "not have) and the lower-case start of a segment whose source opens in lower case (a fragment):",
            f"WMT21 references changed {given['references_changed']}; MLQE-PE TER {m['ter']:.3f}, "
            f"{m['changed_share']:.1%} changed. What differs from the same text cleaned without its source:",
            "",
        ]
        for key, label in (("references_differ", "WMT21 reference"), ("mlqe_differ", "MLQE-PE")):
            for d in given[key]:
                show = ", ".join(f"`{a}` → `{b}`" for a, b in d["without"]) or "nothing"
                kept = ", ".join(f"`{a}` → `{b}`" for a, b in d["with"]) or "nothing"
                lines.append(f"- {label}: without the source {show}; with it {kept}")
    lines += ["", "## Speed (one core, side by side)", ""]
    sp = res["speed"]
    lines.append(
        f"WMT21 system outputs: {sp['outputs_lines']:,} lines ({sp['outputs_mb']:.2f} MB, every k-th line of every "
        f"file). Harper alone with its default rules: {sp['harper_default_rules_per_s']:,.0f} sentences/s."
    )
    n = sp.get("outputs_sentences") or 1
    lines += [
        "",
        f"Sentences: {n:,}. 'Sentences to Harper' are those its sentence linter saw (the spell checker is asked",
        "about each distinct unknown word once, in batches, and is not counted).",
        "",
        "| pipeline | MB/s | × rules | segments/s | sentences to Harper | scored by the model | decoded "
        "| JFLEG sentences/s |",
    ]
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in ("rules", "default: rules + grammar", "with the shipped model"):
        r = sp[name]
        lines.append(
            f"| {name} | {r['mb_per_s']:.2f} | {r['mb_per_s'] / sp['rules']['mb_per_s']:.3f} | "
            f"{r['segments_per_s']:,.0f} | {r['harper_sentences']:,} ({r['harper_sentences'] / n:.1%}) | "
            f"{r['model_scored']:,} ({r['model_scored'] / n:.1%}) | {r['model_decoded']:,} | "
            f"{r['jfleg_sentences_per_s']:,.0f} |"
        )
    default = res["configs"].get("default: rules + grammar", {})
    model = res["configs"].get("rules + grammar + the shipped model", {})
    if model.get("references"):
        lines += ["", "## What the shipped model adds on the WMT21 references", ""]
        for c in model["references"]["model_changes"]:
            lines.append(f"- model: …{c['before']}… `{c['change'][0]}` → `{c['change'][1]}`")
        if not model["references"]["model_changes"]:
            extra = model["references"]["changed"] - default.get("references", {}).get("changed", 0)
            lines.append(
                f"No rewrite. It changes {extra} more segments than the default all the same: lone rule repairs"
                " (human-style slips) that its detector confirms, which the default withholds as flags."
            )
    if default.get("references"):
        lines += ["", "## Every grammar change the default makes on the WMT21 references", ""]
        for c in default["references"]["grammar_changes"]:
            lines.append(f"- grammar `{c['kind']}`: …{c['before']}… `{c['change'][0]}` → `{c['change'][1]}`")
        for c in default["references"]["model_changes"]:
            lines.append(f"- model: …{c['before']}… `{c['change'][0]}` → `{c['change'][1]}`")
        held = default.get("wmt23_references")
        if held:
            lines += [
                "",
                f"## Held out: every change the default makes on the WMT23 references ({held['changed']} of "
                f"{held['segments']:,} segments)",
                "",
            ]
            for c in held["changes"]:
                lines.append(f"- {c['source']} `{c['kind']}`: …{c['before']}… `{c['change'][0]}` → `{c['change'][1]}`")
        s = default["seed"]
        lines += [
            "",
            f"Seed article (default): {s['rule_changes']} rule fixes, names kept: {s['names_kept']}, other changes: "
            f"{s['other_changes'] or 'none'}, flags: {', '.join(s['flags']) or 'none'}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--quick", action="store_true", help="small samples (a smoke run)")
    p.add_argument("--limit", type=int, help="the first N lines of each file")
    p.add_argument("--speed-lines", type=int, default=20000)
    p.add_argument("--out", type=Path, default=RESULTS / "grammar")
    p.add_argument("--report-only", action="store_true", help="rewrite the .md from the .json, measure nothing")
    args = p.parse_args()
    if args.report_only:
        res = json.loads(args.out.with_suffix(".json").read_text(encoding="utf-8"))
        args.out.with_suffix(".md").write_text(markdown(res), encoding="utf-8")
        return 0
    res = measure(args.data, 40 if args.quick else args.limit, 300 if args.quick else args.speed_lines)
    args.out.with_suffix(".json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(res), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
