"""Worst-case time is linear in the input: every adversarial line (benchmarks/adversarial.py, long runs
of one trigger on one line) takes at most about four times as long at four times the length.

Timed tests are fragile, so the margin is wide: quadratic work would take sixteen times as long at four
times the length, and the bound is eight (best of three runs each). The absolute times and the ratios
to a clean line are in benchmarks/results/rules_speed.md.
"""

from __future__ import annotations

import gc
import importlib.util
import sys
import time

import pytest

import mtfix

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("adversarial", ROOT / "benchmarks" / "adversarial.py")
assert spec and spec.loader
adversarial = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = adversarial
spec.loader.exec_module(adversarial)

CLEANER = mtfix.Cleaner(model=None, grammar=False, mode="thorough")
SMALL = 6_000


def _best(text: str, cleaner: mtfix.Cleaner = CLEANER) -> float:
    # The collector off while timing: its passes scale with everything the test process holds (other
    # tests' models), which is not the cleaner's complexity.
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            cleaner.clean(text)
            best = min(best, time.perf_counter() - t)
        return best
    finally:
        gc.enable()


@pytest.mark.parametrize("name", list(adversarial.UNITS))
def test_four_times_the_input_takes_at_most_about_four_times_as_long(name: str) -> None:
    small, large = adversarial.adversarial(name, SMALL), adversarial.adversarial(name, 4 * SMALL)
    CLEANER.clean(small)  # warm: compiled patterns, ftfy's tables, langdetect's profiles
    t_small, t_large = _best(small), _best(large)
    assert t_large <= 8 * t_small + 0.002, (name, t_small, t_large)


def test_the_result_on_an_adversarial_line_is_exact() -> None:
    for name in adversarial.UNITS:
        text = adversarial.adversarial(name, 3_000)
        r = CLEANER.clean(text)
        assert mtfix.apply_changes(text, r.changes) == r.text, name


def test_the_grammar_stage_is_linear_on_a_long_line_of_edits() -> None:
    # each guarded edit once cut its whole line into sentences again: 50 KB took 7.6 s, 200 KB 116 s
    default = mtfix.Cleaner(model=None)
    unit = "He have a apple and they was happy. "
    small, large = unit * (4 * SMALL // len(unit)), unit * (16 * SMALL // len(unit))
    default.clean(small)  # warm: Harper, its word cache
    t_small, t_large = _best(small, default), _best(large, default)
    assert t_large <= 8 * t_small + 0.002, (t_small, t_large)
    r = default.clean(large)
    assert r.changes and mtfix.apply_changes(large, r.changes) == r.text
