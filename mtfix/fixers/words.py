"""Word repeats from MT: 'the the', 'drunk driving drunk driving'."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from mtfix.changes import Edit
from mtfix.fixers import fixer

# Repeats that English uses on purpose ('had had', 'that that', 'bye bye', 'very very').
_LEGIT_REPEATS = frozenset(
    """had that is do can bye ha haha no so now there well yeah yes very really many far long knock
    tut chop go come hear bang boo tick tock hush quick pretty wait again more ever round over blah
    la na dum rah yada tsk sh shh ho he hi hey oh ah uh um mm hmm wow yo bla cha cancan tom""".split()
)
_DOUBLED_WORD = regex.compile(r"(?<![\p{L}\p{N}'’-])(?P<w>\p{L}+)(?P<rep>[ ]\p{L}+)(?![\p{L}\p{N}'’-])")
# Two to four words repeated right after themselves.
_DOUBLED_PHRASE = regex.compile(
    r"(?<![\p{L}\p{N}'’-])(?P<w>\p{L}+(?:[ ]\p{L}+){1,3})(?P<rep>[ ](?P=w))(?![\p{L}\p{N}'’-])"
)


@fixer("words.doubled")
def fix_doubled_words(text: str) -> Iterator[Edit]:
    """A word or a short phrase written twice in a row ('the the', 'drunk driving drunk driving')."""
    taken_until = -1
    for m in _DOUBLED_PHRASE.finditer(text):
        if _is_name(m.group("w")):
            continue
        s, e = m.span("rep")
        taken_until = e
        yield Edit(s, e, "", "words.doubled",
                   f"Removed the repeated phrase {m.group('w')!r}.", 0.85)
    for m in _DOUBLED_WORD.finditer(text, overlapped=True):
        w, rep = m.group("w"), m.group("rep")[1:]
        # 'the the', or 'The the' at the start of a sentence; 'Yang Yang' is a name.
        same = w == rep and not _is_name(w) or (w[0].isupper() and w.lower() == rep)
        if not same or w.lower() in _LEGIT_REPEATS or m.start() < taken_until:
            continue
        if len(w) == 1 and w not in "aA":
            continue  # 'I I', 'x x': initials, variables, stammer in quotes
        s, e = m.span("rep")
        yield Edit(s, e, "", "words.doubled", f"Removed the repeated word {w!r}.", 0.9)


def _is_name(words: str) -> bool:
    """'Yang Yang', 'Bora Bora', 'Walla Walla': capitalised repeats are names, not MT damage."""
    return words[:1].isupper()
