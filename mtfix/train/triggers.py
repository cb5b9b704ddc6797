"""Build ``mtfix/data/grammar_triggers.json``: the words that make Harper's word-pair rules fire,
found by asking Harper itself about every word of mtfix's lexicon in a fixed frame.

The grammar stage sends a sentence to Harper only when a cheap pre-check says one of its rules may
fire there. For the rules that look at a word after a determiner, a pronoun or 'more' (MassNouns,
PronounVerbAgreement, AdjectiveDoubleDegree), at single words (DiscourseMarkers, OpenCompounds,
RegularIrregulars) and for AnA's exceptions to the first-letter rule, a regex on suffixes fires on
most news sentences ('many years', 'a house'); these lists fire where Harper would. Rebuild after upgrading harper-py::

    python -m mtfix.train.triggers          # about a minute
"""

from __future__ import annotations

import json
from pathlib import Path

from mtfix.lexicon import known_words

OUT = Path(__file__).resolve().parents[1] / "data" / "grammar_triggers.json"

#: list name -> (Harper rule, frame the word is put in, which lexicon words to try)
FRAMES: dict[str, tuple[str, str, str]] = {
    "mass_plural": ("MassNouns", "There are many {} here.", "s"),
    "mass": ("MassNouns", "I have a {} here.", ""),
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


def probe(words: list[str]) -> dict[str, list[str]]:
    """For every list of :data:`FRAMES`, the words of ``words`` on which Harper's rule fires."""
    import harper

    from mtfix.grammar import quiet

    out: dict[str, list[str]] = {}
    for name, (rule, frame, which) in FRAMES.items():
        linter = harper.Linter(harper.Dialect.AMERICAN)
        config = dict.fromkeys(linter.get_default_lint_config(), False)
        config[rule] = True
        linter.set_lint_config(config)
        if which == "consonant":
            tried = [w for w in words if w[0] not in "aeiou"]
        elif which == "vowel":
            tried = [w for w in words if w[0] in "aeiou"]
        else:  # words ending so ('' for all)
            tried = [w for w in words if w.endswith(which)]
        with quiet():
            out[name] = sorted(w for w in tried if linter.lint(frame.format(w), language="plaintext"))
    return out


def write(out: Path = OUT) -> dict[str, int]:
    """Probe Harper over the lexicon and write the lists; returns their sizes."""
    from importlib.metadata import version

    words = sorted(w for w in known_words() if w.isascii() and w.isalpha() and w.islower())
    lists = probe(words)
    data = {"harper-py": version("harper-py"), **lists}
    out.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return {k: len(v) for k, v in lists.items()}


if __name__ == "__main__":
    print(write())
