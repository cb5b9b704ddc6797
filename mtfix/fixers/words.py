"""Word repeats from MT: 'the the', 'drunk driving drunk driving'."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from itertools import compress, count
from operator import eq

from mtfix.fixers import Repair, always, fixer
from mtfix.lexicon import LEGIT_REPEATS
from mtfix.scanning import line_offsets, line_words, words_of

# Links of idioms of the form 'X to X' ('from time to time to ...', 'more and more and ...').
_IDIOM_LINKS = frozenset(["to", "by", "and", "or", "after", "for", "upon", "in", "on", "over", "against"])
_L = r"[^\W\d_]"  # a letter, in the fast `re` engine
_EDGE_L = r"(?<![\w'’-])"
_EDGE_R = r"(?![\w'’-])"
_DOUBLED_WORD = re.compile(rf"{_EDGE_L}(?P<w>{_L}+)(?P<rep> (?i:(?P=w))){_EDGE_R}")
# Two to four words repeated right after themselves.
_DOUBLED_PHRASE = re.compile(rf"{_EDGE_L}(?P<w>{_L}+(?: {_L}+){{1,3}})(?P<rep> (?P=w)){_EDGE_R}")


def _may_fire(text: str) -> bool:
    if "\n" not in text:  # one segment, the per-call case
        return _may_repeat(words_of(text))
    return any(map(_may_repeat, line_words(text.split("\n"))))


@fixer("words.doubled", typo=always, check=_may_fire)
def fix_doubled_words(text: str) -> Iterator[Repair]:
    """A word or a short phrase written twice in a row ('the the', 'drunk driving drunk driving')."""
    lines = text.split("\n")
    hits = list(compress(count(), map(_may_repeat, line_words(lines))))
    if hits:
        offsets = line_offsets(lines)
        for n in hits:
            yield from _line_edits(lines[n], offsets[n])


def _may_repeat(words: Sequence[str]) -> bool:
    """Cheap pre-check: a word equal to the next, or a run of 2-4 words repeated right after itself."""
    if any(map(eq, words, words[1:])):
        return True
    pairs = list(itertools.pairwise(words))
    if len(set(pairs)) == len(pairs):  # the usual case, decided at C speed
        return False
    # 'of the ... of the' is common; only a whole run of d words repeated right after itself counts
    for d in (2, 3, 4):
        for i in compress(count(), map(eq, pairs, pairs[d:])):
            if words[i : i + d] == words[i + d : i + 2 * d]:
                return True
    return False


def _line_edits(text: str, offset: int) -> Iterator[Repair]:
    taken: list[tuple[int, int]] = []
    for m in _DOUBLED_PHRASE.finditer(text):
        words = m.group("w").split(" ")
        if _is_name(m.group("w")) or (_IDIOM_LINKS & {w.lower() for w in words[:2]} and len(words) == 2):
            continue  # 'from time to time to', 'and more and more': idioms, not a doubled phrase
        if _tripled(text, m) or len({w.lower() for w in words}) == 1:
            continue  # one word over and over ('the the the the') is the single-word rule's to judge
        taken.append(m.span())
        s, e = m.span("rep")
        yield Repair(
            offset + s,
            offset + e,
            "",
            f"Removed the repeated phrase {m.group('w')!r}.",
            0.85,
        )
    for m in _DOUBLED_WORD.finditer(text):
        w, rep = m.group("w"), m.group("rep")[1:]
        # 'the the', or 'The the' at the start of a sentence; 'Yang Yang' is a name.
        same = (w == rep and not _is_name(w)) or (w[0].isupper() and w.lower() == rep)
        if not same or w.lower() in LEGIT_REPEATS or any(s <= m.start() < e for s, e in taken[-2:]):
            continue
        if len(w) == 1 and w not in "aA":
            continue  # 'I I', 'x x': initials, variables, stammer in quotes
        if _tripled(text, m):
            continue
        s, e = m.span("rep")
        yield Repair(offset + s, offset + e, "", f"Removed the repeated word {w!r}.", 0.9)


def _tripled(text: str, m: re.Match[str]) -> bool:
    """'rumbling rumbling rumbling': three or more in a row is on purpose."""
    w = m.group("w").lower()
    s, e = m.start(), m.end()
    after = text[e : e + len(w) + 1].lower()
    before = text[max(0, s - len(w) - 1) : s].lower()
    # whole words only: 'Poland and and' is a doubled 'and', not a tripled one
    after_ok = after == " " + w and not _is_word_char(text[e + len(w) + 1 : e + len(w) + 2])
    before_ok = before == w + " " and (s - len(w) - 1 == 0 or not _is_word_char(text[s - len(w) - 2]))
    return after_ok or before_ok


def _is_word_char(c: str) -> bool:
    return c != "" and (c.isalnum() or c in "'’-_")  # '' (past either end) is no word character


def _is_name(words: str) -> bool:
    """'Yang Yang', 'Bora Bora', 'Walla Walla': capitalised repeats are names, not MT damage."""
    return words[:1].isupper()
