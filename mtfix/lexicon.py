"""The list of known English words shared by the detector and the guard.

``mtfix/data/words.txt.gz``: the words seen at least twice in the clean English training text
(written by :func:`mtfix.train.data.write_word_list`), loaded once on first use.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "data" / "words.txt.gz"


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lower-case English words (``mtfix/data/words.txt.gz``)."""
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(f.read().split())
