"""The model shipped in the package, loaded through the real loading code, offline."""

from __future__ import annotations

import pytest

import mtfix
from mtfix import guard
from mtfix.rewrite import DEFAULT_MODEL_DIR

from .conftest import SEED

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def cleaner() -> mtfix.Cleaner:
    return mtfix.Cleaner(model="default").load()


def test_shipped_folder_is_a_small_hugging_face_model() -> None:
    names = {p.name for p in DEFAULT_MODEL_DIR.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= names
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir())
    assert size < 30 * 2**20


def test_tokenizer_round_trips_odd_characters(cleaner: mtfix.Cleaner) -> None:
    tok = cleaner.model.tokenizer
    for text in ["Pétain, São Paulo, Zürich, naïve", "“curly” ‘quotes’ — dashes – 3.5%", "emoji 😀 and 北京，上海"]:
        assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text


@pytest.mark.parametrize(
    ("sentence", "changed"),
    [
        ("The ministry said that 300 people were at the the meeting.", "30"),
        ("Kim Jong-un met Putin on the Sunday in Moscow.", "Lavrov"),
    ],
)
def test_guard_rejects_a_rewrite_that_changes_a_number_or_a_name(
    monkeypatch: pytest.MonkeyPatch, sentence: str, changed: str
) -> None:
    # Every sentence goes to the decoder, and the decoder's answer changes a fact.
    strict = mtfix.Cleaner(
        model="default", garble_threshold=0.0, min_confidence=0.0, every_sentence=True, grammar=False
    ).load()
    wrong = sentence.replace("300", "30").replace("Putin", "Lavrov").replace("the the", "the")
    monkeypatch.setattr(strict.model, "generate", lambda texts: [(wrong, -0.01) for _ in texts])
    r = strict.clean(sentence)
    assert all(c.source == "rule" for c in r.changes)
    (flag,) = [f for f in r.flags if f.kind == "fluency.rejected"]
    assert changed in flag.message and "changes facts" in flag.message


def test_seed_with_the_model_keeps_rule_fixes_and_facts(cleaner: mtfix.Cleaner) -> None:
    original = SEED.read_text(encoding="utf-8")
    r = cleaner.clean(original)
    assert r.apply() == r.text
    rules = [c for c in r.changes if c.source == "rule"]
    assert len(rules) == 16
    assert r.text.count("Kim Jong-un") == 9 and "China-DPRK" in r.text and "six-day" in r.text
    rules_only = mtfix.Cleaner(model=None).clean(original).text
    assert guard.facts(r.text) == guard.facts(rules_only)  # no number, date or name altered
