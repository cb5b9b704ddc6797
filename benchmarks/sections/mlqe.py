"""4. MLQE-PE post-editing: TER and chrF against the post-edits, MT given tokenised and detokenised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchtools import MODEL, NOTHING, RULES, Tool, corpus_scores, detokenize, read_lines, sample_indices

MLQE_PAIRS = ("ro-en", "et-en", "ne-en", "si-en", "ru-en")


def measure(data: Path, limit: int | None, tools: dict[str, Tool], model_sample: int | None) -> dict[str, Any]:
    """MLQE-PE dev: TER and chrF against the detokenised post-edits, tokenised and detokenised input."""
    mt: list[str] = []
    pe: list[str] = []
    pair_of: list[str] = []
    for pair in MLQE_PAIRS:
        mt += read_lines(data / "mlqe-pe" / pair / "dev.mt", limit)
        pe += read_lines(data / "mlqe-pe" / pair / "dev.pe", limit)
        pair_of += [pair] * (len(mt) - len(pair_of))
    refs = [detokenize(s) for s in pe]
    inputs = {"tokenised": mt, "detokenised": [detokenize(s) for s in mt]}
    out: dict[str, Any] = {"pairs": list(MLQE_PAIRS), "segments": len(mt), "conditions": {}}
    for condition, src in inputs.items():
        rows: dict[str, Any] = {}
        texts: dict[str, list[str]] = {}
        for name, tool in tools.items():
            idx = sample_indices(len(src), model_sample if name == MODEL else None)
            hyps = tool.run([src[i] for i in idx]).texts
            row: dict[str, Any] = {"available": True, "segments": len(idx), "sampled": len(idx) < len(src)}
            sample_refs, sample_src = tuple(refs[i] for i in idx), tuple(src[i] for i in idx)
            row |= corpus_scores(tuple(hyps), sample_refs, sample_src)
            if row["sampled"]:  # the same sample, without the model, for comparison
                row["same_sample"] = {
                    other: corpus_scores(tuple(texts[other][i] for i in idx), sample_refs, sample_src)
                    for other in (NOTHING, RULES)
                    if other in texts
                }
            rows[name] = row
            texts[name] = hyps
        out["conditions"][condition] = rows
        if condition == "detokenised":
            out["by_pair"] = by_pair(texts, refs, src, pair_of)
    return out


def by_pair(texts: dict[str, list[str]], refs: list[str], src: list[str], pair_of: list[str]) -> dict[str, Any]:
    """Per language pair: TER of each tool that saw every segment, and for the model, how many
    segments it changed beyond the rules and how many of those got better or worse (sentence TER)."""
    from sacrebleu.metrics import TER

    ter = TER()
    out: dict[str, Any] = {}
    for pair in dict.fromkeys(pair_of):
        idx = [i for i, p in enumerate(pair_of) if p == pair]
        row: dict[str, Any] = {"segments": len(idx)}
        for name, hyps in texts.items():
            if len(hyps) == len(src):
                row[name] = ter.corpus_score([hyps[i] for i in idx], [[refs[i] for i in idx]]).score
        if MODEL in texts and len(texts[MODEL]) == len(src) and RULES in texts:
            touched = [i for i in idx if texts[MODEL][i] != texts[RULES][i]]
            model, rules = texts[MODEL], texts[RULES]
            delta = [
                ter.sentence_score(model[i], [refs[i]]).score - ter.sentence_score(rules[i], [refs[i]]).score
                for i in touched
            ]
            row["model_changed"] = len(touched)
            row["model_better"] = sum(d < 0 for d in delta)
            row["model_worse"] = sum(d > 0 for d in delta)
        out[pair] = row
    return out
