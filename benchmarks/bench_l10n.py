"""Throughput and peak memory of ``mtfix.l10n`` on a large XLIFF 1.2 file.

    python benchmarks/bench_l10n.py [--data ../shared/data] [--units 100000] [--out benchmarks/results]

Builds a ``--units`` XLIFF 1.2 file in a temporary folder: WMT21 system outputs as targets and their
sources, line-aligned (synthetic MT-like text when the data is missing), each target with a placeholder
and inline tags inserted (``<x/>``, ``<g>…</g>``, ``<ph>…</ph>``). Then times, each in a subprocess of its
own (peak RSS: ``VmHWM`` of the worker, and its RSS once imports are done):

(a) lxml alone: ``etree.parse`` and ``etree.tostring`` (what re-serialising would cost);
(b) ``mtfix.l10n.read`` and ``write`` with nothing changed (the output is checked byte-identical);
(c) ``mtfix.l10n.clean_file`` with the default ``mtfix.Cleaner()`` (rules and grammar, sources given).

Writes ``l10n.md`` and ``l10n.json`` under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchtools import machine_info, peak_rss_mib  # noqa: E402

PLACEHOLDERS = ("{0}", "%1$s", "%(name)s", "{{var}}")
MEASURES = {
    "lxml": "lxml alone: parse + tostring",
    "l10n": "mtfix.l10n.read + write, nothing changed",
    "clean": "mtfix.l10n.clean_file, default Cleaner()",
}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pairs(data: Path, n: int) -> tuple[list[tuple[str, str]], str]:
    """``n`` (source, system output) pairs, cycling over the WMT21 system outputs; synthetic without them."""
    out: list[tuple[str, str]] = []
    for hyp in sorted((data / "wmt21" / "system-outputs").glob("newstest2021.*-en.hyp.*.en")):
        pair = hyp.name.split(".")[1]
        src = data / "wmt21" / "sources" / f"newstest2021.{pair}.src.{pair.split('-')[0]}"
        if not src.is_file():
            continue
        sources = src.read_text(encoding="utf-8").splitlines()
        outputs = hyp.read_text(encoding="utf-8").splitlines()
        if len(sources) != len(outputs):
            continue
        out += [(s, h) for s, h in zip(sources, outputs, strict=True) if h.strip()]
        if len(out) >= n:
            return out[:n], "WMT21 system outputs and their sources"
    if out:
        return [out[i % len(out)] for i in range(n)], "WMT21 system outputs and their sources, repeated"
    rng = random.Random(0)
    words = ["the", "the", "Kim", "Jong", "-un", "arrived.He", "said", ",", ",,", "report", "on", "Monday", "."]
    synthetic = [(f"源文本 {i}", " ".join(rng.choice(words) for _ in range(rng.randrange(5, 30)))) for i in range(n)]
    return synthetic, "synthetic MT-like text (no WMT21 data found)"


def target(text: str, k: int) -> str:
    """``text`` escaped, with a placeholder and inline tags inserted at word boundaries."""
    rng = random.Random(k)
    words = text.split(" ")
    n = len(words)
    marks = {rng.randrange(n): "x", rng.randrange(n): "ph", rng.randrange(n): "p"}
    g = rng.randrange(n)
    out = []
    for i, w in enumerate(words):
        piece = escape(w)
        if i == g:
            piece = f'<g id="2">{piece}</g>'
        kind = marks.get(i)
        if kind == "x":
            piece += ' <x id="1"/>'
        elif kind == "ph":
            piece += '<ph id="3">&lt;br/&gt;</ph>'
        elif kind == "p":
            piece += " " + PLACEHOLDERS[k % len(PLACEHOLDERS)]
        out.append(piece)
    return " ".join(out)


def build(path: Path, units: list[tuple[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
            '  <file original="wmt21" source-language="xx" target-language="en" datatype="plaintext">\n'
            "    <body>\n"
        )
        for k, (src, hyp) in enumerate(units):
            f.write(
                f'      <trans-unit id="{k + 1}">\n'
                f"        <source>{escape(src)}</source>\n"
                f'        <target state="translated">{target(hyp, k)}</target>\n'
                "      </trans-unit>\n"
            )
        f.write("    </body>\n  </file>\n</xliff>\n")


def worker(kind: str, path: Path) -> None:
    """Subprocess side: one measurement, JSON on stdout."""
    import mtfix
    from mtfix.l10n import clean_file, read

    if kind == "lxml":
        from lxml import etree
    cleaner = mtfix.Cleaner() if kind == "clean" else None
    if cleaner is not None:
        cleaner.load()
        cleaner.clean_batch(["Warm up.He said ,, no"], sources=["x"])  # lazy loads outside the timing
    loaded = peak_rss_mib()
    data = path.read_bytes()
    extra: dict[str, object] = {}
    start = time.perf_counter()
    if kind == "lxml":
        tree = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
        written = etree.tostring(tree, encoding="UTF-8", xml_declaration=True)
        extra["identical"] = written == data
    elif kind == "l10n":
        f = read(data, "xliff", path.name)
        written = f.write({})
        extra["units"] = len(f.units)
        extra["identical"] = written == data
    else:
        assert cleaner is not None
        batch = cleaner.clean_batch
        timing: dict[str, float] = {}

        def timed_batch(*a: object, **k: object) -> object:  # clean_file's one call: its share of the time
            timing["rss_before_batch_mib"] = current_rss_mib()
            t = time.perf_counter()
            out = batch(*a, **k)  # type: ignore[arg-type]
            timing["batch_seconds"] = time.perf_counter() - t
            return out

        cleaner.clean_batch = timed_batch  # type: ignore[method-assign]
        written, results = clean_file(data, "xliff", cleaner, path.name)
        extra.update(timing)
        extra["units"] = len(results)
        extra["changed_units"] = sum(1 for _, r in results if r is not None and r.changed)
        extra["changes"] = sum(len(r.changes) for _, r in results if r is not None)
        extra["bytes_differ"] = written != data
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    print(json.dumps({"seconds": seconds, "bytes": len(data), "rss_loaded_mib": loaded, "peak_rss_mib": peak, **extra}))


def current_rss_mib() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def run(kind: str, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(path)], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def markdown(results: dict) -> str:
    rows = []
    for kind, label in MEASURES.items():
        r = results["measures"][kind]
        if "error" in r:
            rows.append(f"| {label} | failed: {r['error']} | | | | |")
            continue
        mb = r["bytes"] / 1e6
        rows.append(
            f"| {label} | {r['seconds']:.2f} | {mb / r['seconds']:.2f} | {results['units'] / r['seconds']:,.0f} "
            f"| {r['peak_rss_mib']:.0f} | {r['peak_rss_mib'] - r['rss_loaded_mib']:.0f} |"
        )
    m = results["machine"]
    c = results["measures"]["clean"]
    return "\n".join(
        [
            "# Localisation files (`benchmarks/bench_l10n.py`)",
            "",
            f"One XLIFF 1.2 file of {results['units']:,} units ({results['mb']:.1f} MB): {results['text']},",
            "each target with a placeholder and `<x/>`, `<g>…</g>`, `<ph>…</ph>` inserted. Each row runs in a",
            "subprocess of its own; peak RSS is its `VmHWM`, and *over imports* is that less its RSS once the",
            "imports (and, for `clean_file`, the cleaner's loading and a warm-up) were done. Machine:",
            f"{m['cpu']}, {m['usable_cores']} usable cores, Python {m['python']}, lxml {results['lxml']}, {m['date']}.",
            "",
            "| measure | seconds | MB/s | units/s | peak RSS (MiB) | over imports (MiB) |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"- lxml's `tostring` gives the same bytes back: {results['measures']['lxml'].get('identical')} "
            "(it rewrites the XML declaration's quotes and the like; mtfix.l10n never re-serialises).",
            "- `read` + `write` with nothing changed gives the same bytes back: "
            f"{results['measures']['l10n'].get('identical')}.",
            f"- `clean_file` changed {c.get('changed_units', 0):,} of the {results['units']:,} units "
            f"({c.get('changes', 0):,} changes). Of its {c.get('seconds', 0):.1f} s, its one `clean_batch` "
            f"(the units' targets, sources and tags) took {c.get('batch_seconds', 0):.1f} s; reading and",
            f"writing the rest. RSS before that call: {c.get('rss_before_batch_mib', 0):.0f} MiB.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = os.environ.get("MTFIX_SHARED_DATA", ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=shared, help="default: $MTFIX_SHARED_DATA or ../shared/data")
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--only", choices=list(MEASURES), action="append", help="run only these measures")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    from importlib import metadata

    units, text = pairs(args.data, args.units)
    results: dict = {"units": len(units), "text": text, "machine": machine_info(), "lxml": metadata.version("lxml")}
    results["measures"] = {}
    with tempfile.TemporaryDirectory(prefix="mtfix-l10n-") as tmp:
        path = Path(tmp, "bench.xlf")
        build(path, units)
        results["mb"] = path.stat().st_size / 1e6
        print(f"{len(units):,} units, {results['mb']:.1f} MB", file=sys.stderr)
        for kind in args.only or MEASURES:
            results["measures"][kind] = run(kind, path)
            print(kind, results["measures"][kind], file=sys.stderr)
    if args.only:
        return
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "l10n.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "l10n.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
