"""The model path: loading, detection, the guard, and model edits in the change log."""

from __future__ import annotations

from pathlib import Path

import pytest

import mtfix
from mtfix import guard, rewrite

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


# ------------------------------------------------------------------------------------ the guard
@pytest.mark.parametrize(
    ("original", "suggestion", "reason"),
    [
        ("He paid 300 dollars in 2019.", "He paid 30 dollars in 2019.", "facts"),
        ("Kim Jong-un met Putin on Sunday.", "Kim Jong-un met Lavrov on Sunday.", "facts"),
        ('He said "we will win" loudly.', 'He said "we shall win" loudly.', "facts"),
        ("The plan (see above) failed.", "The plan failed.", "facts"),
        ("The cat sat on the mat today.", "A dog lay under the rug yesterday.", "replaces 'cat' with 'dog'"),
        ("These detentions have been lost by younger pilots.", "These detentions have been lost by pilots.", "drops"),
        ("The spores overwinter in the soil.", "The spores overwinchch in the soil.", "replaces"),
        ("The aid was a lease for the infrastructure.", "The aid was a leas for the infrastructure.", "not a known"),
        (
            "However, on 5 December, the army had to withdraw.",
            "However, on December 5, the army had to withdraw.",
            "facts",
        ),
        (
            "It is part of the church, Holy Nicolae, in Cuba.",
            "It is part of the church, Nicolae Holy, in Cuba.",
            "facts",
        ),
        ("The operation of a disk unit is simple.", "The operation of a unit disk is simple.", "replaces"),
        ("Only three paragraphs, i.e. eighteen lines.", "Only three paragraphs, i.e eighteen lines.", "facts"),
        (
            "The annual church visits are about two visits.",
            "The annual annual church visits are about two visits.",
            "adds the word 'annual'",
        ),
        ("He went to the market.", "He went to the big market.", "adds the word 'big'"),
        ("He bought calcium calcium tablets.", "He bought calcium.", "drops the word 'tablets'"),
        ("He went to the the market and to the the shop and then home.", "He went.", "drops the word"),
        ("The cat sat on the mat.", "", "empty"),
        # a known word is never 'corrected' into another, however close
        ("The house was red.", "The horse was red.", "replaces 'house' with 'horse'"),
        ("He was carried to the stadium.", "He was married to the stadium.", "replaces"),
        # words that carry meaning, short as they are (all proposed by an early model on MLQE-PE)
        ("Russian and Austrian forces invaded.", "Russian Austrian forces invaded.", "drops the word 'and'"),
        ("It passed from generation to generation.", "It passed from generation.", "drops the word 'generation'"),
        ("He tried to reach his wife.", "She tried to reach his wife.", "replaces 'he' with 'she'"),
        ("All the delegations took part.", "Some delegations took part.", "replaces 'all' with 'some'"),
        ("He left before the vote.", "He left after the vote.", "replaces 'before' with 'after'"),
        ("mother, Maria, was illiterate), the second", "mother, Maria, was illiterate the second", "facts (')')"),
        # what the shipped model proposed on WMT21 human references
        ("His co-workers had had enough and left.", "His co-workers had enough and left.", "collapses 'had had'"),
        ("In Touring, the leaders were Kirill and Ivan.", "In Touring, the leaders Kirill and Ivan.", "drops the verb"),
    ],
)
def test_guard_rejects(original: str, suggestion: str, reason: str) -> None:
    verdict = guard.check(original, suggestion, 0.99, min_confidence=0.5, max_edit_ratio=0.35)
    assert not verdict.ok and reason in verdict.reason


@pytest.mark.parametrize(
    ("original", "suggestion"),
    [
        ("He visited the Beijing in the January.", "He visited Beijing in January."),
        ("She go to school every days.", "She goes to school every day."),
        ("They has finished the the work.", "They have finished the work."),
        ("He was was happy and is are here.", "He was happy and is here."),
        ("The car stop at the light.", "The car stopped at the light."),
        ("The two study shows that the plan works.", "The two studies show that the plan works."),
        # misspellings into known words, one or two typos away (JFLEG is full of them)
        ("I went there becuase my freind was sick.", "I went there because my friend was sick."),
        ("The goverment wants to recieve more taxes.", "The government wants to receive more taxes."),
    ],
)
def test_guard_accepts_grammar_repairs(original: str, suggestion: str) -> None:
    verdict = guard.check(original, suggestion, 0.9, min_confidence=0.5, max_edit_ratio=0.35)
    assert verdict.ok, verdict.reason


def test_guard_accepts_a_small_fluent_repair() -> None:
    verdict = guard.check(
        "He visited the Beijing in the January.",
        "He visited Beijing in January.",
        0.9,
        min_confidence=0.5,
        max_edit_ratio=0.35,
    )
    assert verdict.ok, verdict.reason
    low = guard.check("He go home now.", "He goes home now.", 0.3, min_confidence=0.5, max_edit_ratio=0.35)
    assert not low.ok and "confidence" in low.reason


