"""The guard: a model rewrite may improve wording, never facts.

A rewrite is accepted only if the numbers, names (capitalised words), quoted and bracketed
material, URLs and e-mail addresses of the sentence survive unchanged, it drops or adds no
content word (only function words, other forms of the sentence's own words, and misspelt words
turned into the known English word a typo or two away), its word-level
edit distance stays within a bound, and the model's confidence clears a threshold. Pure functions.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple

from mtfix.changes import Edit
from mtfix.lexicon import LEGIT_REPEATS, known_words, lemmas

_NUMBER = re.compile(r"\d[\d.,:/-]*\d|\d")
_QUOTED = re.compile(r"\"[^\"]+\"|“[^”]+”|«[^»]+»|„[^“”]+[“”]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_URLISH = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+\.\S+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_TOKEN = re.compile(r"\S+")
_WORD_AND_SPACE = re.compile(r"\S+\s*")
_MARK = re.compile(r"[()\[\]{}\"“”«»„]")
# Tokens with inner punctuation ('i.e.', 'U.S.', 'Jong-un', "Kunbao's") are kept as written.
_COMPOUND = re.compile(r"\w+(?:[.'’-]\w+)+\.?")


# Words a rewrite may add, drop or swap freely: articles, the commonest prepositions, auxiliaries and
# relative pronouns, where MT goes wrong and where a change repairs grammar. Words that carry meaning
# stay content even when short: negations and 'only', 'also', 'even'; conjunctions ('Russian and
# Austrian forces' is not 'Russian Austrian forces'); personal pronouns ('he' is not 'she');
# quantifiers ('all', 'some', 'more'); prepositions of time and opposition ('before', 'without').
# Content words may only take another form ('visit' -> 'visited') or lose a misspelling: the model
# may repair grammar, not change content.
FUNCTION_WORDS = frozenset(
    """a an the of in on at by for with to from into onto upon about over under between among through
    during within along across around as than that which who whom whose there
    is are was were be been being am do does did done doing have has had having will would shall
    should can could may might must""".split()
)


# Forms of 'be': a rewrite may change one into another ('is' -> 'are'), never drop one. An early model
# turned 'the leaders were Kirill Ladygin, ...' into 'the leaders Kirill Ladygin, ...' on WMT21.
_BE = frozenset("am is are was were be been being".split())


def _structure_change(original: str, rewrite: str) -> str:
    """A dropped form of 'be', or a repeat English writes on purpose ('had had') collapsed."""
    before = [w.lower() for w in _WORD.findall(original)]
    after = [w.lower() for w in _WORD.findall(rewrite)]
    # 'was was', 'is are': two forms in a row may lose one, so a run of them counts once
    be_before = [w for k, w in enumerate(before) if w in _BE and not (k and before[k - 1] in _BE)]
    if len(be_before) > sum(w in _BE for w in after):
        return f"it drops the verb {be_before[-1]!r}"
    for a, b in itertools.pairwise(before):
        if a == b and a in LEGIT_REPEATS and _pairs(after, a) < _pairs(before, a):
            return f"it collapses {a + ' ' + a!r}, which English writes on purpose"
    return ""


def _pairs(words: list[str], w: str) -> int:
    return sum(1 for a, b in itertools.pairwise(words) if a == b == w)


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


def _content(text: str, *, drop_repeats: bool = False) -> list[str]:
    """The content words of ``text``, lower-cased; with ``drop_repeats``, a word written twice in a row
    ('calcium calcium') counts once (words apart, as in 'generation to generation', count twice)."""
    words = [m.lower() for m in _WORD.findall(text)]
    return [
        w for k, w in enumerate(words) if w not in FUNCTION_WORDS and not (drop_repeats and k > 0 and words[k - 1] == w)
    ]


def content_change(original: str, rewrite: str) -> str:
    """How the rewrite changes the sentence's content words, or '' when it only repairs grammar.

    The content words (all but function words) must stay the same and in the same order; each may
    take another form of itself ('visit' -> 'visited', 'drinked' -> 'drank') if that form is a known English word, or be
    a misspelling turned into the known word it was meant to be ('becuase' -> 'because'); a word
    the original writes twice in a row ('calcium calcium') may lose its repeat.
    """
    known = known_words()
    before = _content(original, drop_repeats=True)
    after = _content(rewrite)
    if len(before) > len(after):  # a misspelt function word ('becuase', 'wich') is a function word
        functions = {w.lower() for w in _WORD.findall(rewrite)} & FUNCTION_WORDS
        before = [w for w in before if not any(_respells(w, f, known) for f in functions)]
    if len(before) != len(after):
        gone = list((Counter(before) - Counter(after)).elements())
        new = list((Counter(after) - Counter(before)).elements())
        if gone:
            return f"it drops the word {gone[0]!r}"
        return f"it adds the word {new[0]!r}" if new else "it repeats a word"
    for a, b in zip(before, after, strict=True):
        if a == b or _respells(a, b, known):
            continue
        if not _inflects(a, b) and not lemmas(a) & lemmas(b):
            return f"it replaces {a!r} with {b!r}, which is neither a form of it nor its spelling fixed"
        if b not in known:
            return f"{b!r} is not a known English word"
    return ""


def _respells(a: str, b: str, known: frozenset[str]) -> bool:
    """A misspelling corrected: ``a`` is no English word, ``b`` is one, a typo or two away
    ('becuase' -> 'because', 'freind' -> 'friend'), with the same first letter. One known word is
    never turned into another: that would change the content."""
    if a in known or b not in known or a[:1] != b[:1]:
        return False
    return typo_distance(a, b) <= (1 if min(len(a), len(b)) <= 4 else 2)


def typo_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap of neighbours costs one."""
    if abs(len(a) - len(b)) > 2:
        return 3
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


