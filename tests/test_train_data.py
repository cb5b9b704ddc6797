"""Training data: a post-edit projected onto the edits the guard lets a model make."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("sacremoses")

from sacremoses import MosesDetokenizer

from mtfix import guard
from mtfix.train.data import project_post_edit

MD = MosesDetokenizer("en")


@pytest.mark.parametrize(
    ("mt", "pe", "expected"),
    [
        # grammar kept, the content correction (yesterday -> today) left out
        (
            "He went to the school yesterday .",
            "He went to school today .",
            "He went to school yesterday.",
        ),
        # agreement (another form of the same word) and an article: both grammar
        ("The results shows that a method work .", "The results show that the method works .", None),
        # a name, a number, a content word: nothing the guard admits
        ("Putin met Kim in 2019 .", "Putin met Moon in 2018 .", "Putin met Kim in 2019."),
        ("The house is red .", "The horse is red .", "The house is red."),
        # identical sides stay identical
        ("It rained all day .", "It rained all day .", "It rained all day."),
    ],
)
def test_projection_keeps_only_admissible_edits(mt: str, pe: str, expected: str | None) -> None:
    source, target = project_post_edit(mt.split(), pe.split(), MD)
    assert source == MD.detokenize(mt.split())
    if expected is None:  # every edit admissible: the projection is the post-edit
        expected = MD.detokenize(pe.split())
    assert target == expected
    # whatever the projection keeps, the guard accepts from a model
    assert target == source or guard.check(source, target, 1.0, min_confidence=0.0, max_edit_ratio=1.0).ok


def test_projection_of_real_post_edits_passes_the_guard(shared_data: Path) -> None:
    """On real MLQE-PE pairs: every projection is one the guard accepts, it keeps some grammar
    repairs, and it never moves further from the post-edit than the MT was."""
    from sacrebleu.metrics import TER

    folder = shared_data / "mlqe-pe" / "ro-en"
    mt = (folder / "dev.mt").read_text(encoding="utf-8").splitlines()[:300]
    pe = (folder / "dev.pe").read_text(encoding="utf-8").splitlines()[:300]
    sources, targets, refs = [], [], []
    for a, b in zip(mt, pe, strict=True):
        source, target = project_post_edit(a.split(), b.split(), MD)
        assert target == source or guard.check(source, target, 1.0, min_confidence=0.0, max_edit_ratio=1.0).ok
        sources.append(source)
        targets.append(target)
        refs.append(MD.detokenize(b.split()))
    edited = sum(s != t for s, t in zip(sources, targets, strict=True))
    assert 10 <= edited < 300
    ter = TER()
    assert ter.corpus_score(targets, [refs]).score < ter.corpus_score(sources, [refs]).score


def test_recipe_trains_and_exports_a_model_mtfix_loads(shared_data: Path, tmp_path: Path) -> None:
    """The one-command recipe, every stage at a tiny fraction of its budget: corpus, tokenizer,
    training, continuation and export, then the exported folder loads through the real path."""
    import subprocess
    import sys

    import mtfix

    pytest.importorskip("torch")
    out = tmp_path / "model"
    cmd = [sys.executable, "-m", "mtfix.train.recipe", "--data", str(shared_data), "--work", str(tmp_path)]
    subprocess.run([*cmd, "--scale", "0.002", "--export", str(out)], check=True, capture_output=True)
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in out.iterdir()}
    assert (tmp_path / "ckpt1" / "final").is_dir() and (tmp_path / "ckpt2" / "final").is_dir()
    text = "Kim Jong -un visited the the Beijing in 2019.He went home ."
    r = mtfix.Cleaner(model=str(out), garble_threshold=0.0, quantize=False).clean(text)
    assert r.apply() == r.text and "Kim Jong-un" in r.text
    # a second run resumes: both stages are found done and skipped
    again = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    assert again.count("exists, skipped") == 2