def test_sentence_initial_capital_is_not_a_name() -> None:
    # 'The' opens the original, 'In' the rewrite: neither is a name that must survive
    assert guard.check(
        "The in the morning he left.", "In the morning he left.", 0.9, min_confidence=0.5, max_edit_ratio=0.5
    ).ok


def test_word_edits_replay_exactly() -> None:
    original, new = "He visited the Beijing in the January .", "He visited Beijing in January."
    text = "Intro. " + original
    edits = guard.word_edits(original, new, len("Intro. "), 0.8)
    out = text
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[: e.start] + e.after + out[e.end :]
    assert out == "Intro. " + new
    assert all(e.kind == "fluency.rewrite" and e.source == "model" for e in edits)


def _guard_accepts(original: str):
    return lambda new: guard.check(original, new, 1.0, min_confidence=0.0, max_edit_ratio=1.0).ok


@pytest.mark.parametrize(
    ("original", "suggestion", "expected"),
    [
        # grammar kept, the changed number and the changed content word dropped
        ("He go to the school in 2019.", "He goes to school in 2020.", "He goes to school in 2019."),
        ("The results shows a big house.", "The results show a big horse.", "The results show a big house."),
        # nothing admissible: the original comes back
        ("Putin met Kim on Sunday.", "Putin met Moon on Monday.", "Putin met Kim on Sunday."),
        # all admissible: the whole suggestion
        ("He visited the Beijing in the January.", "He visited Beijing in January.", None),
    ],
)
def test_admissible_part_keeps_only_edits_the_guard_accepts(
    original: str, suggestion: str, expected: str | None
) -> None:
    part = guard.admissible_part(original, suggestion, _guard_accepts(original))
    assert part == (suggestion if expected is None else expected)
    assert part == original or guard.check(original, part, 1.0, min_confidence=0.0, max_edit_ratio=1.0).ok


# ------------------------------------------------------------------- a model built in the test
@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BART with a word-level tokenizer, saved in the Hugging Face folder format."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    folder = tmp_path_factory.mktemp("tiny-bart")
    words = "the a an of in on he she visited went home beijing january fix : . , 2019 kim".split()
    vocab = {t: i for i, t in enumerate(["<pad>", "</s>", "<unk>", "<s>", *words])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", bos_token="<s>"
    )
    fast.save_pretrained(folder)
    config = transformers.BartConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=3,
        decoder_start_token_id=3,
        forced_eos_token_id=1,
    )
    torch.manual_seed(0)
    transformers.BartForConditionalGeneration(config).save_pretrained(folder)
    return folder


def test_any_local_model_folder_plugs_in(tiny_model: Path) -> None:
    cleaner = mtfix.Cleaner(
        model=str(tiny_model), prefix="fix : ", garble_threshold=0.0, quantize=False, every_sentence=True
    )
    text = "Kim Jong -un visited the Beijing in 2019.He went home ."
    r = cleaner.clean(text)
    assert r.apply() == r.text
    assert "Kim Jong-un" in r.text  # the rules ran too
    # A random model cannot keep the facts: its suggestions come back as flags, never as edits.
    assert all(c.source == "rule" for c in r.changes)
    assert any(f.kind == "fluency.rejected" and "Model suggests" in f.message for f in r.flags)


