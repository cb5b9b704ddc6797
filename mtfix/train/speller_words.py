"""Build ``mtfix/data/speller_words.txt.gz``: English words mtfix's lexicon lacks that Harper's spell
checker accepts in every dialect, found by asking Harper about the words of the frequency list.

The grammar stage asks Harper about every lower-case word its lexicon lacks, and looks at every
sentence that has one. On news text three words in four of those are words Harper knows
('ceasefire', 'stakeholders'): asking costs more than half a millisecond a word, and the sentences
they bring in cost the judge's time for nothing. A word in this list is one Harper would not lint:
the pre-check skips it, and :meth:`mtfix.grammar.GrammarStage._lookup` answers for it without asking.
A word only some dialects accept is listed with them ('colour', 'color'): for the stage's dialect it
is a known word, for the others a dialect's spelling, which the judge leaves (no spell checker of
another dialect is asked about a word the list has, or about any other word of the frequency list:
no dialect knows those). A user's dictionary only adds words Harper knows. Rebuild after upgrading
harper-py (a test checks a sample against the installed one)::

    python -m mtfix.train.speller_words          # about a quarter of an hour
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from pathlib import Path

from mtfix.lexicon import known_words

OUT = Path(__file__).resolve().parents[1] / "data" / "speller_words.txt.gz"
_WORD = re.compile(r"[a-z]{3,}")  # the words the stage asks Harper about (grammar._LOWER_WORD)
CHUNK = 256


def accepted(words: Iterable[str], dialect: object) -> set[str]:
    """The words of ``words`` Harper's spell checker of ``dialect`` does not lint, asked many at a time
    (one a paragraph); a lint anywhere in a word's paragraph counts against it."""
    from mtfix.grammar import lints_by_word
    from mtfix.train.triggers import one_rule

    linter = one_rule("SpellCheck", dialect)
    words = list(words)
    out: set[str] = set()
    for i in range(0, len(words), CHUNK):
        chunk = words[i : i + CHUNK]
        linted = lints_by_word(linter, chunk)
        out.update(w for k, w in enumerate(chunk) if k not in linted)
    return out


def universe(limit: int = 1_000_000) -> list[str]:
    """The words asked about: the frequency list's lower-case words of three letters or more outside
    the lexicon (``wordfreq.zipf_frequency`` is above zero for each, and zero for any other word)."""
    from wordfreq import top_n_list

    lexicon = known_words()
    return sorted({w for w in top_n_list("en", limit, wordlist="large") if _WORD.fullmatch(w) and w not in lexicon})


def build(limit: int = 1_000_000) -> dict[str, list[str]]:
    """Each word of :func:`universe` that some dialect's spell checker accepts -> the dialects that do
    (lower-case names, 'american', 'british', ...)."""
    import harper

    words = universe(limit)
    out: dict[str, list[str]] = {}
    for dialect in harper.Dialect:
        for word in sorted(accepted(words, dialect)):
            out.setdefault(word, []).append(dialect.name.lower())
    return out


def write(out: Path = OUT) -> int:
    """Build the list and write it: one word a line, followed by the dialects that accept it where not
    all do; the harper-py version in the first line. Returns how many words every dialect accepts."""
    from importlib.metadata import version

    import harper

    every = len(list(harper.Dialect))
    found = build()
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(f"# harper-py {version('harper-py')}\n")
        for word, dialects in sorted(found.items()):
            f.write(word + ("\n" if len(dialects) == every else "\t" + " ".join(dialects) + "\n"))
    return sum(len(d) == every for d in found.values())


if __name__ == "__main__":
    print(write())
