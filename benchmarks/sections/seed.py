"""1. The seed article: each tool cleans it line by line; scored against its 16 known faults."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchtools import ROOT, Tool, edit_cost, show

SEED = ROOT / "seeds" / "000_a531eb22376dc238.txt"

# The 16 mechanical faults of the seed article: (class, text in the original, corrected text, count).
SEED_FAULTS: list[tuple[str, str, str, int]] = [
    ("spacing.hyphen", "Jong -un", "Jong-un", 7),
    ("spacing.hyphen", "China -DPRK", "China-DPRK", 1),
    ("spacing.hyphen", "six -day", "six-day", 1),
    ("spacing.sentence", "Korea.At", "Korea. At", 1),
    ("spacing.sentence", "Korea.Kim", "Korea. Kim", 1),
    ("spacing.sentence", "Russia.This", "Russia. This", 1),
    ("spacing.sentence", "October.I", "October. I", 1),
    ("spacing.sentence", "Korea.Sexual", "Korea. Sexual", 1),
    ("spacing.sentence", "concerns.The", "concerns. The", 1),
    ("quotes.run", 'cooperation.""" ".', 'cooperation."', 1),
]


@dataclass(frozen=True)
class Fault:
    """One expected fix: ``original[start:end] == before`` becomes ``after``, at ``[e_start, e_end)`` of
    the expected text."""

    kind: str
    start: int
    end: int
    before: str
    after: str
    e_start: int
    e_end: int


def common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix of ``a`` and ``b``."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def seed_faults(original: str) -> tuple[str, list[Fault]]:
    """The expected text (the original with exactly the 16 fixes applied) and the fixes."""
    edits: list[tuple[int, int, str, str, str]] = []
    for kind, bad, good, count in SEED_FAULTS:
        pre = common_prefix(bad, good)
        suf = common_prefix(bad[pre:][::-1], good[pre:][::-1])
        starts = [i for i in range(len(original)) if original.startswith(bad, i)]
        if len(starts) != count:
            raise ValueError(f"seed article: expected {count} × {bad!r}, found {len(starts)}")
        edits += [
            (i + pre, i + len(bad) - suf, bad[pre : len(bad) - suf], good[pre : len(good) - suf], kind) for i in starts
        ]
    parts: list[str] = []
    faults: list[Fault] = []
    pos = length = 0
    for start, end, before, after, kind in sorted(edits):
        parts += [original[pos:start], after]
        length += start - pos
        faults.append(Fault(kind, start, end, before, after, length, length + len(after)))
        length += len(after)
        pos = end
    parts.append(original[pos:])
    return "".join(parts), faults


def score_seed(expected: str, faults: Sequence[Fault], output: str) -> dict[str, Any]:
    """Which expected fixes ``output`` made, and the characters it changed that it should not have.

    The character alignment (difflib) of the expected text and the output is cut into regions of
    differences and the fixes they touch. In each region the output is compared with every way of
    leaving some of those fixes unmade; the closest one decides which fixes were made, and its
    distance to the output counts as characters changed that should not have been.
    """
    ops = [
        op for op in difflib.SequenceMatcher(None, expected, output, autojunk=False).get_opcodes() if op[0] != "equal"
    ]
    items = sorted(
        [(i1, i2, "op", k) for k, (_, i1, i2, _, _) in enumerate(ops)]
        + [(f.e_start, f.e_end, "fault", k) for k, f in enumerate(faults)]
    )
    groups: list[list[tuple[int, int, str, int]]] = []
    for item in items:
        if groups and item[0] <= max(g[1] for g in groups[-1]):
            groups[-1].append(item)
        else:
            groups.append([item])
    made = [True] * len(faults)
    wrong = 0
    examples: list[str] = []
    for group in groups:
        op_ids = [k for _, _, what, k in group if what == "op"]
        fault_ids = [k for _, _, what, k in group if what == "fault"]
        if not op_ids:
            continue
        ws, we = min(g[0] for g in group), max(g[1] for g in group)
        first, last = ops[op_ids[0]], ops[op_ids[-1]]
        window = output[first[3] - (first[1] - ws) : last[4] + (we - last[2])]
        best: tuple[int, int, list[int], str] | None = None
        for mask in range(1 << len(fault_ids)):
            unmade = [k for bit, k in enumerate(fault_ids) if mask >> bit & 1]
            candidate = expected[ws:we]
            for k in sorted(unmade, key=lambda k: -faults[k].e_start):
                f = faults[k]
                candidate = candidate[: f.e_start - ws] + f.before + candidate[f.e_end - ws :]
            key = (edit_cost(candidate, window), -len(unmade), unmade, candidate)
            if best is None or key[:2] < best[:2]:
                best = key
        assert best is not None
        cost, _, unmade, candidate = best
        for k in unmade:
            made[k] = False
        if cost:
            wrong += cost
            left, right = expected[max(0, ws - 20) : ws], expected[we : we + 20]
            examples.append(show(f"…{left}[-{candidate}-]{{+{window}+}}{right}…"))
    by_kind = Counter(f.kind for f, ok in zip(faults, made, strict=True) if ok)
    return {
        "available": True,
        "fixed": sum(made),
        "total": len(faults),
        "fixed_by_kind": {kind: by_kind[kind] for kind in dict.fromkeys(f.kind for f in faults)},
        "wrong_chars": wrong,
        "wrong_edits": examples,
    }


def measure(tools: dict[str, Tool]) -> dict[str, Any]:
    """Each tool cleans the seed article line by line; scored against the 16 expected fixes."""
    original = SEED.read_text(encoding="utf-8")
    expected, faults = seed_faults(original)
    out: dict[str, Any] = {
        "file": str(SEED.relative_to(ROOT)),
        "faults": [{"kind": f.kind, "start": f.start, "before": f.before, "after": f.after} for f in faults],
        "totals_by_kind": dict(Counter(f.kind for f in faults)),
        "tools": {},
    }
    for name, tool in tools.items():
        output = "\n".join(tool.run(original.split("\n")).texts)
        out["tools"][name] = score_seed(expected, faults, output)
    return out
