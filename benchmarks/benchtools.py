"""Shared tools of ``benchmarks/run.py``: the cleaners under test, data loading, diffs, scoring
helpers, the speed worker and the machine description.

Only mtfix's public API (``mtfix.Cleaner``, ``mtfix.Config``, ``mtfix.Result``, ``mtfix.Change``) is
used, except ``mtfix.rewrite.load_rewriter`` in :func:`model_status`.
"""

from __future__ import annotations

import difflib
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import mtfix

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUN = HERE / "run.py"  # the entry point; the speed section starts its workers through it

NOTHING, FTFY, MOSES, RULES, MODEL = "do-nothing", "ftfy", "sacremoses", "mtfix rules", "mtfix + model"
TOOLS = (NOTHING, FTFY, MOSES, RULES, MODEL)
RNG_SEED = 0
PASSES = 3  # timed passes in each speed subprocess (the best one counts: this VM's noise only slows runs)

_started = time.perf_counter()


def progress(message: str) -> None:
    """One progress line on stderr, with the time since start."""
    print(f"[{elapsed():6.1f} s] {message}", file=sys.stderr, flush=True)


def elapsed() -> float:
    """Seconds since this module was imported (the start of the run)."""
    return time.perf_counter() - _started


# --------------------------------------------------------------------------------------------- tools


@dataclass
class Output:
    """What a tool made of a list of segments (mtfix also returns its change log)."""

    texts: list[str]
    results: list[mtfix.Result] | None = None


@dataclass
class Tool:
    """A cleaner under test: a per-segment function, or an :class:`mtfix.Cleaner`."""

    name: str
    fix: Callable[[str], str] | None = None
    cleaner: mtfix.Cleaner | None = None

    def run(self, texts: Sequence[str]) -> Output:
        """Clean each segment of ``texts``."""
        if self.cleaner is not None:
            results = self.cleaner.clean_batch(texts)
            return Output([r.text for r in results], results)
        assert self.fix is not None
        return Output([self.fix(t) for t in texts])


def make_tool(name: str) -> Tool:
    """Build one tool by name (imports happen here, so a subprocess pays only for its own tool)."""
    if name == NOTHING:
        return Tool(name, fix=str)
    if name == FTFY:
        import ftfy

        return Tool(name, fix=ftfy.fix_text)
    if name == MOSES:
        from sacremoses import MosesDetokenizer, MosesPunctNormalizer

        normalizer, detokenizer = MosesPunctNormalizer(lang="en"), MosesDetokenizer(lang="en")
        return Tool(name, fix=lambda t: detokenizer.detokenize(normalizer.normalize(t).split()))
    if name == RULES:
        return Tool(name, cleaner=mtfix.Cleaner(model=None, grammar=False))  # the rule layer alone
    if name == MODEL:
        return Tool(name, cleaner=mtfix.Cleaner(model=mtfix.DEFAULT_MODEL, threads=1))
    raise ValueError(f"unknown tool {name!r}")


def model_status(enabled: bool) -> tuple[Tool | None, str]:
    """The model tool and its description, or None and why it is not available.

    Available means: a ``mtfix/models/*/config.json`` exists, ``mtfix.rewrite.load_rewriter`` returns a
    rewriter for the shipped model, and a ``Cleaner`` with it cleans a sentence without error.
    """
    if not enabled:
        return None, "not run (--no-model)"
    configs = sorted((ROOT / "mtfix" / "models").glob("*/config.json"))
    if not configs:
        return None, "not available: no mtfix/models/*/config.json (the default model has not shipped)"
    try:
        from mtfix.rewrite import load_rewriter

        if load_rewriter(mtfix.Config(model=mtfix.DEFAULT_MODEL)) is None:
            return None, "not available: mtfix.rewrite.load_rewriter returned None for the default model"
        tool = make_tool(MODEL)
        tool.run(["He go to school yesterday and buyed a apple ."])
    except Exception as e:  # any failure to load or run means: no model rows
        return None, f"not available: {type(e).__name__}: {e}"
    return tool, f"default model {configs[0].parent.name}, 1 torch thread"


def unavailable(reason: str) -> dict[str, Any]:
    """A tool's entry in a section when it did not run."""
    return {"available": False, "reason": reason}


# ------------------------------------------------------------------------------------------ data


def read_lines(path: Path, limit: int | None = None) -> list[str]:
    """The lines of a UTF-8 file, at most ``limit``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[:limit] if limit else lines


def sample_indices(n: int, k: int | None) -> list[int]:
    """A deterministic sorted sample of ``k`` of ``range(n)`` (all when ``k`` is None or >= n)."""
    if k is None or k >= n:
        return list(range(n))
    return sorted(random.Random(RNG_SEED).sample(range(n), k))


@lru_cache(maxsize=1)
def _moses_detokenizer() -> Any:
    from sacremoses import MosesDetokenizer

    return MosesDetokenizer(lang="en")


def detokenize(text: str) -> str:
    """``MosesDetokenizer('en')`` on the whitespace tokens of ``text`` (how MLQE-PE and JFLEG are undone)."""
    return _moses_detokenizer().detokenize(text.split())


# ----------------------------------------------------------------------------------------- diffs


def edit_cost(a: str, b: str) -> int:
    """Characters inserted, deleted or substituted in difflib's character alignment of a and b."""
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def show(text: str) -> str:
    """``text`` on one line (line breaks as ⏎)."""
    return text.replace("\n", "⏎")


