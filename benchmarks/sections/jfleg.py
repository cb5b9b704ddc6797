"""5. JFLEG fluency: GLEU of each tool's cleaning of the detokenised learner sentences."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from benchtools import MODEL, Tool, detokenize, read_lines, sample_indices
from gleu import corpus_gleu

NT_JOIN = re.compile(r"\bn 't\b")  # Moses on "do n't": "do n 't"
NT_SPLIT = re.compile(r"(\w)n 't\b")  # Moses on "don't": "don 't"


def measure(data: Path, limit: int | None, tools: dict[str, Tool], model_sample: int | None) -> dict[str, Any]:
    """JFLEG dev GLEU: tools clean the Moses-detokenised learner sentences; everything is tokenised
    again for scoring, as the references are distributed tokenised."""
    from sacremoses import MosesTokenizer

    tok = MosesTokenizer(lang="en")

    def for_scoring(text: str) -> str:
        """Moses tokens, with "n't" split off Penn-Treebank style as in JFLEG (Moses: "don 't")."""
        tokens = tok.tokenize(text, escape=False, return_str=True)
        return NT_SPLIT.sub(r"\1 n't", NT_JOIN.sub("n't", tokens))

    folder = data / "jfleg"
    raw_src = read_lines(folder / "dev.src", limit)
    raw_refs = [read_lines(folder / f"dev.ref{k}", limit) for k in range(4)]
    src = [detokenize(s) for s in raw_src]
    src_tok = [for_scoring(s) for s in src]
    refs_tok = [[for_scoring(detokenize(r)) for r in ref_set] for ref_set in raw_refs]
    out: dict[str, Any] = {"segments": len(src), "references": 4, "tools": {}}
    published = corpus_gleu(raw_src, raw_src, raw_refs)
    out["source_as_distributed"] = {"gleu": published.mean, "std": published.std}
    for name, tool in tools.items():
        idx = sample_indices(len(src), model_sample if name == MODEL else None)
        hyps = tool.run([src[i] for i in idx]).texts
        score = corpus_gleu(
            [for_scoring(h) for h in hyps], [src_tok[i] for i in idx], [[r[i] for i in idx] for r in refs_tok]
        )
        out["tools"][name] = {
            "available": True,
            "segments": len(idx),
            "sampled": len(idx) < len(src),
            "gleu": score.mean,
            "std": score.std,
            "iterations": score.iterations,
            "changed_share": sum(h != src[i] for h, i in zip(hyps, idx, strict=True)) / max(1, len(idx)),
        }
    return out
