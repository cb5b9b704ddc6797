"""Word lists shared by the stages: known English words (detector, guard), legitimate repeats
(the doubled-word fixer, the guard).

``mtfix/data/words.txt.gz``: the words seen at least twice in the clean English training text
(written by :func:`mtfix.train.data.write_word_list`), loaded once on first use.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

# Repeats that English uses on purpose ('had had', 'that that', 'bye bye', 'very very'), and
# particles that legitimately meet themselves ('log in in', 'it it' across a missing comma).
LEGIT_REPEATS = frozenset(
    """had that is do can bye ha haha no so now there well yeah yes very really many far long knock tut
    chop go come hear bang boo tick tock hush quick pretty wait again more ever round over blah la na
    dum rah yada tsk sh shh ho he hi hey oh ah uh um mm hmm wow yo bla cha tom it on up out off down
    lovely""".split()
)

WORDS_FILE = Path(__file__).resolve().parent / "data" / "words.txt.gz"


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lower-case English words (``mtfix/data/words.txt.gz``)."""
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(f.read().split())
