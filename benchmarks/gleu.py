"""GLEU for fluency and grammatical error correction, as scored on JFLEG.

This is the multi-reference "GLEU+" of Napoles et al. (ACL 2015, updated 2016 and 2017), the score
published with JFLEG (repository keisks/jfleg, ``eval/gleu.py``), implemented from its description:

- text is whitespace-tokenised; for one hypothesis ``h``, source ``s`` and ONE reference ``r`` the
  statistics are ``[len(h), len(r), num_1, den_1, ..., num_4, den_4]`` with
  ``num_n = max(0, |h ∩ r| - |h ∩ (s \\ r)|)`` over n-gram multisets, where ``s \\ r`` keeps the source
  n-grams that do not occur in the reference at all, and ``den_n = max(0, len(h) + 1 - n)``;
- in each of ``iterations`` rounds every sentence gets one of its references uniformly at random
  (round ``j`` seeds Python's ``random`` with ``j * 101``, as the published script does), the
  statistics are summed over the corpus and turned into a score: 0 if any sum is 0, otherwise
  ``exp(min(0, 1 - r / c)) * (prod_n num_n / den_n) ** (1 / 4)``;
- the score is the mean over the rounds (the standard deviation is reported alongside).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, pstdev

ORDER = 4


def ngram_counts(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """The multiset of ``n``-grams of ``tokens``."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) + 1 - n))


def sentence_stats(hyp: Sequence[str], src: Sequence[str], ref: Sequence[str]) -> list[int]:
    """``[c, r, num_1, den_1, ..., num_4, den_4]`` of one tokenised hypothesis against one reference."""
    stats = [len(hyp), len(ref)]
    for n in range(1, ORDER + 1):
        h, s, r = ngram_counts(hyp, n), ngram_counts(src, n), ngram_counts(ref, n)
        source_only = Counter({g: k for g, k in s.items() if g not in r})
        matched = sum((h & r).values()) - sum((h & source_only).values())
        stats += [max(matched, 0), max(len(hyp) + 1 - n, 0)]
    return stats


def gleu_from_stats(stats: Sequence[int]) -> float:
    """GLEU (0..1) of summed statistics; 0 when any count is 0 (no smoothing)."""
    if any(x == 0 for x in stats):
        return 0.0
    c, r = stats[0], stats[1]
    log_precision = sum(math.log(x / y) for x, y in zip(stats[2::2], stats[3::2], strict=True)) / ORDER
    return math.exp(min(0.0, 1 - r / c) + log_precision)


@dataclass(frozen=True)
class Gleu:
    """Corpus GLEU (0..100): mean and standard deviation over the reference-sampling rounds."""

    mean: float
    std: float
    iterations: int


def corpus_gleu(hyps: Sequence[str], srcs: Sequence[str], refs: Sequence[Sequence[str]], iterations: int = 500) -> Gleu:
    """GLEU of ``hyps`` given ``srcs`` and reference sets ``refs`` (``refs[k][i]``: reference k of i).

    All strings are split on whitespace: tokenise them the same way before calling.
    """
    if not all(len(ref_set) == len(hyps) for ref_set in refs) or len(srcs) != len(hyps):
        raise ValueError("hypotheses, sources and every reference set must have the same length")
    per_ref = [
        [sentence_stats(h.split(), s.split(), ref_set[i].split()) for ref_set in refs]
        for i, (h, s) in enumerate(zip(hyps, srcs, strict=True))
    ]
    scores = []
    for j in range(iterations):
        rng = random.Random(j * 101)
        chosen = [rng.randint(0, len(refs) - 1) for _ in hyps]
        totals = [sum(col) for col in zip(*(per_ref[i][k] for i, k in enumerate(chosen)), strict=True)]
        scores.append(100 * gleu_from_stats(totals))
    return Gleu(fmean(scores), pstdev(scores), iterations)
