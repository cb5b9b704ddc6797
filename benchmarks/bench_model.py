"""Throughput and memory of the model path.

    python benchmarks/bench_model.py [--model default] [--n 256]

Measures, on MLQE-PE dev sentences (detokenised): the detector (one teacher-forced forward pass
per sentence) and the decoder, in sentences per second, at batch 1, 8, 16 and 32, with and without
int8 dynamic quantisation; and the peak resident memory of a fresh process holding a Cleaner with the
model loaded, idle and while it cleans sentences that all reach the decoder, at each batch size.
Writes benchmarks/results/model.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mtfix  # noqa: E402
from mtfix.rewrite import Rewriter, resolve  # noqa: E402

BATCHES = (1, 8, 16, 32)


def sentences(data: Path, n: int) -> list[str]:
    from sacremoses import MosesDetokenizer

    detok = MosesDetokenizer(lang="en")
    lines = (data / "mlqe-pe" / "ro-en" / "dev.mt").read_text(encoding="utf-8").splitlines()[:n]
    return [detok.detokenize(s.split()) for s in lines]


def measure(model: str, texts: list[str], *, batch: int, quantize: bool) -> tuple[float, float]:
    """(detector sentences/s, decoder sentences/s)."""
    config = mtfix.Config(model=model, batch_size=batch, quantize=quantize, threads=2)
    rw = Rewriter(resolve(model), config)
    rw.generate(texts[:2])  # warm-up
    t = time.perf_counter()
    rw.score(texts)
    detect = len(texts) / (time.perf_counter() - t)
    t = time.perf_counter()
    rw.generate(texts)
    decode = len(texts) / (time.perf_counter() - t)
    return detect, decode


def peak_memory_mb(model: str, texts: list[str] | None = None, batch: int = 16) -> float:
    """Peak RSS of a fresh process that builds a Cleaner with the model and cleans one sentence, or
    ``texts`` with every sentence sent to the decoder (thresholds at 0) in batches of ``batch``."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork and exec, so a
    # child of this (large) benchmark process would report the parent's peak.
    work = texts or ["He go to the market in the morning and buy the the bread."]
    code = (
        "import json, sys, mtfix\n"
        f"c = mtfix.Cleaner(model={model!r}, batch_size={batch}, garble_threshold=0.0, min_confidence=0.0).load()\n"
        "c.clean_batch(json.load(sys.stdin))\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(work), capture_output=True, text=True, check=True, cwd=ROOT
    )
    return int(out.stdout.split()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="default")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--n", type=int, default=256, help="sentences per measurement (batch 1 uses a quarter)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "model.md")
    args = ap.parse_args()
    texts = sentences(args.data, args.n)
    rows = []
    for quantize in (False, True):
        for batch in BATCHES:
            subset = texts[: max(8, args.n // 4)] if batch == 1 else texts
            detect, decode = measure(args.model, subset, batch=batch, quantize=quantize)
            rows.append((quantize, batch, len(subset), detect, decode))
            print(f"int8={quantize} batch={batch}: detect {detect:.1f}/s decode {decode:.1f}/s", file=sys.stderr)
    peak = peak_memory_mb(args.model)
    working = {b: peak_memory_mb(args.model, texts, b) for b in BATCHES[1:]}
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        "# Model path: throughput and memory",
        "",
        f"Machine: {platform.processor() or platform.machine()}, 2 threads for torch; model `{args.model}`; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Sentences: MLQE-PE ro-en dev (detokenised).",
        "",
        "| int8 dynamic quantisation | batch | sentences | detector (sentences/s) | decoder (sentences/s) |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {'yes' if q else 'no'} | {b} | {n} | {d:.1f} | {g:.1f} |" for q, b, n, d, g in rows],
        "",
        "The detector scores every sentence (one teacher-forced forward pass); only the sentences it",
        "flags reach the decoder, so a corpus pass costs about one detector pass plus a decoder pass",
        "over the flagged share.",
        "",
        f"Peak resident memory of a process holding a `Cleaner` with the model loaded: **{peak:.0f} MB** "
        f"(this benchmark process, which loaded eight copies in turn: {own:.0f} MB). While it cleans the "
        f"{len(texts)} sentences, every one sent through the detector and the decoder (int8): "
        + ", ".join(f"batch {b}: **{m:.0f} MB**" for b, m in working.items())
        + f" (the default is `Config.batch_size` = {mtfix.Config().batch_size}).",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
