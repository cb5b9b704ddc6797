"""benchmarks/run.py: GLEU on toy examples, the seed scorer, the report from a results dict alone, and a
--quick run on a tiny slice."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT

BENCH = ROOT / "benchmarks"
SECTIONS = (
    "## Summary",
    "## 1. The seed article",
    "## 2. Damage on clean text",
    "## 3. Artifact repair on real MT",
    "## 4. Post-editing quality",
    "## 5. Fluency (JFLEG dev)",
    "## 6. Speed and memory",
    "## 7. Quality against speed",
)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gleu() -> ModuleType:
    return _load("gleu")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """run.py, which also puts benchmarks/ on sys.path for its modules (sections, report, benchtools)."""
    return _load("run")


@pytest.fixture(scope="module")
def seed(bench: ModuleType) -> ModuleType:
    return importlib.import_module("sections.seed")


@pytest.fixture(scope="module")
def report(bench: ModuleType) -> ModuleType:
    return importlib.import_module("report")


def test_gleu_toy_examples(gleu: ModuleType) -> None:
    """Hand-computed GLEU: a perfect rewrite, a short one, one that keeps a source error, and a corpus."""
    src, ref = "a b c d e", "a b c d f"
    assert gleu.corpus_gleu([ref], [src], [[ref]]).mean == pytest.approx(100)
    # "a b c d": all n-grams match (4/4, 3/3, 2/2, 1/1), brevity penalty exp(1 - 5/4).
    assert gleu.sentence_stats("a b c d".split(), src.split(), ref.split()) == [4, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert gleu.corpus_gleu(["a b c d"], [src], [[ref]]).mean == pytest.approx(100 * math.exp(-0.25))
    # Source "a b c d e f", reference "a b c d e g", hypothesis "a b c d e f g": the source-only n-grams
    # (f, e f, d e f, c d e f) are subtracted: 5/7, 3/6, 2/5, 1/4; no brevity penalty (c=7 > r=6).
    stats = gleu.sentence_stats("a b c d e f g".split(), "a b c d e f".split(), "a b c d e g".split())
    assert stats == [7, 6, 5, 7, 3, 6, 2, 5, 1, 4]
    assert gleu.gleu_from_stats(stats) == pytest.approx((1 / 28) ** 0.25)
    # Corpus level: statistics are summed before the score is taken.
    both = gleu.corpus_gleu(["a b c d", "a b c d e f g"], [src, "a b c d e f"], [[ref, "a b c d e g"]], iterations=3)
    assert both.mean == pytest.approx(100 * (9 / 11 * 6 / 9 * 4 / 7 * 2 / 5) ** 0.25)
    assert both.std == pytest.approx(0)
    # Copying the source when the references correct it scores 0 here (the 3-gram count is 0).
    assert gleu.corpus_gleu([src], [src], [[ref]]).mean == 0


def test_gleu_samples_one_reference_per_sentence(gleu: ModuleType) -> None:
    """With two references the score is a mean over draws: between the scores against each one."""
    src, hyp = "x y z w v", "a b c d e"
    one = gleu.corpus_gleu([hyp], [src], [[hyp]]).mean
    other = gleu.corpus_gleu([hyp], [src], [["a b c d f"]]).mean
    mixed = gleu.corpus_gleu([hyp], [src], [[hyp], ["a b c d f"]], iterations=200)
    assert other < mixed.mean < one and mixed.std > 0


def test_seed_scorer(seed: ModuleType) -> None:
    """The expected text scores 16/16 with nothing wrong; the original 0/16; a stray edit counts."""
    original = seed.SEED.read_text(encoding="utf-8")
    expected, faults = seed.seed_faults(original)
    assert len(faults) == 16 and "Kim Jong -un" not in expected and 'cooperation."\n' in expected
    assert seed.score_seed(expected, faults, expected)["fixed"] == 16
    nothing = seed.score_seed(expected, faults, original)
    assert (nothing["fixed"], nothing["wrong_chars"]) == (0, 0)
    damaged = seed.score_seed(expected, faults, expected.replace("Lavrov", "Lavrow", 1))
    assert (damaged["fixed"], damaged["wrong_chars"]) == (16, 1)
    both = seed.score_seed(expected, faults, original.replace("Korea.At", "Korea.  At"))
    assert (both["fixed"], both["wrong_chars"]) == (1, 1)  # the space added, and one too many


def test_report_from_committed_results(report: ModuleType) -> None:
    """The committed RESULTS.md is what the writer makes of the committed results.json, byte for byte."""
    results = json.loads((BENCH / "results" / "results.json").read_text(encoding="utf-8"))
    # with the grammar stage's own benchmark, as run.py adds it (section 8)
    results["grammar"] = json.loads((BENCH / "results" / "grammar.json").read_text(encoding="utf-8"))
    committed = (BENCH / "RESULTS.md").read_text(encoding="utf-8")
    assert report.write_markdown(results) == committed, "regenerate: python benchmarks/run.py --report-only"


def test_report_without_the_model(report: ModuleType) -> None:
    """From a results dict alone, with the model missing: every section in order, the model rows n/a, no plot
    of a tool that did not run."""
    results = json.loads((BENCH / "results" / "results.json").read_text(encoding="utf-8"))
    missing = {"available": False, "reason": "not run (--no-model)"}
    results["speed"]["tools"]["mtfix + model"] = missing  # MLQE-PE has model rows, speed not (after --only)
    assert report.plotted_tools(results) == ["ftfy", "sacremoses", "mtfix rules"]
    results["model"] = {"available": False, "description": missing["reason"]}
    for key in ("seed", "references", "system_outputs", "jfleg", "speed"):
        results[key]["tools"]["mtfix + model"] = missing
    for rows in results["mlqe"]["conditions"].values():
        rows["mtfix + model"] = missing
    del results["mlqe"]["by_pair"]
    text = report.write_markdown(results)
    positions = [text.find(s) for s in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "Model (`mtfix + model` rows): not run (--no-model)." in text
    assert "| mtfix + model | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |" in text
    assert report.plotted_tools(results) == ["ftfy", "sacremoses", "mtfix rules"]
    results["speed"]["tools"] = dict.fromkeys(results["speed"]["tools"], missing)  # no speed: no plot
    assert report.plotted_tools(results) == []
    assert "(no plot: no tool to plot)" in report.write_markdown(results)


def test_quick_run_writes_results(shared_data: Path, tmp_path: Path, report: ModuleType) -> None:
    """``run.py --quick`` on 10 segments per file writes RESULTS.md, the JSON and the plot; ``--only``
    re-runs one section; ``--report-only`` writes the same report again from the JSON."""
    for sub in ("wmt21/system-outputs", "mlqe-pe/ro-en", "jfleg"):
        if not (shared_data / sub).is_dir():
            pytest.skip(f"{shared_data / sub} is missing: the benchmark needs it")
    cmd = [sys.executable, str(BENCH / "run.py"), "--quick", "--no-model", "--limit", "10", "--speed-mb", "0.05"]
    cmd += ["--speed-rounds", "1", "--data", str(shared_data), "--out", str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "7/7" in proc.stderr  # a progress line per section
    md, png = tmp_path / "RESULTS.md", tmp_path / "results" / "quality_vs_speed.png"
    report_text = md.read_text(encoding="utf-8")
    positions = [report_text.find(s) for s in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "--quick" in report_text and "not run (--no-model)" in report_text
    data = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert report.write_markdown(data) == report_text  # the report is made from the JSON alone
    assert {"meta", "model", "seed", "references", "system_outputs", "mlqe", "jfleg", "speed"} <= set(data)
    assert data["meta"]["quick"] is True and data["model"]["available"] is False
    assert data["seed"]["tools"]["do-nothing"] == {**data["seed"]["tools"]["do-nothing"], "fixed": 0}
    assert data["seed"]["tools"]["mtfix rules"]["fixed"] == 16
    assert data["mlqe"]["conditions"]["tokenised"]["do-nothing"]["segments"] == 50
    assert data["speed"]["tools"]["mtfix rules"]["mb_per_s"] > 0
    assert data["speed"]["rules_vs_ftfy"]["ratio_of_medians"] > 0
    assert png.stat().st_size > 1000
    # --only re-runs one section and keeps the others, and the run that measured them, as they were.
    proc = subprocess.run([*cmd, "--only", "speed"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert {k: again[k] for k in ("seed", "mlqe", "jfleg")} == {k: data[k] for k in ("seed", "mlqe", "jfleg")}
    assert again["meta"]["command"] == data["meta"]["command"]
    assert [r["sections"] for r in again["meta"]["reruns"]] == [["speed"]]
    assert again["speed"]["passes"] == 3 and again["speed"]["rounds"] == 1 and again["speed"] != data["speed"]
    rerun_text = md.read_text(encoding="utf-8")
    assert "sections speed only" in rerun_text
    # --report-only measures nothing (no --data needed) and writes the same report again.
    md.unlink()
    png.unlink()
    only = [
        sys.executable,
        str(BENCH / "run.py"),
        "--report-only",
        "--data",
        str(tmp_path / "none"),
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.run(only, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert md.read_text(encoding="utf-8") == rerun_text and png.stat().st_size > 1000


def test_detector_qe_spearman() -> None:
    qe = _load("detector_qe")
    assert qe.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert qe.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ties share their mean rank: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4)
    assert qe.ranks([5.0, 7.0, 7.0, 9.0]) == [1.0, 2.5, 2.5, 4.0]
    assert qe.spearman([5, 7, 7, 9], [1, 2, 3, 4]) == pytest.approx(4.5 / math.sqrt(4.5 * 5))
