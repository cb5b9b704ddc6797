"""2. Damage on clean human text: how many WMT21 reference segments each tool changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from benchtools import MODEL, NOTHING, Tool, change_snippet, diff_snippets, read_lines, sample_indices


def short_name(path: Path) -> str:
    """``newstest2021.cs-en.ref.A.en`` → ``cs-en.ref.A``."""
    return ".".join(path.name.split(".")[1:-1])


def measure(data: Path, limit: int | None, tools: dict[str, Tool], model_sample: int | None) -> dict[str, Any]:
    """How many human reference segments each tool changes, with every change as an example."""
    files = sorted((data / "wmt21" / "references").glob("newstest2021.*.en"))
    segments: list[str] = []
    where: list[str] = []
    for f in files:
        lines = read_lines(f, limit)
        segments += lines
        where += [f"{short_name(f)}:{i + 1}" for i in range(len(lines))]
    out: dict[str, Any] = {"segments": len(segments), "files": [f.name for f in files], "tools": {}}
    for name, tool in tools.items():
        if name == NOTHING:
            continue
        idx = sample_indices(len(segments), model_sample if name == MODEL else None)
        result = tool.run([segments[i] for i in idx])
        examples: list[dict[str, Any]] = []
        kinds: Counter[str] = Counter()
        for j, i in enumerate(idx):
            if result.texts[j] == segments[i]:
                continue
            if result.results is not None:
                r = result.results[j]
                kinds.update(c.kind for c in r.changes)
                edits = [
                    {"kind": c.kind, "source": c.source, "confidence": c.confidence, "edit": change_snippet(r, c)}
                    for c in r.changes
                ]
                examples.append({"where": where[i], "changes": edits})
            else:
                examples.append({"where": where[i], "edits": diff_snippets(segments[i], result.texts[j])})
        out["tools"][name] = {
            "available": True,
            "segments": len(idx),
            "sampled": len(idx) < len(segments),
            "changed": len(examples),
            "per_1000": 1000 * len(examples) / max(1, len(idx)),
            "changes_by_kind": dict(kinds.most_common()),
            "examples": examples,
        }
    return out