class Verdict(NamedTuple):
    ok: bool
    reason: str


def facts(sentence: str) -> list[str]:
    """The material a rewrite must keep, in order: numbers, names, quotations, brackets, URLs,
    abbreviations and other tokens with inner punctuation."""
    found: list[tuple[int, str]] = []
    for kind, pattern in (("num", _NUMBER), ("quote", _QUOTED), ("bracket", _BRACKETED), ("url", _URLISH)):
        found += [(m.start(), f"{kind}:{m.group()}") for m in pattern.finditer(sentence)]
    found += [(m.start(), f"token:{m.group()}") for m in _COMPOUND.finditer(sentence) if not m.group().isdigit()]
    # a bracket or quotation mark that opens or closes outside the sentence is kept too
    found += [(m.start(), f"mark:{m.group()}") for m in _MARK.finditer(sentence)]
    words = list(_WORD.finditer(sentence))
    texts = [m.group() for m in words]
    # A capitalised word is a name unless it only opens the sentence ('The', 'However').
    for i, m in enumerate(words):
        w = m.group()
        if w[0].isupper() and w not in ("A", "I") and (i > 0 or w.isupper() or w in texts[1:]):
            found.append((m.start(), "name:" + w))
    return [f for _, f in sorted(found)]


@lru_cache(maxsize=256)
def source_words(source: str) -> frozenset[str]:
    """The words of a source segment a translation carries over as they are: those written with a
    capital (names, codes, terms), in any script, and lower-case words English does not have (an app
    name, 'likee'; a term or a word left untranslated, 'abundent', 'formatate'). A translation that
    writes such a word as the source does copied it: respelling it into the nearest English word
    ('like', 'formulate') is a guess. A lower-case source word English has too ('latex', 'a') says
    nothing: it is a word of both languages."""
    known = known_words()
    return frozenset(w for w in _WORD.findall(source) if not w.islower() or w not in known)


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


