"""The fuzzing harness: many inputs (random Unicode, MT-like pieces, real reference lines when ../shared is
there), each checked for exact replay, idempotence, and ``clean_batch`` agreeing with ``clean``.

A quick run in the default suite; ``MTFIX_SLOW=1`` runs 100,000 inputs with a fixed seed (README: the numbers).
"""

from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

import mtfix

from .conftest import SHARED
from .test_invariants import MT_TEXT

SLOW = os.environ.get("MTFIX_SLOW") == "1"
EXAMPLES = 100_000 if SLOW else 300
CLEANERS = {mode: mtfix.Cleaner(model=None, grammar=False, mode=mode) for mode in mtfix.MODES}


def _reference_lines() -> list[str]:
    refs = sorted((SHARED / "wmt21" / "references").glob("*")) if (SHARED / "wmt21").is_dir() else []
    lines = [x for f in refs for x in f.read_text(encoding="utf-8").splitlines()]
    return random.Random(0).sample(lines, min(5000, len(lines)))


REAL = _reference_lines()
INPUTS = st.one_of(MT_TEXT, st.text(max_size=300), st.sampled_from(REAL) if REAL else st.nothing())


@seed(20261202)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(INPUTS, min_size=1, max_size=4), st.sampled_from(mtfix.MODES))
# found by the 100,000 run: a piece given to ftfy took in the next line, and the diff moved
@example(["thethethethetheÃ©drunk drivingthethethethe&amp;athehttp://x.com/A.B", "the Ã©"], "thorough")
@example(["3.5  :", "3.5"], "thorough")  # '3 : 1' was looked for across the line break
def test_fuzz_replay_idempotence_and_batch_agreement(texts: list[str], mode: str) -> None:
    cleaner = CLEANERS[mode]
    batch = cleaner.clean_batch(texts)
    for text, b in zip(texts, batch, strict=True):
        r = cleaner.clean(text)
        assert r == b, "clean_batch disagrees with clean"
        assert mtfix.apply_changes(text, r.changes) == r.text, "the change log does not replay"
        assert cleaner.clean(r.text).changes == [], "not idempotent"
