"""Build ``mtfix/data/grammar_triggers.json``: the words that make Harper's word-pair rules fire,
found by asking Harper itself about every word of mtfix's lexicon in a fixed frame.

The grammar stage sends a sentence to Harper only when a cheap pre-check says one of its rules may
fire there. For the rules that look at a word after a determiner, a pronoun or 'more' (MassNouns,
PronounVerbAgreement, AdjectiveDoubleDegree), at single words (DiscourseMarkers, OpenCompounds,
RegularIrregulars) and for AnA's exceptions to the first-letter rule, a regex on suffixes fires on
most news sentences ('many years', 'a house'); these lists fire where Harper would. OpenCompounds
also mends a few run-together phrases no dictionary has ('infact', 'alot', 'eachother'): those Harper
knows are found among every pair of the commonest words written together (``closed_compounds``), so
a word the spell checker flags reaches the sentence linter only when it is one of them (or a
regularised inflection). Rebuild after upgrading harper-py::

    python -m mtfix.train.triggers          # about two minutes
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mtfix.lexicon import known_words

OUT = Path(__file__).resolve().parents[1] / "data" / "grammar_triggers.json"

#: list name -> (Harper rule, frame the word is put in, which lexicon words to try)
FRAMES: dict[str, tuple[str, str, str]] = {
    "mass_plural": ("MassNouns", "There are many {} here.", "s"),
    "mass": ("MassNouns", "I have a {} here.", ""),
    # MassNouns is silent where a noun follows the mass noun ('a traffic accident', 'a gold medal'):
    # the words after which it fires (the same for any mass noun; the rest of the lexicon silences it)
    "mass_fires_before": ("MassNouns", "We saw a gold {} today.", ""),
    "mass_pluralised": ("MassNouns", "We sold the {}s.", ""),  # 'informations', 'knowledges'
    "mass_pluralised_es": ("MassNouns", "We sold the {}es.", "h"),  # 'researches'
    "double_degree": ("AdjectiveDoubleDegree", "It is more {} now.", ""),
    "irregular": ("RegularIrregulars", "They {} it.", ""),
    "third_wrong": ("PronounVerbAgreement", "He {} it.", ""),
    "other_wrong": ("PronounVerbAgreement", "They {} it.", ""),
    "markers": ("DiscourseMarkers", "{} the plan works.", ""),
    "compounds": ("OpenCompounds", "We saw {} today.", ""),
    # AnA goes by the first letter but for these: consonant-initial words that want 'an' ('hour'),
    # vowel-initial words that want 'a' ('university', 'one').
    "an_consonant": ("AnA", "This is a {} thing.", "consonant"),
    "a_vowel": ("AnA", "This is an {} thing.", "vowel"),
}


def one_rule(rule: str, dialect: Any = None) -> Any:
    """A Harper linter with only ``rule`` on (American English unless ``dialect``)."""
    import harper

    linter = harper.Linter(harper.Dialect.AMERICAN if dialect is None else dialect)
    config = dict.fromkeys(linter.get_default_lint_config(), False)
    config[rule] = True
    linter.set_lint_config(config)
    return linter


def probe(words: list[str]) -> dict[str, list[str]]:
    """For every list of :data:`FRAMES`, the words of ``words`` on which Harper's rule fires."""
    from mtfix.grammar import quiet

    out: dict[str, list[str]] = {}
    for name, (rule, frame, which) in FRAMES.items():
        linter = one_rule(rule)
        if which == "consonant":
            tried = [w for w in words if w[0] not in "aeiou"]
        elif which == "vowel":
            tried = [w for w in words if w[0] in "aeiou"]
        else:  # words ending so ('' for all)
            tried = [w for w in words if w.endswith(which)]
        with quiet():
            out[name] = sorted(w for w in tried if linter.lint(frame.format(w), language="plaintext"))
    return out


#: How many of the commonest words (wordfreq) are paired for ``closed_compounds``: Harper's list of
#: closed forms is phrases of function words ('in fact', 'a lot', 'at least', 'each other').
COMPOUND_WORDS = 600


def closed_compounds(lexicon: frozenset[str] | set[str]) -> list[str]:
    """Two of the commonest words written as one, outside ``lexicon``, that Harper's OpenCompounds
    splits ('infact' -> 'in fact')."""
    from wordfreq import top_n_list

    from mtfix.grammar import quiet

    top = [w for w in top_n_list("en", 5 * COMPOUND_WORDS) if w.isascii() and w.isalpha()][:COMPOUND_WORDS]
    tried = sorted({a + b for a in top for b in top if a + b not in lexicon})
    linter = one_rule("OpenCompounds")
    found: set[str] = set()
    for i in range(0, len(tried), 200):  # many sentences a call: a call costs more than a sentence
        text = "\n\n".join(f"We saw {w} today." for w in tried[i : i + 200])
        with quiet():
            lints = linter.lint(text, language="plaintext")
        found.update(text[lint.span.start : lint.span.end].lower() for lint in lints)
    return sorted(found & set(tried))


def write(out: Path = OUT) -> dict[str, int]:
    """Probe Harper over the lexicon and write the lists; returns their sizes."""
    from importlib.metadata import version

    words = sorted(w for w in known_words() if w.isascii() and w.isalpha() and w.islower())
    lists = probe(words)
    lists["closed_compounds"] = closed_compounds(known_words())
    data = {"harper-py": version("harper-py"), **lists}
    out.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return {k: len(v) for k, v in lists.items()}


if __name__ == "__main__":
    print(write())