def check(
    original: str,
    rewrite: str,
    confidence: float,
    *,
    min_confidence: float,
    max_edit_ratio: float,
    source: str | None = None,
) -> Verdict:
    """Whether ``rewrite`` may replace ``original``; the reason when it may not. With the ``source``
    segment, a word of the original that the source has too (a name opening the sentence, a code,
    a term left in the original's spelling) must survive as well."""
    if not rewrite.strip():
        return Verdict(False, "the rewrite is empty")
    if confidence < min_confidence:
        return Verdict(False, f"model confidence {confidence:.2f} is below {min_confidence:.2f}")
    if source:
        shared = Counter(w for w in _WORD.findall(original) if len(w) > 1 and w in source_words(source))
        lost = shared - Counter(_WORD.findall(rewrite))
        if lost:
            what = ", ".join(repr(w) for w in sorted(lost))
            return Verdict(False, f"it drops {what}, which the source has too")
    kept, new = facts(original), facts(rewrite)
    if kept != new:
        lost = Counter(kept) - Counter(new)
        added = Counter(new) - Counter(kept)
        changed = [k.split(":", 1)[1] for k in list(lost) + list(added)] or ["their order"]
        what = ", ".join(repr(w) for w in changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")
        return Verdict(False, f"it changes facts ({what})")
    content = content_change(original, rewrite) or _structure_change(original, rewrite)
    if content:
        return Verdict(False, content)
    ratio = word_edit_ratio(original, rewrite)
    if ratio > max_edit_ratio:
        return Verdict(False, f"it changes {ratio:.0%} of the words (limit {max_edit_ratio:.0%})")
    if "\ufffd" in rewrite or "<unk>" in rewrite:
        return Verdict(False, "the model could not spell part of the sentence")
    return Verdict(True, "")


def admissible_part(original: str, rewrite: str, accepts: Callable[[str], bool]) -> str:
    """The rewrite cut down to the word-level edits ``accepts`` admits one by one, and together.

    A model's rewrite often mixes a grammar repair with a content change the guard forbids: kept
    alone, the repair can still be applied. Returns ``original`` when nothing is left.
    """
    edits = word_edits(original, rewrite, 0, 0.0)
    kept = [e for e in edits if accepts(original[: e.start] + e.after + original[e.end :])]
    out = original
    for e in reversed(kept):  # edits are in order and never overlap
        out = out[: e.start] + e.after + out[e.end :]
    return out if out != original and accepts(out) else original


def shared_ends(a: str, b: str) -> tuple[int, int]:
    """The lengths of the longest common prefix of ``a`` and ``b`` and of the longest common suffix of
    what is left after it."""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    q = 0
    while q < min(len(a), len(b)) - p and a[-1 - q] == b[-1 - q]:
        q += 1
    return p, q


def word_edits(
    original: str, rewrite: str, offset: int, confidence: float, *, kind: str = "fluency.rewrite", source: str = "model"
) -> list[Edit]:
    """Word-level edits turning ``original`` into ``rewrite``, offset into the enclosing text.

    Tokens are words with their trailing whitespace, so the pieces tile both strings exactly and
    replaying the edits gives ``rewrite`` character for character.
    """
    a = [m for m in _WORD_AND_SPACE.finditer(original)]
    b = [m for m in _WORD_AND_SPACE.finditer(rewrite)]

    # Compare words and whether a space follows, not the exact run of whitespace: the tokenizer
    # normalises whitespace, and the original's spacing is kept wherever the words agree.
    def keys(tokens: list[re.Match[str]]) -> list[str]:
        return [m.group().rstrip() + (" " if m.group()[-1:].isspace() else "") for m in tokens]

    matcher = SequenceMatcher(None, keys(a), keys(b), autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        s = a[i1].start() if i1 < len(a) else len(original)
        e = a[i2].start() if i2 < len(a) else len(original)
        rs = b[j1].start() if j1 < len(b) else len(rewrite)
        re_ = b[j2].start() if j2 < len(b) else len(rewrite)
        before, after = original[s:e], rewrite[rs:re_]
        # Trim what both sides share, so that the logged change is as small as the edit.
        p, q = shared_ends(before, after)
        _before_core, after_core = before[p : len(before) - q], after[p : len(after) - q]
        edits.append(
            Edit(
                offset + s + p,
                offset + e - q,
                after_core,
                kind,
                f"Rewrote {before.strip()!r} as {after.strip()!r} ({source} confidence {confidence:.2f}).",
                round(confidence, 4),
                source,
            )
        )
    return edits


def show_edits(original: str, rewrite: str, context: int = 2) -> str:
    """The words a rewrite changes, in brackets, with ``context`` words either side:
    ``'expressed [his] gratitude'``, ``'visited [the Beijing → Beijing] in'``, ``'said [-that] he'``;
    distant edits are joined with ' … '."""
    a = original.split()
    b = rewrite.split()
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[str] = []
    last = -1
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        mark = f"[{new}]" if not old else f"[-{old}]" if not new else f"[{old} → {new}]"
        lo = max(i1 - context, last + 1 if last >= 0 else 0)
        left = " ".join(a[lo:i1])
        right = " ".join(a[i2 : i2 + context])
        if pieces and lo > last + 1:
            pieces.append("…")
        pieces.append(" ".join(p for p in (left, mark, right) if p))
        last = i2 + context - 1
    return repr(" ".join(pieces)) if pieces else repr(rewrite)