def test_accepted_rewrite_is_logged_and_merged_with_rules(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cleaner = mtfix.Cleaner(model=str(tiny_model), garble_threshold=0.0, min_confidence=0.0, quantize=False)
    rewriter = cleaner.model

    def fake_generate(texts: list[str]) -> list[tuple[str, float]]:
        return [(t.replace("the Beijing", "Beijing"), -0.05) for t in texts]

    monkeypatch.setattr(rewriter, "generate", fake_generate)
    text = "Kim Jong -un visited the Beijing in 2019 , he said ."
    r = cleaner.clean(text)
    assert r.text == "Kim Jong-un visited Beijing in 2019, he said."
    model_changes = [c for c in r.changes if c.source == "model"]
    assert [(c.before, c.after, c.kind) for c in model_changes] == [("the ", "", "fluency.rewrite")]
    assert text[model_changes[0].start : model_changes[0].end] == "the "
    assert mtfix.apply_changes(text, r.changes) == r.text
    assert r.apply([c for c in r.changes if c.source == "rule"]) == "Kim Jong-un visited the Beijing in 2019, he said."


def test_detector_keeps_fluent_sentences_from_the_decoder(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cleaner = mtfix.Cleaner(model=str(tiny_model), garble_threshold=1.01, quantize=False)
    rewriter = cleaner.model
    monkeypatch.setattr(rewriter, "generate", lambda texts: pytest.fail("decoder reached"))
    assert cleaner.clean("He visited Beijing in January, he said.").changes == []


def test_untranslated_sentences_never_reach_the_model(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cleaner = mtfix.Cleaner(
        model=str(tiny_model), garble_threshold=0.0, min_confidence=0.0, quantize=False, grammar=False
    )
    rewriter = cleaner.model
    seen: list[str] = []

    def fake_generate(texts: list[str]) -> list[tuple[str, float]]:
        seen.extend(texts)
        return [(t, -0.05) for t in texts]

    monkeypatch.setattr(rewriter, "generate", fake_generate)
    # 'janury' is outside the lexicon: the cheap signal that sends its sentence to the model
    r = cleaner.clean("He visited the Beijing in janury. Der Hund ist sehr groß und er läuft schnell nach Hause.")
    assert [f.kind for f in r.flags] == ["untranslated"]
    assert seen == ["He visited the Beijing in janury."]


def test_sentences_without_a_cheap_signal_never_reach_the_model(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model's forward pass runs only on sentences marked by a rule repair, an unknown word or a
    grammar edit: clean text passes at rules speed."""
    cleaner = mtfix.Cleaner(model=str(tiny_model), garble_threshold=0.0, min_confidence=0.0, quantize=False)
    scored: list[str] = []

    def fake_score(texts: list[str]) -> list[rewrite.Score]:
        scored.extend(texts)
        return [rewrite.Score(1.0, -1.0) for _ in texts]

    monkeypatch.setattr(cleaner.model, "score", fake_score)
    monkeypatch.setattr(cleaner.model, "generate", lambda texts: [(t, -0.01) for t in texts])
    text = "He visited the museum in January. Then he went home , tired. She stayed at the hotell."
    r = cleaner.clean(text)
    assert r.text == "He visited the museum in January. Then he went home, tired. She stayed at the hotel."
    assert scored == [
        "Then he went home , tired.",  # the lone comma repair, confirmed by the detector
        "Then he went home, tired.",  # the rewrite stage: a rule repair in it
        "She stayed at the hotel.",  # an unknown word ('hotell'), mended by the grammar stage
    ]
    stats = cleaner.stats()["rewrite"]
    assert (stats["sentences"], stats["scored"], stats["decoded"]) == (3, 2, 2)


@pytest.mark.parametrize(("garble", "applied"), [(0.95, True), (0.5, True), (0.3, False)])
def test_detector_decides_a_withheld_lone_repair(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch, garble: float, applied: bool
) -> None:
    """With the model on, a lone human-style slip held back by the standard mode is applied where the
    detector finds its sentence garbled (a second sign of MT damage), and stays a flag where it does not."""
    cleaner = mtfix.Cleaner(model=str(tiny_model), quantize=False)  # confirm_threshold 0.5
    rewriter = cleaner.model
    scored: list[str] = []

    def fake_score(texts: list[str]) -> list[rewrite.Score]:
        scored.extend(texts)
        return [rewrite.Score(garble, -1.0) for _ in texts]

    monkeypatch.setattr(rewriter, "score", fake_score)
    monkeypatch.setattr(rewriter, "generate", lambda texts: [(t, -0.01) for t in texts])  # copies
    text = "It was fine.\nThe police stopped the the driver. He left."
    r = cleaner.clean(text)
    assert scored[0] == "The police stopped the the driver."  # the sentence of the repair, as it stands
    assert mtfix.apply_changes(text, r.changes) == r.text
    if applied:
        assert r.text == "It was fine.\nThe police stopped the driver. He left."
        assert [c.kind for c in r.changes] == ["words.doubled"] and "model, too" in r.changes[0].message
        assert not any(f.kind == "rule.withheld" for f in r.flags)
    else:
        assert r.text == text and r.changes == []
        assert [f.kind for f in r.flags if f.kind == "rule.withheld"] == ["rule.withheld"]
    # strict mode never asks the model
    strict = mtfix.Cleaner(model=str(tiny_model), mode="strict", garble_threshold=0.8, quantize=False)
    monkeypatch.setattr(strict.model, "score", fake_score)
    monkeypatch.setattr(strict.model, "generate", lambda texts: [(t, -0.01) for t in texts])
    assert strict.clean(text).text == text


@pytest.mark.parametrize("partial", [False, True])
def test_partial_rewrites_apply_the_admissible_edits_and_flag_the_rest(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch, partial: bool
) -> None:
    cleaner = mtfix.Cleaner(
        model=str(tiny_model),
        garble_threshold=0.0,
        min_confidence=0.0,
        quantize=False,
        partial_rewrites=partial,
        every_sentence=True,
    )
    rewriter = cleaner.model
    # a grammar repair ('the Beijing') mixed with a changed number the guard forbids
    monkeypatch.setattr(
        rewriter,
        "generate",
        lambda texts: [(t.replace("the Beijing in 2019", "Beijing in 2020"), -0.05) for t in texts],
    )
    text = "He visited the Beijing in 2019 with friends."
    r = cleaner.clean(text)
    assert mtfix.apply_changes(text, r.changes) == r.text
    [flag] = [f for f in r.flags if f.kind == "fluency.rejected"]
    assert "2020" in flag.message and "changes facts" in flag.message
    if partial:
        assert r.text == "He visited Beijing in 2019 with friends."
        assert [(c.before, c.after, c.source) for c in r.changes] == [("the ", "", "model")]
        assert "applied only as" in flag.message
    else:
        assert r.text == text and not r.changes
