"""3. Artifact repair on real MT: WMT21 system outputs per mtfix change kind, chrF against the reference."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchtools import MODEL, NOTHING, Tool, diff_snippets, progress, read_lines, sample_indices


@dataclass
class Bucket:
    """The segments of one artifact class: ids, text before and after the tool, reference."""

    ids: list[tuple[int, int]] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)

    def add(self, key: tuple[int, int], before: str, after: str, ref: str) -> None:
        """Add one segment."""
        self.ids.append(key)
        self.before.append(before)
        self.after.append(after)
        self.refs.append(ref)


@dataclass(frozen=True)
class SystemOutput:
    """One WMT21 system's output for one language pair, line-aligned with reference A."""

    system: str
    pair: str
    hyps: list[str]
    refs: list[str]


def system_outputs(data: Path, limit: int | None) -> tuple[list[SystemOutput], list[str]]:
    """Every WMT21 system output with its reference A (line-aligned), and warnings for skipped files."""
    found: list[SystemOutput] = []
    warnings: list[str] = []
    for f in sorted((data / "wmt21" / "system-outputs").glob("newstest2021.*.hyp.*.en")):
        parts = f.name.split(".")
        pair, system = parts[1], ".".join(parts[3:-1])
        ref_path = data / "wmt21" / "references" / f"newstest2021.{pair}.ref.A.en"
        if not ref_path.is_file():
            warnings.append(f"{f.name}: no reference {ref_path.name}; skipped")
            continue
        hyps, refs = read_lines(f), read_lines(ref_path)
        if len(hyps) != len(refs):
            warnings.append(f"{f.name}: {len(hyps)} lines but {len(refs)} in {ref_path.name}; skipped")
            continue
        found.append(SystemOutput(system, pair, hyps[:limit] if limit else hyps, refs[:limit] if limit else refs))
    return found, warnings


class ChrfCache:
    """Sentence chrF (default and with whitespace) of each system-output segment before any tool."""

    def __init__(self) -> None:
        from sacrebleu.metrics import CHRF

        self.chrf, self.chrf_ws = CHRF(), CHRF(whitespace=True)
        self._before: dict[tuple[int, int], tuple[float, float]] = {}

    def sentence(self, hyp: str, ref: str) -> tuple[float, float]:
        """Sentence chrF of ``hyp``, without and with whitespace."""
        return self.chrf.sentence_score(hyp, [ref]).score, self.chrf_ws.sentence_score(hyp, [ref]).score

    def before(self, key: tuple[int, int], hyp: str, ref: str) -> tuple[float, float]:
        """:meth:`sentence` of the segment ``key`` before any tool, computed once."""
        if key not in self._before:
            self._before[key] = self.sentence(hyp, ref)
        return self._before[key]

    def bucket_stats(self, bucket: Bucket, where: Sequence[str]) -> dict[str, Any]:
        """Corpus chrF of the bucket before and after, the share whose sentence chrF went down, and
        the segments that lost most (with whitespace)."""
        before = [self.before(k, b, r) for k, b, r in zip(bucket.ids, bucket.before, bucket.refs, strict=True)]
        after = [self.sentence(a, r) for a, r in zip(bucket.after, bucket.refs, strict=True)]
        n = len(bucket.ids)
        deltas = sorted(
            ((a[1] - b[1], i) for i, (a, b) in enumerate(zip(after, before, strict=True))), key=lambda t: t[0]
        )
        return {
            "segments": n,
            "chrf_before": self.chrf.corpus_score(bucket.before, [bucket.refs]).score,
            "chrf_after": self.chrf.corpus_score(bucket.after, [bucket.refs]).score,
            "chrf_ws_before": self.chrf_ws.corpus_score(bucket.before, [bucket.refs]).score,
            "chrf_ws_after": self.chrf_ws.corpus_score(bucket.after, [bucket.refs]).score,
            "down_share": sum(a[0] < b[0] - 1e-9 for a, b in zip(after, before, strict=True)) / n,
            "down_share_ws": sum(a[1] < b[1] - 1e-9 for a, b in zip(after, before, strict=True)) / n,
            "up_share_ws": sum(a[1] > b[1] + 1e-9 for a, b in zip(after, before, strict=True)) / n,
            "worst": [
                {
                    "where": where[i],
                    "delta_chrf_ws": round(d, 2),
                    "edits": diff_snippets(bucket.before[i], bucket.after[i]),
                }
                for d, i in deltas[:10]
                if d < 0
            ],
        }


def measure(data: Path, limit: int | None, tools: dict[str, Tool], model_sample: int | None) -> dict[str, Any]:
    """Per artifact class: segments changed and chrF against the reference before and after."""
    outputs, warnings = system_outputs(data, limit)
    keys = [(f, i) for f, so in enumerate(outputs) for i in range(len(so.hyps))]
    label = {(f, i): f"{so.pair}.{so.system}:{i + 1}" for f, so in enumerate(outputs) for i in range(len(so.hyps))}
    cache = ChrfCache()
    out: dict[str, Any] = {
        "files": len(outputs),
        "segments": len(keys),
        "warnings": warnings,
        "tools": {},
    }
    for name, tool in tools.items():
        if name == NOTHING:
            continue
        chosen = set(keys) if name != MODEL else {keys[i] for i in sample_indices(len(keys), model_sample)}
        buckets: dict[str, Bucket] = defaultdict(Bucket)
        for f, so in enumerate(outputs):
            lines = [i for i in range(len(so.hyps)) if (f, i) in chosen]
            if not lines:
                continue
            result = tool.run([so.hyps[i] for i in lines])
            for j, i in enumerate(lines):
                hyp, new, ref = so.hyps[i], result.texts[j], so.refs[i]
                if new == hyp:
                    continue
                buckets["all"].add((f, i), hyp, new, ref)
                if result.results is not None:
                    r = result.results[j]
                    for kind in dict.fromkeys(c.kind for c in r.changes):
                        buckets[kind].add((f, i), hyp, r.apply([c for c in r.changes if c.kind == kind]), ref)
        where = {cls: [label[k] for k in b.ids] for cls, b in buckets.items()}
        rows = {cls: cache.bucket_stats(b, where[cls]) for cls, b in buckets.items()}
        ordered = dict(sorted(rows.items(), key=lambda kv: (kv[0] != "all", -kv[1]["segments"])))
        out["tools"][name] = {
            "available": True,
            "segments": len(chosen),
            "sampled": len(chosen) < len(keys),
            "classes": ordered,
        }
        progress(f"  3. system outputs: {name}: {len(buckets['all'].ids):,} of {len(chosen):,} segments changed")
    return out
