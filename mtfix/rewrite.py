"""The rewrite stage: a seq2seq model rewrites the sentences the detector finds garbled.

:class:`Rewriter` is the loaded model, with two public operations: :meth:`Rewriter.score` (the
teacher-forced garble score of sentences as they stand, which the detect stage uses) and
:meth:`Rewriter.generate` (decoding). The stage (:class:`RewriteStage`, registered as ``"rewrite"``)
decodes the sentences whose garble score, as the detect stage published it, clears
``garble_threshold``, and proposes each rewrite that differs from its sentence as a replacement of
the sentence. It is a guarded stage: the pipeline's guard (:mod:`mtfix.guard`) keeps numbers, names,
quotations, brackets and URLs, bounds the edit and the model's confidence; accepted rewrites are
logged as word-level ``fluency.rewrite`` changes, rejected ones become ``fluency.rejected`` flags
that carry the model's text.

torch and transformers are imported when the model is loaded only, so the rules-only path never
loads them.
"""

from __future__ import annotations

import os
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from mtfix.changes import Edit
from mtfix.detect import RULE_HIT_BONUS
from mtfix.pipeline import Document, GuardPolicy, Proposal, Resources, register
from mtfix.segment import sentences

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "mtfix-bart-small"


def resolve(model: str) -> str:
    """The local folder (or Hub name) for a ``Config.model`` value."""
    if model == "default":
        if not (DEFAULT_MODEL_DIR / "config.json").is_file():
            raise FileNotFoundError(
                f"the default mtfix model is missing from {DEFAULT_MODEL_DIR}; reinstall mtfix, "
                "or pass model=None to run without a model"
            )
        return str(DEFAULT_MODEL_DIR)
    path = Path(model).expanduser()
    looks_local = model.startswith((".", "/", "~")) or model.count("/") > 1
    if path.exists() or looks_local:
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"no model at {path}: expected a Hugging Face model folder with config.json")
        return str(path)
    return model  # a Hugging Face Hub name such as 'grammarly/coedit-large'


def load_rewriter(config: Any) -> Rewriter:
    """The model ``config.model`` names, loaded with the settings of ``config``."""
    return Rewriter(resolve(config.model), config)


class Score(NamedTuple):
    """The model's verdict on a sentence as it stands: ``garble`` in 0-1 (1: the model would not
    copy it), ``copy_lp`` the mean token log-probability of copying it."""

    garble: float
    copy_lp: float


