"""The review report at corpus scale: generation time, file size, and the page in headless Chromium.

    python benchmarks/bench_report.py [--data ../shared/data] [--changes 100000] [--shots docs/]

1. A corpus with at least ``--changes`` changes: WMT21 system-output lines, each with artifacts injected
   (``bench_restore.CLASSES``), cleaned by the rule layer in thorough mode (``Cleaner.clean_batch``).
2. Report generation (``mtfix.report.report_html``) timed on its own, and the page's size.
3. The page in headless Chromium (Debian's, driven by Selenium): time to first contentful paint, to the
   page being ready (data parsed, summary and first page drawn), and to filter all changes (a search,
   a kind, the confidence threshold), to turn the page and to reject every change shown.
4. With ``--shots``: screenshots of the report of the seed article and of a 10,000-segment WMT21 system
   output cleaned by the default pipeline, for the README.

Only mtfix's public API is used. Writes ``benchmarks/results/report.md`` and ``report.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_restore import CLASSES  # noqa: E402

import mtfix  # noqa: E402
from mtfix.report import report_html  # noqa: E402
from mtfix.review import Segment  # noqa: E402

FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --disable-dev-shm-usage"
).split()


def system_lines(data: Path) -> list[str]:
    out: list[str] = []
    for f in sorted((data / "wmt21" / "system-outputs").glob("*")):
        out += [x for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def damaged_corpus(lines: list[str], changes: int, seed: int = 0) -> list[Segment]:
    """Segments of injected damage, cleaned, until they hold ``changes`` changes."""
    rng = random.Random(seed)
    injectors = list(CLASSES.values())
    cleaner = mtfix.Cleaner(model=None, grammar=False, mode="thorough")
    segments: list[Segment] = []
    total = 0
    batch: list[str] = []
    lines = lines * 4  # damaged afresh on each round, until there are enough changes
    for n, line in enumerate(lines, 1):
        for inject in rng.sample(injectors, 4):
            line = inject(line, rng) or line
        batch.append(line)
        if len(batch) == 2000 or n == len(lines):
            first = n - len(batch) + 1
            for k, r in enumerate(cleaner.clean_batch(batch)):
                if r.changes or r.flags:
                    segments.append(Segment(f"wmt21-damaged-{(first + k) // 10000:02d}.txt", first + k, 0, r))
                    total += len(r.changes)
            batch = []
            if total >= changes:
                break
    return segments


def browser(width: int = 1400, height: int = 1000) -> object:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="mtfix-bench-chromium-")
    for flag in [*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def timed_js(driver: object, script: str) -> float:
    """Milliseconds the page takes to run ``script`` and redraw (measured inside the page)."""
    return float(
        driver.execute_script(  # type: ignore[attr-defined]
            f"const t = performance.now(); {script}; document.body.offsetHeight; return performance.now() - t;"
        )
    )


def page_timings(path: Path) -> dict[str, float]:
    driver = browser()
    try:
        t = time.perf_counter()
        driver.get(path.as_uri())  # type: ignore[attr-defined]
        while driver.execute_script("return document.body.dataset.ready") != "1":  # type: ignore[attr-defined]
            time.sleep(0.01)
        load = time.perf_counter() - t
        paint = driver.execute_script(  # type: ignore[attr-defined]
            "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null;"
        )
        ready = driver.execute_script("return performance.now()")  # type: ignore[attr-defined]
        fire = "e.dispatchEvent(new Event('{ev}'))"
        search = "const e = document.getElementById('f-q'); e.value = 'the'; " + fire.format(ev="input")
        kind = "const e = document.getElementById('f-kind'); e.selectedIndex = 1; " + fire.format(ev="change")
        clear = "const e = document.getElementById('f-kind'); e.selectedIndex = 0; " + fire.format(ev="change")
        conf = "const e = document.getElementById('f-conf'); e.value = '0.9'; " + fire.format(ev="input")
        out = {
            "first_contentful_paint_ms": round(paint, 1) if paint is not None else None,
            "ready_ms": round(ready, 1),
            "load_wall_s": round(load, 2),
            "search_ms": round(timed_js(driver, search), 1),
            "filter_kind_ms": round(timed_js(driver, kind), 1),
            "next_page_ms": round(timed_js(driver, "document.getElementById('next').click()"), 1),
            "reject_shown_ms": round(timed_js(driver, "document.getElementById('reject-shown').click()"), 1),
        }
        timed_js(driver, clear)
        timed_js(driver, "const e = document.getElementById('f-q'); e.value = ''; " + fire.format(ev="input"))
        out["confidence_threshold_ms"] = round(timed_js(driver, conf), 1)
        out["export_ms"] = round(timed_js(driver, "window.mtfixDecisions()"), 1)
        return out
    finally:
        driver.quit()  # type: ignore[attr-defined]


def screenshot(path: Path, png: Path, height: int) -> None:
    driver = browser(1400, height)
    try:
        driver.get(path.as_uri())  # type: ignore[attr-defined]
        while driver.execute_script("return document.body.dataset.ready") != "1":  # type: ignore[attr-defined]
            time.sleep(0.01)
        driver.save_screenshot(str(png))  # type: ignore[attr-defined]
    finally:
        driver.quit()  # type: ignore[attr-defined]


def shots(data: Path, folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="mtfix-bench-report-"))
    seed = ROOT / "seeds" / "000_a531eb22376dc238.txt"
    segs = []
    for n, line in enumerate(seed.read_text(encoding="utf-8").split("\n"), 1):
        r = mtfix.clean(line)
        if r.changes or r.flags:
            segs.append(Segment("seed.txt", n, 0, r))
    (work / "seed.html").write_text(report_html(segs, title="mtfix review: seed.txt", inputs=["seed.txt"]))
    screenshot(work / "seed.html", folder / "report-seed.png", 1300)
    # 10,000 segments of the zh-en system outputs (their files in name order), by the default pipeline
    where: list[tuple[str, int, str]] = []
    for f in sorted((data / "wmt21" / "system-outputs").glob("newstest2021.zh-en.*")):
        where += [(f.name, n, x) for n, x in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)]
    where = where[:10000]
    results = mtfix.Cleaner().clean_batch([x for _, _, x in where])
    segs = [Segment(name, n, 0, r) for (name, n, _), r in zip(where, results, strict=True) if r.changes or r.flags]
    names = list(dict.fromkeys(name for name, _, _ in where))
    title = f"mtfix review: WMT21 zh-en system outputs (10,000 segments of {len(names)} files)"
    (work / "wmt21.html").write_text(report_html(segs, title=title, inputs=names))
    screenshot(work / "wmt21.html", folder / "report-wmt21.png", 1300)
    shutil.rmtree(work, ignore_errors=True)
    n = sum(len(s.result.changes) for s in segs)
    f = sum(len(s.result.flags) for s in segs)
    return {"seed": "report-seed.png", "wmt21": f"report-wmt21.png (zh-en, 10,000 segments: {n} changes, {f} flags)"}


def main() -> None:
    shared = Path(os.environ.get("MTFIX_SHARED_DATA", ROOT.parent / "shared" / "data"))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=shared)
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--shots", type=Path, help="write the README's screenshots into this folder")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "report.md")
    args = parser.parse_args()

    lines = system_lines(args.data)
    t = time.perf_counter()
    segments = damaged_corpus(lines, args.changes)
    clean_s = time.perf_counter() - t
    changes = sum(len(s.result.changes) for s in segments)
    flags = sum(len(s.result.flags) for s in segments)
    t = time.perf_counter()
    html = report_html(segments, title=f"mtfix review: {changes:,} changes", inputs=["wmt21-damaged"])
    generate_s = time.perf_counter() - t
    work = Path(tempfile.mkdtemp(prefix="mtfix-bench-report-"))
    page = work / "report.html"
    page.write_text(html, encoding="utf-8")
    size_mb = page.stat().st_size / 1e6
    print(f"{len(segments):,} segments, {changes:,} changes, {flags:,} flags; generated in {generate_s:.2f} s, "
          f"{size_mb:.1f} MB", file=sys.stderr)  # fmt: skip
    timings = page_timings(page)
    print(timings, file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    result = {
        "segments": len(segments),
        "changes": changes,
        "flags": flags,
        "clean_s": round(clean_s, 2),
        "generate_s": round(generate_s, 2),
        "size_mb": round(size_mb, 2),
        "browser": timings,
        "chromium": os.popen("chromium --version 2>/dev/null").read().strip(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    if args.shots:
        result["shots"] = shots(args.data, args.shots)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    b = timings
    md = [
        "# The review report at corpus scale",
        "",
        f"`python benchmarks/bench_report.py`: WMT21 system-output lines with four artifacts injected into each "
        f"(`bench_restore.CLASSES`), cleaned by the rule layer in thorough mode: {len(segments):,} segments with "
        f"{changes:,} changes and {flags:,} flags. {result['chromium']}, headless, 1400×1000. {result['date']}.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| report generation (`report_html`) | {generate_s:.2f} s |",
        f"| file size | {size_mb:.1f} MB |",
        f"| first contentful paint | {b['first_contentful_paint_ms']} ms |",
        f"| page ready (data parsed, summary and first page drawn) | {b['ready_ms']} ms |",
        f"| search for 'the' over every segment | {b['search_ms']} ms |",
        f"| filter by a kind | {b['filter_kind_ms']} ms |",
        f"| next page | {b['next_page_ms']} ms |",
        f"| reject every change shown | {b['reject_shown_ms']} ms |",
        f"| confidence threshold 0.9 | {b['confidence_threshold_ms']} ms |",
        f"| export the decisions (JSON of every change) | {b['export_ms']} ms |",
        "",
        f"(Cleaning the corpus, not part of the report: {clean_s:.1f} s.) The page draws 50 segments at a time, "
        "whatever the corpus; filters and bulk decisions run over the data, not the page.",
    ]
    args.out.write_text("\n".join(md) + "\n")
    print(args.out.read_text())


if __name__ == "__main__":
    main()
