"""The guard: a model rewrite may improve wording, never facts.

A rewrite is accepted only if the numbers, names (capitalised words), quoted and bracketed
material, URLs and e-mail addresses of the sentence survive unchanged, it drops or adds no
content word (only function words, and other forms of the sentence's own words), its word-level
edit distance stays within a bound, and the model's confidence clears a threshold. Pure functions.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

_NUMBER = re.compile(r"\d[\d.,:/-]*\d|\d")
_QUOTED = re.compile(r"\"[^\"]+\"|“[^”]+”|«[^»]+»|„[^“”]+[“”]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_URLISH = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+\.\S+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_TOKEN = re.compile(r"\S+")


# Words a rewrite may add or drop freely: articles, prepositions, pronouns, auxiliaries,
# conjunctions. Any other word it drops must come back inflected ('visit' -> 'visited'), and any
# other word it adds must be such an inflection: the model may repair grammar, not change content.
FUNCTION_WORDS = frozenset(
    """a an the this that these those some any no every each all both either neither of in on at by
    for with to from into onto upon about above below over under between among through during before
    after since until against without within along across around behind beyond near off out up down
    as than like per via and or but nor so yet if then because while although though whether also
    too very just only even still already not i you he she it we they me him her us them my your his
    its our their mine yours hers ours theirs who whom whose which what where when why how there here
    is are was were be been being am do does did done doing have has had having will would shall
    should can could may might must ought one ones more most much many such other another same own""".split()
)


_SUFFIXES = frozenset("s es ed d ing e y ies ied er est ly n en".split()) | {""}


def _inflects(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are forms of one word: a shared stem, inflectional endings."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    if n < 2:
        return False
    ends = [a[n:], b[n:]]
    # 'stop' / 'stopped': the ending may double the stem's last consonant.
    ends = [e[1:] if e[:1] == a[n - 1] and e[1:] in _SUFFIXES and e[1:] else e for e in ends]
    return all(e in _SUFFIXES for e in ends)


def _inflection_of(word: str, others: Counter[str]) -> bool:
    return any(_inflects(word, other) for other in others)


def content_change(original: str, rewrite: str) -> str:
    """The first content word the rewrite drops or invents, or '' when it only repairs grammar."""
    before = Counter(w.lower() for w in _WORD.findall(original))
    after = Counter(w.lower() for w in _WORD.findall(rewrite))
    dropped, added = before - after, after - before
    for w in dropped:
        if w not in FUNCTION_WORDS and not _inflection_of(w, added):
            return f"it drops the word {w!r}"
    for w in added:
        if w not in FUNCTION_WORDS and not _inflection_of(w, before):
            return f"it adds the word {w!r}"
    return ""


class Verdict(NamedTuple):
    ok: bool
    reason: str


def facts(sentence: str) -> Counter[str]:
    """The material a rewrite must keep: numbers, names, quotations, brackets, URLs."""
    found: Counter[str] = Counter()
    found.update("num:" + m.group() for m in _NUMBER.finditer(sentence))
    found.update("quote:" + m.group() for m in _QUOTED.finditer(sentence))
    found.update("bracket:" + m.group() for m in _BRACKETED.finditer(sentence))
    found.update("url:" + m.group() for m in _URLISH.finditer(sentence))
    words = _WORD.findall(sentence)
    # A capitalised word is a name unless it only opens the sentence ('The', 'However').
    for i, w in enumerate(words):
        if w[0].isupper() and w not in ("A", "I") and (i > 0 or w.isupper() or w in words[1:]):
            found["name:" + w] += 1
    return found


def word_edit_ratio(a: str, b: str) -> float:
    """Word-level Levenshtein distance between ``a`` and ``b``, over the length of ``a``."""
    x, y = _TOKEN.findall(a), _TOKEN.findall(b)
    if not x:
        return 0.0 if not y else 1.0
    prev = list(range(len(y) + 1))
    for i, xi in enumerate(x, 1):
        cur = [i]
        for j, yj in enumerate(y, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (xi != yj)))
        prev = cur
    return prev[-1] / len(x)


def check(original: str, rewrite: str, confidence: float, *, min_confidence: float, max_edit_ratio: float) -> Verdict:
    """Whether ``rewrite`` may replace ``original``; the reason when it may not."""
    if not rewrite.strip():
        return Verdict(False, "the rewrite is empty")
    if confidence < min_confidence:
        return Verdict(False, f"model confidence {confidence:.2f} is below {min_confidence:.2f}")
    lost = facts(original) - facts(rewrite)
    added = facts(rewrite) - facts(original)
    if lost or added:
        changed = [k.split(":", 1)[1] for k in list(lost) + list(added)]
        what = ", ".join(repr(w) for w in changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")
        return Verdict(False, f"it changes facts ({what})")
    content = content_change(original, rewrite)
    if content:
        return Verdict(False, content)
    ratio = word_edit_ratio(original, rewrite)
    if ratio > max_edit_ratio:
        return Verdict(False, f"it changes {ratio:.0%} of the words (limit {max_edit_ratio:.0%})")
    if "\ufffd" in rewrite or "<unk>" in rewrite:
        return Verdict(False, "the model could not spell part of the sentence")
    return Verdict(True, "")
