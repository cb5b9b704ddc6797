"""Inject machine-translation-style damage into clean English sentences.

Every function takes a ``random.Random`` and a sentence and returns the damaged
sentence, or the sentence unchanged when the damage cannot be applied.  All
randomness comes from the ``rng`` argument, so results are deterministic for a
given seed.

Tokens that contain a digit or an upper-case letter (numbers, names, acronyms,
sentence-initial words) are never altered, replaced or removed; the model must
learn to leave them alone.  Words are split on single spaces, so punctuation
stays attached to its word (``"house,"``) and such words are left alone too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

ARTICLES = ("a", "an", "the")
PREPOSITIONS = (
    "in",
    "on",
    "at",
    "of",
    "for",
    "to",
    "from",
    "with",
    "by",
    "about",
    "into",
    "onto",
    "over",
    "under",
    "between",
    "during",
    "through",
    "towards",
)
AGREEMENT_SWAPS = {
    "is": "are",
    "are": "is",
    "was": "were",
    "were": "was",
    "has": "have",
    "have": "has",
    "does": "do",
    "do": "does",
    "doesn't": "don't",
    "don't": "doesn't",
    "isn't": "aren't",
    "aren't": "isn't",
    "wasn't": "weren't",
    "weren't": "wasn't",
    "hasn't": "haven't",
    "haven't": "hasn't",
}
SINGULAR_SUBJECTS = ("he", "she", "it", "this", "that")
PLURAL_SUBJECTS = ("they", "we", "you", "these", "those")
# past -> wrong forms an MT system might produce
TENSE_SWAPS = {
    "went": ["go", "goes", "gone"],
    "came": ["come", "comes"],
    "took": ["take", "taken"],
    "gave": ["give", "given"],
    "made": ["make", "makes"],
    "said": ["say", "says"],
    "saw": ["see", "seen"],
    "began": ["begin", "begun"],
    "became": ["become", "becomes"],
    "found": ["find", "finds"],
    "got": ["get", "gets"],
    "knew": ["know", "known"],
    "thought": ["think", "thinks"],
    "told": ["tell", "tells"],
    "left": ["leave", "leaves"],
    "wrote": ["write", "written"],
    "won": ["win", "wins"],
    "lost": ["lose", "loses"],
    "held": ["hold", "holds"],
    "brought": ["bring", "brings"],
    "built": ["build", "builds"],
    "was": ["is", "be"],
    "were": ["are", "be"],
    "had": ["has", "have"],
    "is": ["was", "be"],
    "are": ["were", "be"],
    "has": ["had"],
    "will": ["would"],
    "been": ["be", "being"],
    "done": ["did", "do"],
    "written": ["wrote"],
    "taken": ["took"],
    "given": ["gave"],
    "seen": ["saw"],
    "gone": ["went"],
}
_WORD = re.compile(r"^[a-z]+(?:'[a-z]+)?$")


def _is_plain(tok: str) -> bool:
    """True for an all-lower-case alphabetic word with no digits or punctuation."""
    return bool(_WORD.match(tok))


def _split(sentence: str) -> list[str]:
    return sentence.split(" ")


def _join(tokens: list[str]) -> str:
    return " ".join(t for t in tokens if t != "")


def _pick(rng: random.Random, indices: list[int]) -> int | None:
    return rng.choice(indices) if indices else None


def drop_article(rng: random.Random, sentence: str) -> str:
    """Remove one lower-case article (a/an/the)."""
    toks = _split(sentence)
    i = _pick(rng, [k for k, t in enumerate(toks) if t in ARTICLES and k + 1 < len(toks)])
    if i is None:
        return sentence
    del toks[i]
    return _join(toks)


def replace_article(rng: random.Random, sentence: str) -> str:
    """Swap one article for another (a<->the, a<->an)."""
    toks = _split(sentence)
    i = _pick(rng, [k for k, t in enumerate(toks) if t in ARTICLES])
    if i is None:
        return sentence
    toks[i] = rng.choice([a for a in ARTICLES if a != toks[i]])
    return _join(toks)


def insert_article(rng: random.Random, sentence: str) -> str:
    """Insert a spurious 'the' or 'a' before a lower-case word that follows a preposition."""
    toks = _split(sentence)
    cands = [
        k + 1
        for k, t in enumerate(toks[:-1])
        if t in PREPOSITIONS and _is_plain(toks[k + 1]) and toks[k + 1] not in ARTICLES
    ]
    i = _pick(rng, cands)
    if i is None:
        return sentence
    toks.insert(i, rng.choice(["the", "the", "a"]))
    return _join(toks)


def wrong_preposition(rng: random.Random, sentence: str) -> str:
    """Replace one preposition with a different one."""
    toks = _split(sentence)
    i = _pick(rng, [k for k, t in enumerate(toks) if t in PREPOSITIONS])
    if i is None:
        return sentence
    toks[i] = rng.choice([p for p in PREPOSITIONS[:10] if p != toks[i]])
    return _join(toks)


def drop_preposition(rng: random.Random, sentence: str) -> str:
    """Remove one preposition that is followed by another word."""
    toks = _split(sentence)
    i = _pick(rng, [k for k, t in enumerate(toks) if t in PREPOSITIONS and 0 < k < len(toks) - 1])
    if i is None:
        return sentence
    del toks[i]
    return _join(toks)


def double_word(rng: random.Random, sentence: str) -> str:
    """Repeat one word without digits or punctuation ("the the")."""
    toks = _split(sentence)
    i = _pick(rng, [k for k, t in enumerate(toks) if t.isalpha()])
    if i is None:
        return sentence
    toks.insert(i, toks[i])
    return _join(toks)


def double_phrase(rng: random.Random, sentence: str) -> str:
    """Repeat a run of 2-3 plain words ("in the in the")."""
    toks = _split(sentence)
    n = rng.choice([2, 3])
    starts = [k for k in range(len(toks) - n + 1) if all(t.isalpha() for t in toks[k : k + n])]
    i = _pick(rng, starts)
    if i is None:
        return sentence
    toks[i + n : i + n] = toks[i : i + n]
    return _join(toks)


def swap_neighbours(rng: random.Random, sentence: str) -> str:
    """Swap two adjacent plain lower-case words."""
    toks = _split(sentence)
    starts = [
        k for k in range(len(toks) - 1) if _is_plain(toks[k]) and _is_plain(toks[k + 1]) and toks[k] != toks[k + 1]
    ]
    i = _pick(rng, starts)
    if i is None:
        return sentence
    toks[i], toks[i + 1] = toks[i + 1], toks[i]
    return _join(toks)


def agreement_error(rng: random.Random, sentence: str) -> str:
    """Break subject-verb agreement: is/are, was/were, has/have, or the 3rd-person -s."""
    toks = _split(sentence)
    cands: list[tuple[int, str]] = [(k, AGREEMENT_SWAPS[t]) for k, t in enumerate(toks) if t in AGREEMENT_SWAPS]
    for k in range(len(toks) - 1):
        subj, verb = toks[k].lower(), toks[k + 1]
        if not _is_plain(verb) or verb in AGREEMENT_SWAPS or len(verb) < 4:
            continue
        if subj in SINGULAR_SUBJECTS and verb.endswith("s") and not verb.endswith("ss"):
            strip = 2 if verb.endswith("es") and verb[-3] in "sxzho" else 1
            cands.append((k + 1, verb[:-strip]))
        elif subj in PLURAL_SUBJECTS and not verb.endswith("s") and not verb.endswith("ed"):
            cands.append((k + 1, verb + "s"))
    if not cands:
        return sentence
    i, new = rng.choice(cands)
    toks[i] = new
    return _join(toks)


def tense_error(rng: random.Random, sentence: str) -> str:
    """Replace a verb with a wrong tense form (went->go, walked->walk, will->would)."""
    toks = _split(sentence)
    cands: list[tuple[int, str]] = []
    for k, t in enumerate(toks):
        if t in TENSE_SWAPS:
            cands.append((k, rng.choice(TENSE_SWAPS[t])))
        elif _is_plain(t) and len(t) > 5 and t.endswith("ed") and not t.endswith("eed"):
            cands.append((k, t[:-1] if t[-3] in "tv" else t[:-2]))
    if not cands:
        return sentence
    i, new = rng.choice(cands)
    toks[i] = new
    return _join(toks)


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR = {c: row[max(0, i - 1) : i] + row[i + 1 : i + 2] for row in _KEYBOARD_ROWS for i, c in enumerate(row)}


def misspell(rng: random.Random, sentence: str) -> str:
    """Misspell one plain word of 4+ letters: drop, double, swap or mistype a letter.

    Learner and OCR-style typos (JFLEG has many); the guard lets the model turn
    an unknown word back into a known one, never one known word into another.
    """
    toks = _split(sentence)
    i = _pick(rng, [k for k, t in enumerate(toks) if _is_plain(t) and len(t) >= 4 and "'" not in t])
    if i is None:
        return sentence
    w = toks[i]
    j = rng.randrange(1, len(w) - 1)  # keep the first letter: typos rarely hit it
    mode = rng.choice(["drop", "double", "swap", "near"])
    if mode == "drop":
        w = w[:j] + w[j + 1 :]
    elif mode == "double":
        w = w[:j] + w[j] + w[j:]
    elif mode == "swap" and w[j] != w[j + 1]:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif _NEAR.get(w[j]):
        w = w[:j] + rng.choice(_NEAR[w[j]]) + w[j + 1 :]
    toks[i] = w
    return _join(toks)


def broken_join(rng: random.Random, sentence: str) -> str:
    """Damage a join between clauses or sentences.

    Picks one internal ". X" or ", " boundary and either drops the space after
    the full stop, turns the full stop into a comma (keeping the capital), drops
    the full stop, or drops a comma.
    """
    stops = [m.start() for m in re.finditer(r"[.!?] (?=[A-Z\"'“‘(])", sentence)]
    commas = [m.start() for m in re.finditer(r", (?=[a-z])", sentence)]
    if stops and (not commas or rng.random() < 0.7):
        i = rng.choice(stops)
        mode = rng.choice(["nospace", "comma", "nostop"])
        if mode == "nospace":
            return sentence[: i + 1] + sentence[i + 2 :]
        if mode == "comma":
            return sentence[:i] + "," + sentence[i + 1 :]
        return sentence[:i] + sentence[i + 1 :]
    if commas:
        i = rng.choice(commas)
        return sentence[:i] + sentence[i + 1 :]
    return sentence


DAMAGES: list[tuple[Callable[[random.Random, str], str], float]] = [
    (drop_article, 3.0),
    (replace_article, 2.0),
    (insert_article, 1.0),
    (wrong_preposition, 2.5),
    (drop_preposition, 1.0),
    (double_word, 1.5),
    (double_phrase, 1.0),
    (swap_neighbours, 1.5),
    (agreement_error, 2.5),
    (tense_error, 2.0),
    (broken_join, 1.0),
    (misspell, 2.0),
]


def damage(rng: random.Random, sentence: str, n_max: int = 3) -> str:
    """Apply 1..n_max random damages (weighted); may return the sentence unchanged."""
    funcs = [f for f, _ in DAMAGES]
    weights = [w for _, w in DAMAGES]
    n = rng.choice([1, 1, 1, 2, 2, 3][: 2 * n_max])
    out = sentence
    for _ in range(n):
        for _attempt in range(4):
            new = rng.choices(funcs, weights)[0](rng, out)
            if new != out:
                out = new
                break
    return out
