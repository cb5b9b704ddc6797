"""The rewrite stage: a seq2seq model rewrites the sentences that read as garbled.

Per sentence of the (rule-repaired) text:

1. *detect*: the model scores the sentence as it stands, teacher-forced, in one batched forward
   pass (no decoding). A model trained to copy fluent text copies it with high probability; a
   sentence it would change scores low; rule repairs inside the sentence raise its score (MT that
   left mechanical damage tends to be garbled too). Sentences whose garble score is under the
   threshold never reach the decoder: that keeps a corpus pass cheap.
2. *rewrite*: the rest are decoded (greedy or a small beam), batched and sorted by length.
3. *guard* (:mod:`mtfix.guard`): numbers, names, quotations, brackets and URLs must survive, the
   edit must stay small, and the model's confidence must clear a threshold. Accepted rewrites are
   logged as word-level ``fluency.rewrite`` changes; rejected ones become ``fluency.rejected`` flags
   that carry the model's text.

torch and transformers are imported here only, so the rules-only path never loads them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import partial
from pathlib import Path
from typing import Any

from mtfix import guard
from mtfix.changes import Change, ChangeLog, Edit, Flag
from mtfix.segment import sentences

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "mtfix-bart-small"
_LATIN_TEXT = re.compile(r"^[\x20-\x7e\u00a0-\u024f\u2018-\u201f\u2013\u2014\u2026]+$")
_TOKEN = re.compile(r"\S+\s*")
RULE_HIT_BONUS = 0.1  # added to the garble score per rule change in the sentence (at most two)


def resolve(model: str) -> str:
    """The local folder (or Hub name) for a ``Config.model`` value."""
    if model == "default":
        if not (DEFAULT_MODEL_DIR / "config.json").is_file():
            raise FileNotFoundError(
                f"the default mtfix model is missing from {DEFAULT_MODEL_DIR}; reinstall mtfix, "
                "or pass model=None for rules only"
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
    return Rewriter(resolve(config.model), config)


@dataclass
class _Candidate:
    log: int  # index of the ChangeLog in the batch
    start: int  # sentence offsets in that log's current text
    end: int
    text: str
    garble: float = 0.0
    copy_lp: float = 0.0
    rule_hits: int = 0


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

    # ---------------------------------------------------------------------------------- stages
    def rewrite(
        self, logs: Sequence[ChangeLog], skip: Sequence[Sequence[tuple[int, int]]] | None = None
    ) -> list[list[Flag]]:
        """Rewrite garbled sentences of each log in place; return the flags for each log.

        ``skip`` holds, per log, spans of its current text (untranslated passages) whose sentences
        are left alone.
        """
        flags: list[list[Flag]] = [[] for _ in logs]
        candidates = [
            c
            for i, log in enumerate(logs)
            for c in self._candidates(i, log)
            if not (skip and any(s < c.end and c.start < e for s, e in skip[i]))
        ]
        if not candidates:
            return flags
        self._score(candidates)
        for c in candidates:  # a sentence the rules had to repair is more likely garbled as well
            c.garble = min(1.0, c.garble + RULE_HIT_BONUS * min(2, c.rule_hits))
        chosen = [c for c in candidates if c.garble >= self.config.garble_threshold]
        if not chosen:
            return flags
        edits: list[list[Edit]] = [[] for _ in logs]
        for cand, (rewrite, lp) in zip(chosen, self._generate([c.text for c in chosen]), strict=True):
            rewrite = rewrite.strip()
            if rewrite.split() == cand.text.split():
                continue  # the model copied the sentence (up to whitespace, which it normalises)
            confidence = _confidence(lp, cand.copy_lp)
            verdict = self._verdict(cand.text, confidence, rewrite)
            if verdict.ok:
                edits[cand.log] += word_edits(cand.text, rewrite, cand.start, confidence)
                continue
            part = cand.text
            if self.config.partial_rewrites and confidence >= self.config.min_confidence:
                part = admissible_part(cand.text, rewrite, partial(self._accepts, cand.text, confidence))
            if part != cand.text:
                edits[cand.log] += word_edits(cand.text, part, cand.start, confidence)
                message = (
                    f"Model suggests {rewrite!r}; applied only as {part!r}, the rest not because {verdict.reason}."
                )
            else:
                message = f"Model suggests {rewrite!r}; not applied because {verdict.reason}."
            log = logs[cand.log]
            flags[cand.log].append(
                Flag(
                    log.to_original(cand.start),
                    log.to_original(cand.end, right=True),
                    "fluency.rejected",
                    message,
                    round(confidence, 4),
                )
            )
        for log, log_edits in zip(logs, edits, strict=True):
            log.apply(log_edits)
        return flags

    def _verdict(self, original: str, confidence: float, rewrite: str) -> guard.Verdict:
        return guard.check(
            original,
            rewrite,
            confidence,
            min_confidence=self.config.min_confidence,
            max_edit_ratio=self.config.max_edit_ratio,
        )

    def _accepts(self, original: str, confidence: float, rewrite: str) -> bool:
        return self._verdict(original, confidence, rewrite).ok

    def confirm(self, text: str, held: Sequence[Change]) -> list[Change | None]:
        """For each repair of ``held`` (rule changes of ``text`` the evidence mode held back, each alone
        on its line): the repair, with that in its message, if the model's detector also finds its
        sentence garbled; else None.

        The detector scores the sentence as it stands, the slip included: a doubled word in a
        sentence the model otherwise reads as fluent can still score low, and stays withheld.
        """
        cands: dict[int, _Candidate] = {}
        for i, c in enumerate(held):
            line_start = text.rfind("\n", 0, c.start) + 1
            line_end = text.find("\n", c.end)
            line = text[line_start : len(text) if line_end < 0 else line_end]
            pos = c.start - line_start
            sent = next((s for s in sentences(line) if s.start <= pos < s.end), None)
            if sent is not None and _is_candidate(sent.text):
                cands[i] = _Candidate(0, line_start + sent.start, line_start + sent.end, sent.text)
        if cands:
            self._score(list(cands.values()))
        verdicts: list[Change | None] = [None] * len(held)
        for i, cand in cands.items():
            if cand.garble >= self.config.confirm_threshold:
                verdicts[i] = dataclasses.replace(
                    held[i],
                    message=f"{held[i].message} Applied though alone on its line: the model, too, finds the "
                    f"sentence garbled (score {cand.garble:.2f}).",
                )
        return verdicts

    def _candidates(self, index: int, log: ChangeLog) -> list[_Candidate]:
        out = []
        spans = log.current_spans()
        starts = [s for s, _ in spans]
        for s in sentences(log.text):
            if _is_candidate(s.text):
                hits = bisect_right(starts, s.end) - bisect_left(starts, s.start)
                out.append(_Candidate(index, s.start, s.end, s.text, rule_hits=hits))
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

    def _score(self, candidates: list[_Candidate]) -> None:
        """Garble score: how unlikely the model finds copying the sentence as it stands."""
        texts = [c.text for c in candidates]
        for cand, token_lp in zip(candidates, self.token_logprobs(texts, texts), strict=True):
            mean = float(token_lp.mean())
            worst = float(token_lp.min())
            cand.copy_lp = mean
            # The mean catches a sentence that is wrong throughout, the worst token a local slip.
            cand.garble = round(1.0 - min(pow(2.718281828, mean), pow(2.718281828, worst / 2)), 4)

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

    def _generate(self, texts: Sequence[str]) -> list[tuple[str, float]]:
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


def _is_candidate(sentence: str) -> bool:
    """Too short to judge, too long for the model, or not in Latin script: the model leaves it."""
    return 3 <= sentence.count(" ") + 1 <= 60 and _LATIN_TEXT.match(sentence) is not None


def _confidence(rewrite_lp: float, copy_lp: float) -> float:
    """How sure the model is of its rewrite: its token probability, discounted when the model
    found the original nearly as likely."""
    p_rewrite = pow(2.718281828, rewrite_lp)
    margin = max(0.0, min(1.0, (rewrite_lp - copy_lp) * 2))
    return max(0.0, min(1.0, p_rewrite * (0.5 + 0.5 * margin)))


def admissible_part(original: str, rewrite: str, accepts: Callable[[str], bool]) -> str:
    """The rewrite cut down to the word-level edits ``accepts`` admits one by one, and together.

    A model's rewrite often mixes a grammar repair with a content change the guard forbids: kept
    alone, the repair can still be applied. Returns ``original`` when nothing is left.
    """
    edits = word_edits(original, rewrite, 0, 0.0)
    kept = [e for e in edits if accepts(original[: e.start] + e.after + original[e.end :])]
    out = original
    for e in reversed(kept):  # edits are in order and never overlap
        out = out[: e.start] + e.after + out[e.end :]
    return out if out != original and accepts(out) else original


def word_edits(original: str, rewrite: str, offset: int, confidence: float) -> list[Edit]:
    """Word-level edits turning ``original`` into ``rewrite``, offset into the enclosing text.

    Tokens are words with their trailing whitespace, so the pieces tile both strings exactly and
    replaying the edits gives ``rewrite`` character for character.
    """
    a = [m for m in _TOKEN.finditer(original)]
    b = [m for m in _TOKEN.finditer(rewrite)]

    # Compare words and whether a space follows, not the exact run of whitespace: the tokenizer
    # normalises whitespace, and the original's spacing is kept wherever the words agree.
    def keys(tokens: list[re.Match[str]]) -> list[str]:
        return [m.group().rstrip() + (" " if m.group()[-1:].isspace() else "") for m in tokens]

    matcher = SequenceMatcher(None, keys(a), keys(b), autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        s = a[i1].start() if i1 < len(a) else len(original)
        e = a[i2].start() if i2 < len(a) else len(original)
        rs = b[j1].start() if j1 < len(b) else len(rewrite)
        re_ = b[j2].start() if j2 < len(b) else len(rewrite)
        before, after = original[s:e], rewrite[rs:re_]
        # Trim what both sides share, so that the logged change is as small as the edit.
        p = 0
        while p < min(len(before), len(after)) and before[p] == after[p]:
            p += 1
        q = 0
        while q < min(len(before), len(after)) - p and before[-1 - q] == after[-1 - q]:
            q += 1
        _before_core, after_core = before[p : len(before) - q], after[p : len(after) - q]
        edits.append(
            Edit(
                offset + s + p,
                offset + e - q,
                after_core,
                "fluency.rewrite",
                f"Rewrote {before.strip()!r} as {after.strip()!r} (model confidence {confidence:.2f}).",
                round(confidence, 4),
                "model",
            )
        )
    return edits
