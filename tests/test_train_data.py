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
    edited = [i for i, (s, t) in enumerate(zip(sources, targets, strict=True)) if s != t]
    assert 10 <= len(edited) < 300
    ter = TER()
    # never further segment by segment (an unedited one is the MT itself), and closer over the corpus
    for i in edited:
        assert (
            ter.sentence_score(targets[i], [refs[i]]).num_edits <= ter.sentence_score(sources[i], [refs[i]]).num_edits
        )
    assert ter.corpus_score(targets, [refs]).score < ter.corpus_score(sources, [refs]).score


def test_recipe_trains_and_exports_a_model_mtfix_loads(shared_data: Path, tmp_path: Path) -> None:
    """The one-command recipe end to end on a tiny corpus (every 100th source line, two steps a
    stage): corpus, tokenizer, training, continuation and export; the exported folder loads through
    the real ``mtfix.Cleaner`` path, and a second run resumes with nothing left to do."""
    import json
    import subprocess
    import sys

    import mtfix

    pytest.importorskip("torch")
    out = tmp_path / "model"
    cmd = [sys.executable, "-m", "mtfix.train.recipe", "--data", str(shared_data), "--work", str(tmp_path)]
    # one torch thread: two on cores shared with other work slow a run by an order of magnitude
    smoke = ["--scale", "0.01", "--data-scale", "0.01", "--max-steps", "2", "--threads", "1"]
    first = subprocess.run([*cmd, *smoke, "--export", str(out)], check=True, capture_output=True, text=True).stdout
    # each stage built its corpus from the sample, and trained: two steps, then stopped
    for n in (1, 2):
        stats = json.loads((tmp_path / f"data{n}" / "stats.json").read_text())
        assert 0 < stats["real_pairs"] < 200 and 0 < stats["clean_sentences"] < 1000, stats
        assert json.loads((tmp_path / f"ckpt{n}" / "final" / "dev_eval.json").read_text())["step"] == 2
    # stage 2 continued stage 1: its weights and its tokenizer
    stage1 = tmp_path / "ckpt1" / "final"
    assert f"--tokenizer {stage1} " in first and f"--init {stage1} " in first and "--threads 2" not in first
    pieces = [json.loads((tmp_path / f"data{n}" / "tokenizer" / "tokenizer.json").read_text())["model"] for n in (1, 2)]
    assert pieces[0] == pieces[1] and len(pieces[0]["vocab"]) > 1000
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "config.json").read_text())["dtype"] == "float32"  # fp16 weights, fp32 load

    text = "Kim Jong -un visited the the Beijing in 2019.He went home ."
    cleaner = mtfix.Cleaner(model=str(out), garble_threshold=0.0, quantize=False, threads=1).load()
    assert cleaner.model is not None
    r = cleaner.clean(text)
    rules_only = mtfix.Cleaner(model=None).clean(text)
    # the rules ran as without a model; the model ran too (two steps of training cannot copy a
    # sentence, so its rewrite is applied or flagged), and whatever it proposed, the facts stayed
    assert [c for c in r.changes if c.source == "rule"] == rules_only.changes
    assert any(c.source == "model" for c in r.changes) or any(f.kind == "fluency.rejected" for f in r.flags)
    assert all(word in r.text for word in ("Kim Jong-un", "Beijing", "2019"))
    # a second run resumes: both stages are found done and skipped, no command runs again
    again = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    assert again.count("exists, skipped") == 2 and "$ " not in again