def diff_snippets(a: str, b: str, context: int = 20, limit: int = 4) -> list[str]:
    """``…left[-removed-]{+inserted+}right…`` for each region where ``b`` differs from ``a``."""
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    groups: list[list[tuple[str, int, int, int, int]]] = []
    for op in ops:  # merge changes closer than the context
        if groups and op[1] - groups[-1][-1][2] <= context:
            groups[-1].append(op)
        else:
            groups.append([op])
    out = []
    for group in groups[:limit]:
        i_start, i_end = group[0][1], group[-1][2]
        parts = ["…" if i_start > context else "", a[max(0, i_start - context) : i_start]]
        pos = i_start
        for _, i1, i2, j1, j2 in group:
            parts.append(a[pos:i1])
            parts.append(f"[-{a[i1:i2]}-]" if i2 > i1 else "")
            parts.append(f"{{+{b[j1:j2]}+}}" if j2 > j1 else "")
            pos = i2
        parts += [a[i_end : i_end + context], "…" if i_end + context < len(a) else ""]
        out.append(show("".join(parts)))
    if len(groups) > limit:
        out.append(f"(+{len(groups) - limit} more)")
    return out


def change_snippet(result: mtfix.Result, change: mtfix.Change, context: int = 25) -> str:
    """One mtfix change in its context, in the notation of :func:`diff_snippets`."""
    o = result.original
    left = ("…" if change.start > context else "") + o[max(0, change.start - context) : change.start]
    right = o[change.end : change.end + context] + ("…" if change.end + context < len(o) else "")
    edit = (f"[-{change.before}-]" if change.before else "") + (f"{{+{change.after}+}}" if change.after else "")
    return show(left + edit + right)


# --------------------------------------------------------------------------------------- scoring


@lru_cache(maxsize=32)
def corpus_scores(hyps: tuple[str, ...], refs: tuple[str, ...], inputs: tuple[str, ...]) -> dict[str, float]:
    """Corpus TER and chrF (sacrebleu defaults) and the share of segments the tool changed.

    Cached: TER is slow, and tools that change nothing produce the same hypotheses again.
    """
    from sacrebleu.metrics import CHRF, TER

    return {
        "ter": TER().corpus_score(list(hyps), [list(refs)]).score,
        "chrf": CHRF().corpus_score(list(hyps), [list(refs)]).score,
        "changed_share": sum(h != i for h, i in zip(hyps, inputs, strict=True)) / max(1, len(hyps)),
    }


# ---------------------------------------------------------------------------------- speed worker


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB: ``VmHWM`` of ``/proc/self/status``.

    Not ``ru_maxrss``: Linux carries it over from the parent through fork/vfork and exec, so a worker
    started by a big parent would report the parent's peak.
    """
    with open("/proc/self/status", encoding="utf-8") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def speed_worker(name: str, path: Path, max_lines: int | None) -> None:
    """Subprocess side of the speed section (``run.py --speed-worker``): print JSON timings on stdout.

    The warm-up is a whole untimed pass (lazy loads such as langdetect's profiles happen only on the
    first text that needs them), 16 segments for the model; then ``PASSES`` timed passes (one for the
    model), of which the fastest is the subprocess's time.
    """
    texts = read_lines(path, max_lines)
    tool = make_tool(name)
    loaded = peak_rss_mib()
    warmup = texts[:16] if name == MODEL else texts
    start = time.perf_counter()
    tool.run(warmup)
    warmup_seconds = time.perf_counter() - start
    passes = []
    for _ in range(1 if name == MODEL else PASSES):
        start = time.perf_counter()
        tool.run(texts)
        passes.append(time.perf_counter() - start)
    size = sum(len(t.encode("utf-8")) + 1 for t in texts)
    print(
        json.dumps(
            {
                "seconds": min(passes),
                "passes": passes,
                "warmup_seconds": warmup_seconds,
                "warmup_lines": len(warmup),
                "bytes": size,
                "lines": len(texts),
                "rss_loaded_mib": loaded,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


# --------------------------------------------------------------------------------------- machine


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, versions and the state of the working tree."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kib = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    git = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(mem_kib / 2**20, 1),
        "python": platform.python_version(),
        "torch": version("torch"),
        "versions": {p: version(p) for p in ("ftfy", "sacremoses", "sacrebleu", "regex", "langdetect")},
        "mtfix": mtfix.__version__,
        "git": git or "unknown",
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
