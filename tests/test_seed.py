"""The motivating article: every mechanical fault fixed, nothing else touched."""

from __future__ import annotations

from collections import Counter

import mtfix

from .conftest import SEED


def test_seed_article_all_16_faults_fixed_and_nothing_else(rules: mtfix.Cleaner) -> None:
    original = SEED.read_text(encoding="utf-8")
    r = rules.clean(original)
    assert Counter(c.kind for c in r.changes) == {"spacing.hyphen": 9, "spacing.sentence": 6, "quotes.run": 1}
    assert r.text.count("Kim Jong-un") == 9 and "Jong -un" not in r.text  # 7 fixed, 2 already right
    assert "China-DPRK" in r.text and "six-day" in r.text
    for joined in ("Korea. At", "Korea. Kim", "Russia. This", "October. I", "Korea. Sexual", "concerns. The"):
        assert joined in r.text
    assert 'with cooperation."\n' in r.text
    # Nothing else: the output differs from the input only inside the logged changes.
    assert r.apply() == r.text
    untouched = [c for c in r.changes if c.kind == "spacing.hyphen"]
    assert all((c.before, c.after) == (" ", "") for c in untouched)
    assert all((c.before, c.after) == ("", " ") for c in r.changes if c.kind == "spacing.sentence")
    (quote,) = [c for c in r.changes if c.kind == "quotes.run"]
    assert (quote.before, quote.after) == ('""" ".', '"')
    assert r.flags == []