class Rewriter:
    """A loaded seq2seq model with its tokenizer; build once per :class:`mtfix.Cleaner`."""

    def __init__(self, name_or_path: str, config: Any) -> None:
        import torch
        import transformers
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        transformers.logging.set_verbosity_error()  # the change log is the user's report, not HF's
        transformers.logging.disable_progress_bar()
        self.torch = torch
        self.config = config
        #: The model's name for a report: its folder's name, or the Hub name.
        self.name = Path(name_or_path).name if Path(name_or_path).exists() else name_or_path
        torch.set_num_threads(config.threads or max(1, min(4, os.cpu_count() or 1)))
        self.tokenizer = AutoTokenizer.from_pretrained(name_or_path)
        model = AutoModelForSeq2SeqLM.from_pretrained(name_or_path, dtype=torch.float32).eval()
        model.generation_config.max_length = None  # max_new_tokens is set per batch
        if config.quantize:
            # int8 dynamic quantisation of the linear layers: ~2.5x faster on CPU, same outputs
            # within noise (benchmarks/RESULTS.md).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # torch's deprecation notice for the API
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.model = model
        self.max_len = min(int(getattr(model.config, "max_position_embeddings", 512) or 512), 512) - 2

    def score(self, texts: Sequence[str]) -> list[Score]:
        """Garble score of each text: how unlikely the model finds copying it as it stands."""
        out = []
        for token_lp in self.token_logprobs(texts, texts):
            mean = float(token_lp.mean())
            worst = float(token_lp.min())
            # The mean catches a sentence that is wrong throughout, the worst token a local slip.
            out.append(Score(round(1.0 - min(pow(2.718281828, mean), pow(2.718281828, worst / 2)), 4), mean))
        return out

    def token_logprobs(self, sources: Sequence[str], targets: Sequence[str]) -> list[Any]:
        """Per pair, the log-probability of each token of the target given the source (teacher-forced,
        batched by source length): a 1-D tensor a pair."""
        torch = self.torch
        out: list[Any] = [None] * len(sources)
        for idx in self._batches(sources):
            enc = self._inputs([sources[i] for i in idx])
            labels = self.tokenizer(
                [targets[i] for i in idx], return_tensors="pt", padding=True, truncation=True, max_length=self.max_len
            )
            label_ids = labels["input_ids"]
            mask = labels["attention_mask"].bool()
            with torch.inference_mode():
                logits = self.model(**enc, labels=label_ids.masked_fill(~mask, -100)).logits
                lp = torch.log_softmax(logits.float(), dim=-1).gather(-1, label_ids.unsqueeze(-1)).squeeze(-1)
            for row, i in enumerate(idx):
                out[i] = lp[row][mask[row]]
        return out

    def _inputs(self, texts: Sequence[str]) -> dict[str, Any]:
        prefix = self.config.prefix
        return self.tokenizer(
            [prefix + t for t in texts], return_tensors="pt", padding=True, truncation=True, max_length=self.max_len
        )

    def _batches(self, texts: Sequence[str]) -> list[list[int]]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        size = max(1, self.config.batch_size)
        return [order[i : i + size] for i in range(0, len(order), size)]

    def generate(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """Decode each text; return the rewrite and its mean token log-probability."""
        torch = self.torch
        results: list[tuple[str, float]] = [("", 0.0)] * len(texts)
        for idx in self._batches(texts):
            enc = self._inputs([texts[i] for i in idx])
            with torch.inference_mode():
                out = self.model.generate(
                    **enc,
                    num_beams=self.config.num_beams,
                    do_sample=False,
                    max_new_tokens=min(self.max_len, int(enc["input_ids"].shape[1] * 1.3) + 5),
                    output_scores=True,
                    return_dict_in_generate=True,
                )
                scores = self.model.compute_transition_scores(
                    out.sequences, out.scores, getattr(out, "beam_indices", None), normalize_logits=True
                )
            decoded = self.tokenizer.batch_decode(out.sequences, skip_special_tokens=True)
            gen = out.sequences[:, 1:] if out.sequences.shape[1] > scores.shape[1] else out.sequences
            real = gen[:, : scores.shape[1]] != self.tokenizer.pad_token_id
            for row, i in enumerate(idx):
                token_scores = scores[row][real[row]]
                mean = float(token_scores.mean()) if token_scores.numel() else -99.0
                results[i] = (decoded[row], mean)
        return results


def confidence_of(rewrite_lp: float, copy_lp: float) -> float:
    """How sure the model is of its rewrite: its token probability, discounted when the model
    found the original nearly as likely."""
    p_rewrite = pow(2.718281828, rewrite_lp)
    margin = max(0.0, min(1.0, (rewrite_lp - copy_lp) * 2))
    return max(0.0, min(1.0, p_rewrite * (0.5 + 0.5 * margin)))


@dataclass(frozen=True)
class RewriteOptions:
    """Options of the rewrite stage (the fields of the same names on :class:`mtfix.Config`)."""

    garble_threshold: float = field(
        default=0.8,
        metadata={
            "flag": "--garble-threshold",
            "metavar": "SCORE",
            "unit": True,
            "help": "detector score (0-1) a sentence needs to reach the decoder; tune it for a model of your own",
        },
    )
    min_confidence: float = field(
        default=0.85,
        metadata={
            "flag": "--min-confidence",
            "metavar": "P",
            "unit": True,
            "help": "model confidence (0-1) a rewrite needs to be applied",
        },
    )
    max_edit_ratio: float = 0.35
    every_sentence: bool = field(
        default=False,
        metadata={
            "flag": "--every-sentence",
            "help": "send every sentence to the model, not only those a cheap signal marks (slow; for a model "
            "of your own)",
        },
    )
    partial_rewrites: bool = field(
        default=False,
        metadata={
            "flag": "--partial-rewrites",
            "help": "apply the word edits of a rejected rewrite that the guard admits one by one; flag the rest",
        },
    )


@register("rewrite", options=RewriteOptions, order=40, toggle=False)
def _rewrite_stage(options: RewriteOptions, resources: Resources) -> RewriteStage | None:
    """The seq2seq model rewrites the sentences the detector finds garbled (guarded)."""
    if resources.model is None:
        return None
    return RewriteStage(options, resources.model, resources.detector)


class RewriteStage:
    """Score the sentences the earlier stages marked (a rule repair, an unknown word, a grammar edit),
    decode those the detector finds at least ``garble_threshold`` garbled, and propose each rewrite that
    differs from its sentence (the pipeline's guard judges them)."""

    name = "rewrite"
    source = "model"

    def __init__(self, options: RewriteOptions, model: Rewriter, detector: Any) -> None:
        self.options = options
        self.model = model
        self.detector = detector
        #: Counters for a report: sentences seen, scored by the detector, decoded, rewrites proposed.
        self.stats = {"sentences": 0, "scored": 0, "decoded": 0, "proposed": 0}
        self.guard = GuardPolicy(options.min_confidence, options.max_edit_ratio, options.partial_rewrites)

    def propose(self, doc: Document) -> Proposal:
        text = doc.text
        marked = sorted((f.start, f.end) for f in [*doc.findings("suspect"), *doc.findings("grammar")])
        foreign = [(f.start, f.end) for f in doc.findings("untranslated")]
        starts = [s for s, _ in doc.change_spans()]
        every = list(sentences(text))
        self.stats["sentences"] += len(every)
        cands = [
            s
            for s in every
            if (self.options.every_sentence or any(a < s.end and s.start < b for a, b in marked))
            and not any(a < s.end and s.start < b for a, b in foreign)
            and self.detector.judges(s.text)
        ]
        if not cands:
            return Proposal()
        self.stats["scored"] += len(cands)
        chosen = []
        for s, (garble, copy_lp) in zip(cands, self.detector.garble([c.text for c in cands]), strict=True):
            hits = bisect_right(starts, s.end) - bisect_left(starts, s.start)
            # a sentence the rules (or the grammar stage) had to repair is more likely garbled as well
            if min(1.0, garble + RULE_HIT_BONUS * min(2, hits)) >= self.options.garble_threshold:
                chosen.append((s, copy_lp))
        if not chosen:
            return Proposal()
        self.stats["decoded"] += len(chosen)
        edits = []
        for (s, copy_lp), (rewrite, lp) in zip(chosen, self.model.generate([c.text for c, _ in chosen]), strict=True):
            rewrite = rewrite.strip()
            if rewrite.split() == s.text.split():
                continue  # the model copied the sentence (up to whitespace, which it normalises)
            edits.append(Edit(s.start, s.end, rewrite, "fluency.rewrite", "", confidence_of(lp, copy_lp), "model"))
        self.stats["proposed"] += len(edits)
        return Proposal(edits)
