"""The motivating article: every mechanical fault fixed, nothing else touched."""

from __future__ import annotations

import re
from collections import Counter

import mtfix

from .conftest import SEED


def _site(text: str, c: mtfix.Change) -> str:
    """The original around a change: from the word before it to the word after it."""
    left = re.search(r"\S*\Z", text[: c.start])
    right = re.match(r"\S*", text[c.end :])
    assert left is not None and right is not None
    return left.group() + c.before + right.group()


def test_seed_article_all_16_faults_fixed_and_nothing_else(rules: mtfix.Cleaner) -> None:
    original = SEED.read_text(encoding="utf-8")
    r = rules.clean(original)
    # The 16 faults, each where it is: 7 split 'Jong -un' (2 more are already right), 2 other split
    # hyphens, 6 missing spaces after a full stop, 1 run of quotes.
    assert Counter((c.kind, _site(original, c), c.before, c.after) for c in r.changes) == {
        ("spacing.hyphen", "Jong -un", " ", ""): 6,
        ("spacing.hyphen", "Jong -un's", " ", ""): 1,
        ("spacing.hyphen", "China -DPRK", " ", ""): 1,
        ("spacing.hyphen", "six -day", " ", ""): 1,
        ("spacing.sentence", "Korea.At", "", " "): 1,
        ("spacing.sentence", "Korea.Kim", "", " "): 1,
        ("spacing.sentence", "Russia.This", "", " "): 1,
        ("spacing.sentence", "October.I", "", " "): 1,
        ("spacing.sentence", "Korea.Sexual", "", " "): 1,
        ("spacing.sentence", "concerns.The", "", " "): 1,
        ("quotes.run", 'cooperation.""" ".', '""" ".', '"'): 1,
    }
    assert r.text.count("Kim Jong-un") == 9 and "Jong -un" not in r.text
    assert 'with cooperation."\n' in r.text
    # Nothing else: the output is the original with exactly these 16 changes applied, so every
    # character outside them is the original's; the lines they do not touch are identical, and so
    # are the numbers and the wording MT got wrong in ways no rule mends ('visit the North Korea').
    assert r.apply() == r.text
    lines, out_lines = original.split("\n"), r.text.split("\n")
    assert len(out_lines) == len(lines)
    touched = {original.count("\n", 0, c.start) for c in r.changes}  # the line each change is on
    assert 0 < len(touched) < len(lines)
    untouched = [i for i in range(len(lines)) if i not in touched]
    assert [out_lines[i] for i in untouched] == [lines[i] for i in untouched]
    assert re.findall(r"\d+", r.text) == re.findall(r"\d+", original)
    assert "visit the North Korea next month" in r.text
    assert r.flags == []
