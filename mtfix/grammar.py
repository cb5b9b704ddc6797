"""The grammar stage: Harper proposes, mtfix judges.

Harper (``harper-py``, the offline Rust grammar checker) lints the sentences a cheap pre-check
selects, with only the rules that earned their place (:data:`RULES`, chosen from per-rule precision
on learner text and MT post-edits against the false alarms on clean human text:
``benchmarks/results/harper_rules.md``). mtfix then judges every suggestion:

- never a name or a term: a lint on a word with a capital letter, a word known to mtfix's lexicon or
  the user's dictionary, a word that recurs in its line, or anything in a protected span (URL, e-mail,
  code, placeholder) is dropped;
- a spelling fix must stay a single lower-case word a typo or two away, and be a known word; a word
  English text uses once in a million words (``COMMON_ZIPF``) is left unless its fix is a thousandfold
  commoner ('unix', 'dans' stay; 'teh' goes); a capitalised first word is judged in lower case
  ('Beacuse'), but never alone; an unknown lower-case neighbour marks a foreign phrase unless one of
  the two is a self-evident misspelling ('ther lifestile');
- a sentence that starts with a known lower-case word gets its capital (``casing.sentence``), only
  beside other evidence ('brown eyes' alone is a fragment) and never on a name's particle ('de');
- the pipeline's guard (:mod:`mtfix.guard`) checks each edit in its sentence: names, numbers and
  quotations survive, content words only change form or lose a misspelling;
- evidence (``Config.mode``): in the standard mode a lone grammar edit on a line that nothing else
  repaired is withheld as a ``grammar.withheld`` flag (the detector does not stand in for the missing
  evidence here: it finds clean sentences with a rare word garbled too); strict withholds every lone
  one, thorough none;
- with a model that can score, the model arbitrates (``arbitrate``): it picks among Harper's
  suggestions the one it finds most likely in context, and vetoes an edit that makes the sentence
  less likely than it was.

Harper's native library prints debug lines on some text: every call runs with the process's
standard output and error redirected to ``/dev/null`` (:func:`quiet`). A Harper failure on a line
leaves that line to the other stages and becomes a ``grammar.failed`` flag; it never stops a run.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from mtfix._quiet import quiet
from mtfix.changes import Edit, Flag
from mtfix.guard import shared_ends, typo_distance
from mtfix.lexicon import VERB_PARTS, known_words, lemmas
from mtfix.pipeline import Document, Finding, GuardPolicy, Proposal, Resources, register
from mtfix.scanning import first_letter, line_offsets
from mtfix.segment import protected_spans, sentences

#: The Harper rules the stage runs: rule -> (mtfix kind, confidence, needs evidence). Chosen from
#: ``benchmarks/results/harper_rules.md`` by one rule: decided precision at least 0.8 on learner text
#: (JFLEG dev, at least 3 decided lints), not contradicted by MT post-edits (MLQE-PE train: below 0.5
#: on 10 or more decided lints), and at most 10 lints per 1,000 clean human reference segments (WMT21)
#: on lower-case text. A rule that fires more than once per 1,000 reference segments is one human
#: writers trigger too: its lone edits need evidence (``Config.mode``). The spell checker runs on
#: lower-case words only, under mtfix's judgement (its raw reference rate is that of names). The
#: confidence is the rule's JFLEG precision, rounded down. A rule not listed never runs; rules mtfix's
#: own fixers cover (RepeatedWords) are left to them. One exception, RegularIrregulars (2 decided
#: lints, both right): its suggestions are dictionary forms ('bursted' -> 'burst') and its reference lints
#: are slips. ModalBeAdjective (1 decided lint) is out: on the references it adds a 'be' to good English
#: ('will first visit' -> 'will be first visit').
RULES: dict[str, tuple[str, float, bool]] = {
    "SpellCheck": ("spelling.typo", 0.75, True),
    "CapitalizePersonalPronouns": ("casing.pronoun", 0.95, False),
    "MassNouns": ("grammar.mass-noun", 0.85, True),
    "AnA": ("grammar.article", 0.95, True),
    "AvoidAndAlso": ("words.redundant", 0.95, True),
    # The comma after an opening 'Thus' or 'However' is a matter of style: never alone.
    "DiscourseMarkers": ("punctuation.comma", 0.95, True),
    "PronounVerbAgreement": ("grammar.agreement", 0.8, False),
    "RegularIrregulars": ("grammar.inflection", 0.95, False),
    "AdjectiveDoubleDegree": ("grammar.comparison", 0.95, False),
    "MoreBetter": ("grammar.comparison", 0.95, False),
    "OpenCompounds": ("spelling.compound", 0.95, False),
    "ThereToTheir": ("words.choice", 0.95, False),
}

#: The cheap pre-check of the rules other than the spell checker (:func:`_triggered`): a sentence in
#: which no word pair or word could make one of them fire (and with no lower-case word that mtfix's
#: lexicon lacks) never reaches Harper, which is what keeps a corpus pass cheap. One scan of the
#: sentence's words; the word-pair rules look their words up in ``mtfix/data/grammar_triggers.json``,
#: lists made by asking Harper about every word of the lexicon (:mod:`mtfix.train.triggers`).
_MARKERS = frozenset("however therefore moreover furthermore thus hence".split())  # DiscourseMarkers, no comma
_THIRD = frozenset("he she it".split())  # PronounVerbAgreement
_THIRD_WRONG = frozenset("have do go are were say make take come want need like know think get live work".split())
_OTHER = frozenset("i you we they".split())
_OTHER_WRONG = frozenset("has does goes is was says makes wants needs likes knows thinks gets".split())
_THERE_OK = frozenset(
    "is are was were will would has have had may might can could must should seem seems be been".split()
)  # ThereToTheir fires on 'there' + anything else
_QUANTIFIERS = frozenset("a an many several few these those each every another".split())  # MassNouns
_IRREGULAR = re.compile(r"[b-df-hj-np-tv-z]ys")  # RegularIrregulars ('flys'; 'childs', 'mans' below)
_HEADS = _QUANTIFIERS | _THIRD | _OTHER | {"there", "more", "most", "and", "for", "other"}
_STRIP = "\"'“”‘’()[]{}.;:!?"
_MARKS = _STRIP + ","
_S = re.escape(_MARKS)
# a word that is 'i' once stripped of quotes, brackets and commas, or starts "i'" / "i’" (split() splits at \s)
_PRONOUN_TRIGGER = re.compile(rf"(?<!\S)(?:[{_S}]*i[{_S}]*(?!\S)|i['’])")
_IRREGULAR_PLURAL = re.compile(rf"(?<!\S)[{_S}]*(?i:childs|mans|womans)")  # a word that starts so


@lru_cache(maxsize=1)
def _trigger_words() -> dict[str, frozenset[str]]:
    """The word lists of ``mtfix/data/grammar_triggers.json`` (built by :mod:`mtfix.train.triggers`)."""
    data = json.loads((Path(__file__).resolve().parent / "data" / "grammar_triggers.json").read_text("utf-8"))
    lists = {k: frozenset(v) for k, v in data.items() if isinstance(v, list)}
    lists["any_mass"] = lists["mass"] | lists["mass_plural"]
    words = frozenset(w for w in known_words() if w.isascii() and w.isalpha() and w.islower())
    lists["mass_silenced_by"] = words - lists["mass_fires_before"]  # the words probed, less those it fires before
    lists["markers"] |= _MARKERS
    lists["third_wrong"] |= _THIRD_WRONG
    lists["other_wrong"] |= _OTHER_WRONG
    return lists


@lru_cache(maxsize=1)
def _speller_table() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """``mtfix/data/speller_words.txt.gz`` (built by :mod:`mtfix.train.speller_words`): the words every
    dialect's spell checker accepts, and those only some accept -> which."""
    import gzip

    every: list[str] = []
    some: dict[str, frozenset[str]] = {}
    with gzip.open(Path(__file__).resolve().parent / "data" / "speller_words.txt.gz", "rt", encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if not line or line.startswith("#"):
                continue
            word, _, dialects = line.partition("\t")
            if dialects:
                some[word] = frozenset(dialects.split())
            else:
                every.append(word)
    return frozenset(every), some


@lru_cache(maxsize=8)
def speller_words(dialect: str | None = None) -> frozenset[str]:
    """English words mtfix's lexicon lacks that Harper's spell checker accepts in every dialect, or with
    ``dialect``, in that one: never asked about."""
    every, some = _speller_table()
    return every if dialect is None else every | {w for w, ds in some.items() if dialect in ds}


def _triggered(text: str) -> bool:
    """Whether a word or word pair of ``text`` is one that a rule other than the spell checker may fire
    on (over-inclusive: it only decides what Harper is asked). Set operations where they decide: this
    runs on every line of a corpus."""
    raw = text.split()
    if not raw:
        return False
    lists = _trigger_words()
    words = [t.strip(_MARKS).lower() for t in raw]  # 'if he want, he can': the comma is no part of it
    present = set(words)
    # CapitalizePersonalPronouns: 'i' alone, "i'm" (a substring test first: the scan is rarely needed)
    if ("i" in present or "i'" in text or "i’" in text) and _PRONOUN_TRIGGER.search(text):
        return True
    if words[0] in lists["markers"] and not raw[0].endswith(","):  # DiscourseMarkers: an opening marker
        return True
    if not present.isdisjoint(lists["compounds"]) or not present.isdisjoint(lists["irregular"]):
        return True  # OpenCompounds; RegularIrregulars
    low = text.lower()
    if ("mans" in low or "childs" in low) and _IRREGULAR_PLURAL.search(text):  # 'childs', 'mans', 'womans'
        return True
    plural, plural_es = lists["mass_pluralised"], lists["mass_pluralised_es"]
    for word in present:  # RegularIrregulars ('flys'); MassNouns on a plural mass noun ('informations')
        if word.endswith("s") and (
            _IRREGULAR.fullmatch(word[-3:])
            or (word[:-1] in plural and not word.endswith("ings"))
            or (word.endswith("es") and word[:-2] in plural_es)
        ):
            return True
    if not present & _HEADS:
        return False
    for i in range(len(words) - 1):
        word = words[i]
        if word not in _HEADS or raw[i].endswith(","):
            continue
        after = words[i + 1]
        if not after.isalpha() or not after.isascii():
            continue
        if word == "there":
            fires = after not in _THERE_OK
        elif word == "a":
            fires = (after[0] in "aeiou" and after not in lists["a_vowel"]) or after in lists["an_consonant"]
        elif word == "an":
            fires = (after[0] not in "aeiou" and after not in lists["an_consonant"]) or after in lists["a_vowel"]
        elif word in ("more", "most"):
            fires = after in lists["double_degree"]
        elif word in _THIRD:
            fires = after in lists["third_wrong"]
        elif word in _OTHER:
            fires = after in lists["other_wrong"] and not (word == "i" and after == "was")
        elif word == "and":
            fires = after == "also"  # AvoidAndAlso
        elif word == "for":
            fires = after in ("example", "instance") and not raw[i + 1].endswith(",")
        elif word == "other":
            fires = after == "hand" and words[i - 2 : i] == ["on", "the"] and not raw[i + 1].endswith(",")
        else:
            fires = False
        if fires or (word in _QUANTIFIERS and _mass_noun_fires(raw, words, i + 1, lists)):
            return True
    return False


def _mass_noun_fires(raw: list[str], words: list[str], k: int, lists: dict[str, frozenset[str]]) -> bool:
    """Whether MassNouns may fire on the mass noun at word ``k``, after a quantifier: never on a
    participle ('a moving speech': Harper is silent there), nor before a lexicon word it takes for a
    noun ('a traffic accident'); a mark glued to either word leaves it undecided (it may fire)."""
    if words[k] not in lists["any_mass"] or words[k].endswith("ing"):
        return False
    noun_follows = k + 1 < len(words) and raw[k].isalpha() and raw[k + 1][:1].islower()
    return not (noun_follows and words[k + 1] in lists["mass_silenced_by"])


_NEEDS_EVIDENCE = frozenset(kind for kind, _, evidence in RULES.values() if evidence) | {"casing.sentence"}
_ANY_WORD = re.compile(r"[^\W\d_]+")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]{3,}(?![\w'’-])")
# a sentence's lower-case first word, not followed by a capitalised one ('de Gaulle')
_LOWER_START = re.compile(r"([a-z]+)[,;:]?(?=\s+(?![A-Z])\S)")
_GOES_ON = frozenset("and or but nor".split())  # a segment that starts with one continues another
_FIRST_WORD = re.compile(r"[A-Z][a-z]{2,}(?![\w'’-])")  # a sentence's capitalised first word
# the capitalised first word of each sentence of a line (where mtfix.segment.sentences starts one)
_OPENING = re.compile(r"(?:^\s*|[.!?。！？][\"'”’)\]]*\s+)([A-Z][a-z]{2,})(?![\w'’-])")
# Placeholders of localisation formats ({0}, %s, %1$d, <b>, &amp;, $var): never linted.
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}|%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[sdifxXeEgGcrpu@]|</?\w[^<>]*>|&\w+;|\$\w+")
DIALECTS = ("american", "british", "australian", "canadian", "indian")


@dataclass(frozen=True)
class GrammarOptions:
    """Options of the grammar stage (``grammar``, ``dialect``, ``dictionary``, ``mode`` and
    ``confirm_threshold`` are the fields of the same names on :class:`mtfix.Config`)."""

    grammar: bool = field(
        default=True, metadata={"flag": "--no-grammar", "help": "skip the grammar stage (Harper's proposals)"}
    )
    dialect: str = field(
        default="american", metadata={"flag": "--dialect", "help": "Harper's English: " + ", ".join(DIALECTS)}
    )
    dictionary: frozenset[str] = frozenset()
    mode: str = "standard"
    confirm_threshold: float = 0.5
    # The model picks among Harper's suggestions and vetoes those it finds less likely. Off by default:
    # the shipped model does not arbitrate better than Harper's first choice (README, Results).
    arbitrate: bool = False
    rules: tuple[str, ...] = tuple(RULES)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dictionary", frozenset(self.dictionary))
        if self.dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {self.dialect!r}; known: {', '.join(DIALECTS)}")
        unknown = set(self.rules) - set(RULES)
        if unknown:
            raise ValueError(f"Harper rule(s) {sorted(unknown)} are not among those mtfix judges: {sorted(RULES)}")


@register("grammar", options=GrammarOptions, order=30, toggle=False)
def _grammar_stage(options: GrammarOptions, resources: Resources) -> GrammarStage | None:
    """Harper proposes grammar and spelling fixes, mtfix judges them (guarded)."""
    if not options.grammar:
        return None
    return GrammarStage(options, resources.detector)


class GrammarStage:
    """Lint the sentences a cheap pre-check selects with Harper; propose the suggestions that pass
    mtfix's judgement, as replacements the pipeline's guard checks in their sentence."""

    name = "grammar"
    source = "grammar"

    def __init__(self, options: GrammarOptions, detector: Any = None) -> None:
        self.options = options
        self.detector = detector
        # Harper's verdicts are checked against the sentence: a spelling fix changes a content word
        # only into the known word a typo or two away (guard._respells).
        self.guard = GuardPolicy(
            min_confidence=0.0,
            max_edit_ratio=0.5,
            rejected_kind="grammar.rejected",
            whole=False,
            mode=options.mode,
            confirm_threshold=options.confirm_threshold,
            # a typo the frequency list all but rules out carries its own evidence (_spelling_choice)
            typo=lambda e: (
                e.kind in _NEEDS_EVIDENCE and not (e.kind == "spelling.typo" and e.confidence >= SELF_EVIDENT)
            ),
            # The detector is no second opinion here: it finds clean sentences with a rare word garbled
            # too (with it, the default changed 117 of 10,950 WMT21 references, against 28 + 29 for the
            # grammar stage and the model alone; benchmarks/results/grammar.md).
            confirm=False,
        )
        self.known = known_words() | {w.lower() for w in options.dictionary}
        # words Harper knows besides: the spell checker would not lint them, so they are never asked about
        self.spelled = speller_words(options.dialect)
        self._linter: Any = None
        # the last line's word counts (lower-cased), and the words it writes with a capital
        self._words_of_line: tuple[str, int, int, Counter[str], frozenset[str]] | None = None
        self._others: list[Any] | None = None  # spell checkers of the other dialects, made when needed
        self._speller: Any = None  # the spell checker alone, asked about single words (_lookup)
        # which of Harper's two paths the configured rules use: the speller, the sentence linter
        self._spells = "SpellCheck" in options.rules
        self._lints = any(r != "SpellCheck" for r in options.rules)
        self._variants: dict[str, bool] = {}  # word -> another dialect's spelling
        self._harper_words: dict[str, _Spelled | None] = {}  # word -> Harper's spelling lint of it, None: known
        #: Counters for a report: sentences linted, lints seen, proposed, withheld, failures.
        self.stats = {"linted": 0, "lints": 0, "proposed": 0, "vetoed": 0, "failed": 0}

    @property
    def linter(self) -> Any:
        """The Harper linter, made on first use (about a second); assignable, e.g. a stand-in in tests."""
        if self._linter is None:
            self._linter = _make_linter(self.options)
        return self._linter

    @linter.setter
    def linter(self, linter: Any) -> None:
        self._linter = linter

    def load(self) -> None:
        """Build Harper's linters and read the word frequencies now rather than on first use (about
        two seconds)."""
        from wordfreq import zipf_frequency

        zipf_frequency("the", "en")
        with quiet():
            self.linter.lint("The plan works.", language="plaintext")
            self.speller.lint("qzxv", language="plaintext")  # its first unknown word builds an index

    @property
    def speller(self) -> Any:
        """Harper's spell checker alone (asked about single words), made on first use; assignable."""
        if self._speller is None:
            self._speller = _make_linter(self.options, spell_only=True)
        return self._speller

    @speller.setter
    def speller(self, speller: Any) -> None:
        self._speller = speller

    def quiet(self, text: str) -> bool:
        """Whether no line of ``text`` has a word Harper would be asked about (:meth:`propose` lints only
        the sentences of such lines): the per-call fast path of the default pipeline."""
        for line in text.split("\n") if "\n" in text else (text,):
            if line and (self._unknown_word(line) or (self._lints and _triggered(line))):
                return False
        return True

    def propose(self, doc: Document) -> Proposal:
        text = doc.text
        foreign = [(f.start, f.end) for f in doc.findings("untranslated")]
        lines = text.split("\n")
        offsets = line_offsets(lines)
        candidates: list[tuple[int, str, bool]] = []  # (offset, sentence, triggered) to lint
        triggered: dict[str, bool] = {}  # a one-sentence line is checked once, not as line and sentence

        def trigger(part: str) -> bool:
            if part not in triggered:
                triggered[part] = self._lints and _triggered(part)
            return triggered[part]

        # a capitalised first word may be a name: never changed alone, in any mode, so asked about only
        # in a sentence looked at anyway or on a line an earlier stage repaired (its evidence)
        repaired = {bisect.bisect_right(offsets, a) - 1 for a, _ in doc.change_spans()}
        for n, line in enumerate(lines):
            openings = n in repaired
            if not line or not (self._unknown_word(line, openings) or trigger(line)):
                continue
            for s in sentences(line):
                start = offsets[n] + s.start
                if (self._unknown_word(s.text, openings) or trigger(s.text)) and not any(
                    a < start + len(s.text) and start < b for a, b in foreign
                ):
                    candidates.append((start, s.text, trigger(s.text)))
        if not candidates:
            return Proposal()
        if self._spells:
            # the lower-case words, and a capitalised first word in lower case (_misspellings asks both)
            first = (m.group().lower() for _, sentence, _ in candidates if (m := _FIRST_WORD.match(sentence)))
            self._prefetch(itertools.chain(first, (w for _, s, _ in candidates for w in _LOWER_WORD.findall(s))))
        edits: list[Edit] = []
        flags: list[Flag] = []
        # a source that opens in lower case makes the segment a fragment: its start keeps its case
        fragment = doc.source is not None and first_letter(doc.source).islower()
        with quiet():
            for start, sentence, fires in candidates:
                try:
                    found: dict[str, list[Any]] = {}
                    spelling = self._misspellings(sentence) if self._spells else []
                    # A word Harper does not know may be the other rules' business too: an inflection
                    # ('choosed', 'childs', 'knowledges') or two words run together ('infact').
                    if self._lints and (
                        any(self._inflected(sentence[w.span.start : w.span.end].lower()) for w in spelling) or fires
                    ):
                        found = dict(self.linter.organized_lints(sentence, language="plaintext"))
                        self.stats["linted"] += 1
                    found["SpellCheck"] = spelling
                except Exception as e:  # a Harper failure leaves the sentence to the other stages
                    self.stats["failed"] += 1
                    flags.append(Flag(start, start + len(sentence), "grammar.failed", f"Harper failed: {e}", 0.0))
                    continue
                edits += self._judge(text, start, sentence, found)
                if not (fragment and not text[:start].strip()):
                    edits += self._capitalise(start, sentence)
        edits = _disjoint(edits)
        findings = [Finding(e.start, e.end, "grammar", e.confidence) for e in edits]
        self.stats["proposed"] += len(edits)
        return Proposal(edits, flags, findings)

    def _capitalise(self, start: int, sentence: str) -> list[Edit]:
        """A sentence that starts with a known lower-case word gets a capital, as Harper's
        SentenceCapitalization would say, but never alone (a lower-case start is a learner's slip where
        other slips stand beside it, and a list item or a fragment elsewhere: 'brown eyes'), never on a
        particle of a name ('de Havilland', 'van Gogh'), and only in a sentence the stage looked at
        anyway (the pre-check does not send lower-case starts to it)."""
        m = _LOWER_START.match(sentence)
        word = "" if m is None else m.group(1)
        # _GOES_ON: 'and causes a great many diseases' is the rest of a sentence split in two
        if word not in self.known or word in _GOES_ON or any(x.start == 0 for x in protected_spans(sentence)):
            return []
        message = f"Sentence start: {word!r} → {word.capitalize()!r} (a sentence starts with a capital letter)."
        return [Edit(start, start + 1, sentence[0].upper(), "casing.sentence", message, RULES["SpellCheck"][1])]

    def _unknown_word(self, text: str, openings: bool = False) -> bool:
        """The pre-check, with a trigger of one of the other rules (:func:`_triggered`): a lower-case word
        that mtfix's lexicon, the user's dictionary and the words Harper knows (:func:`speller_words`)
        lack (Harper is asked about it, :meth:`_misspellings`); with ``openings``, or a sentence's
        capitalised first word, in lower case."""
        if not self._spells:
            return False
        words = _LOWER_WORD.findall(text)
        if openings:
            words += [w.lower() for w in _OPENING.findall(text)]
        return bool(words) and not self.spelled.issuperset(set(words).difference(self.known))

    def _misspellings(self, sentence: str) -> list[_WordLint]:
        """Harper's spelling lints of the lower-case words of ``sentence`` (from the per-word cache),
        placed in the sentence. A word the judge would refuse whatever Harper said (one that recurs in
        the sentence, or whose neighbours say it is part of a name or a foreign phrase) is not asked about."""
        out = []
        found = _LOWER_WORD.findall(sentence)
        for m in _LOWER_WORD.finditer(sentence):
            word = m.group()
            if word in self.known or word in self.spelled or found.count(word) > 1:
                continue
            if self._foreign_context(sentence, m.start(), m.end()):
                continue
            lint = self._lookup(word)
            if lint is not None:
                out.append(_WordLint(_Span(m.start(), m.end()), lint.suggestions, lint.message))
        # The first word is capitalised because it comes first ('Beacuse', 'Therfore'): asked about in
        # lower case, and judged as a lower-case word (a name at the start stays: no known word is a typo
        # from it, or it recurs, or the frequency list knows it).
        first = _FIRST_WORD.match(sentence)
        if first is not None and (word := first.group().lower()) not in self.known and word not in found:
            lint = self._lookup(word)
            if lint is not None:
                out.insert(0, _WordLint(_Span(0, first.end()), lint.suggestions, lint.message, capital=True))
        return out

    def _inflected(self, word: str) -> bool:
        """Whether an unknown word may be a wrong inflection, or one of the run-together phrases Harper
        splits ('infact', 'alot': ``closed_compounds`` of ``mtfix/data/grammar_triggers.json``). Any two
        known words run together ('matchday') sent news sentences to the linter for nothing."""
        known = self.known
        stems = (word[:-1], word[:-2]) if word.endswith(("s", "d")) else ()  # 'childs', 'choosed', 'bursted'
        if any(stem in known for stem in stems) or (word.endswith("ed") and word[:-2] + "e" in known):
            return True
        return word in _trigger_words()["closed_compounds"]

    def _derived(self, word: str, fix: str) -> bool:
        """Whether ``word`` is built from a word English uses and a common affix, and ``fix`` makes it
        another word ('deinking' from 'inking' into 'drinking', 'inhabitance' from 'inhabit' into
        'inheritance', 'compensator' into 'compensate'): a derivation the dictionary lacks, left alone. A
        fix that keeps the derivation, a typo away in its stem or its affix ('arguement' → 'argument',
        'differance' → 'difference', 'valueable' → 'valuable'), is a learner's slip mended. Only stems
        of five letters or more count ('untill' is no 'un-' and 'till'; four after a long prefix:
        'underride'), and only derivational affixes (a wrong inflection, 'thinked' or 'childs', is a
        slip). A known stem after a prefix is no misspelling: the fix may mend only the seam
        ('comission' → 'commission')."""
        word, fix = word.lower(), fix.lower()

        def known(stem: str, shortest: int = 5) -> bool:
            return len(stem) >= shortest and (stem in self.known or _zipf(stem) >= _STEM_ZIPF)

        derived = kept = False
        for prefix in _PREFIXES:  # after a long prefix a stem of four letters counts ('underride')
            if word.startswith(prefix) and known(stem := word[len(prefix) :], 4 if len(prefix) > 3 else 5):
                derived = True  # a known prefix on a known stem is a word ('underride', 'deinking'),
                # unless the fix keeps the stem and only a letter at the seam differs ('comission',
                # 'overrall'): the stem is no misspelling, so it may not change
                head = fix[: -len(stem)] if fix.endswith(stem) else ""
                kept |= bool(head) and (head.startswith(prefix) or prefix.startswith(head)) and head != prefix
        for suffix, family in _SUFFIXES.items():
            if not word.endswith(suffix):
                continue
            base = word[: -len(suffix)]
            for stem in {base, base + "e", base[:-1] + "y" if base.endswith("i") else base}:
                if known(stem):
                    derived = True
                    kept |= any(fix.endswith(f) and typo_distance(stem, fix[: -len(f)]) <= 1 for f in family)
        return derived and not kept

    def _lookup(self, word: str) -> Any:
        """Harper's spelling lint of ``word`` alone, or None where mtfix's lexicon, the user's
        dictionary or Harper's dictionary knows it (another dialect's spelling is the judge's business,
        :meth:`_variant`). Harper is asked once per word
        (its spell checker is context-free): the spell checker never runs on whole sentences, and a
        corpus costs one lookup per distinct unknown word."""
        if word in self.known or word in self.spelled:
            return None
        try:
            return self._harper_words[word]
        except KeyError:
            pass
        with quiet():
            found = self.speller.lint(word, language="plaintext")
        return self._remember(word, found[0] if found else None)

    def _remember(self, word: str, lint: Any) -> _Spelled | None:
        """Keep what the judge reads of a word's lint (not its span: a batch's offsets)."""
        if len(self._harper_words) >= 200_000:  # bounded on any corpus
            self._harper_words.clear()
        spelled = None if lint is None else _Spelled(lint.message, list(lint.suggestions))
        self._harper_words[word] = spelled
        return spelled

    #: Words asked about in one call of the spell checker: its cost is mostly per call (a word alone
    #: 2 ms, in a batch 0.08 ms), and its lints are the same (it is context-free; tested).
    PREFETCH = 256

    def _prefetch(self, words: Iterable[str]) -> None:
        """Ask Harper about the words not yet asked, many at a time, one a paragraph ("\\n\\n" between
        them); a word whose lint does not cover exactly that word is left for :meth:`_lookup` to ask
        alone. A failure leaves them all to it (and so to each sentence's own error handling)."""
        known, spelled, cache = self.known, self.spelled, self._harper_words
        todo = sorted({w for w in words if w not in known and w not in spelled and w not in cache})
        for i in range(0, len(todo), self.PREFETCH):
            chunk = todo[i : i + self.PREFETCH]
            try:
                found = lints_by_word(self.speller, chunk)
            except Exception:  # asked again one by one, where a failure is handled
                return
            for k, word in enumerate(chunk):
                mine = found.get(k, [])
                if all((a, b) == (0, len(word)) for a, b, _ in mine):  # a lint not exactly its: asked alone
                    self._remember(word, mine[0][2] if mine else None)

    def _line_words(self, text: str, start: int) -> tuple[Counter[str], frozenset[str]]:
        """How often each word (lower-cased) occurs in the line of ``start``, and the words (lower-cased)
        it writes with a capital: counted once a line, not once a sentence, which was quadratic on a
        long line (a 400 KB line took 14 s)."""
        cached = self._words_of_line
        if cached is not None and cached[0] is text and cached[1] <= start <= cached[2]:
            return cached[3], cached[4]  # the same line: no looking for its ends again (a rescan per sentence)
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        found = _ANY_WORD.findall(text, line_start, line_end)
        counts = Counter(w.lower() for w in found)
        capitals = frozenset(w.lower() for w in found if w[0].isupper())
        self._words_of_line = (text, line_start, line_end, counts, capitals)
        return counts, capitals

    def _judge(self, text: str, start: int, sentence: str, found: dict[str, list[Any]]) -> list[Edit]:
        """The lints of ``sentence`` (at ``start`` in ``text``) that mtfix accepts, as sentence edits."""
        line_words, capitals = self._line_words(text, start)
        blocked = [(s.start, s.end) for s in protected_spans(sentence)]
        blocked += [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(sentence)]
        out: list[Edit] = []
        picks: list[_Pick] = []
        for rule in self.options.rules:
            for lint in found.get(rule, ()):
                self.stats["lints"] += 1
                a, b = lint.span.start, lint.span.end
                problem = sentence[a:b]
                if any(p < max(b, a + 1) and a < q for p, q in blocked):
                    continue
                token = _token_around(sentence, a, b)
                capital = isinstance(lint, _WordLint) and lint.capital
                if capital:
                    problem, token = problem.lower(), token.lower()
                words_changed = rule != "DiscourseMarkers"  # it only adds a comma after the marker
                if words_changed and any(c.isupper() or c.isdigit() for c in token):
                    continue
                if rule == "CapitalizePersonalPronouns" and (
                    sentence[a - 2 : a].strip() in ("<", "</") or sentence[b : b + 2].strip() == ">"
                ):
                    continue  # '< i >': a tag, tokenised
                if rule == "MassNouns" and token.lower().endswith("ings"):
                    continue  # a gerund's plural is a count noun ('findings', 'earnings', 'buildings')
                if rule == "PronounVerbAgreement" and token.lower() in _PAST_IS_BASE:
                    continue  # 'it beat', 'he put': a past tense, not a missing -s
                if rule == "PronounVerbAgreement" and token.lower() in capitals:
                    continue  # 'Ram or he ram': the verb is a name the line writes with a capital
                if rule == "PronounVerbAgreement" and _next_word(sentence, b) in _FINITE:
                    continue  # 'you guys are', 'we students have': a noun with its pronoun, then the verb
                if rule == "SpellCheck" and (_INNER.search(token) or self._foreign_context(sentence, a, b)):
                    continue  # a name, an acronym, a sentence start, part of a compound: never guessed at
                words = re.findall(r"[^\W\d_]+", problem.lower())
                if any(line_words[w] > 1 for w in words if len(w) > 2 and rule == "SpellCheck"):
                    continue  # a word that recurs is a term, not a slip
                choices = [s for s in lint.suggestions if _usable(rule, problem, s, self.known)]
                confidence = RULES[rule][1]
                if rule == "RegularIrregulars" and choices:
                    choices = _irregular_choice(sentence[:a], problem.lower(), choices)
                if rule == "AnA" and _negative_un(_next_word(sentence, b), problem, self.known):
                    continue  # 'an unidentified': the prefix un- is said with a vowel
                if rule == "SpellCheck" and choices:
                    choices, confidence = _spelling_choice(problem, choices, confidence)
                    if _common(problem, choices[0].replacement_text):
                        continue  # 'unix', 'latex', 'dans': a word English text uses, unless plainly a slip ('teh')
                    if self._derived(problem, choices[0].replacement_text):
                        continue  # 'deinking', 'inhabitance': a derived word the dictionary lacks
                    if self._variant(problem):  # last: off the table, it asks four spell checkers
                        continue  # another dialect's spelling ('organiser', 'centimetres'), not a slip
                    if capital:  # a capitalised word may be a name the checker lacks ('Catry'): never alone
                        confidence = min(confidence, RULES[rule][1])
                variants = list(dict.fromkeys(self._apply(sentence, lint, c) for c in choices))
                variants = [v for v in variants if v != sentence]
                if variants:
                    picks.append(_Pick(rule, lint, variants, confidence))
        if picks and self.options.arbitrate and self.detector is not None and self.detector.model is not None:
            picks = self._arbitrate(sentence, picks)
        for rule, lint, variants, confidence in picks:
            edit = _sentence_edit(start, sentence, variants[0], RULES[rule][0], "", confidence)
            after = edit.after
            before = text[edit.start : edit.end]
            message = f"Harper {rule}: {before!r} → {after!r} ({_stable_message(lint.message).rstrip('.?!')})."
            out.append(edit._replace(message=message))
        return out

    def _apply(self, sentence: str, lint: Any, suggestion: Any) -> str:
        """``sentence`` with ``suggestion`` of ``lint`` applied."""
        if isinstance(lint, _WordLint):  # a replacement of the word (the speller's only kind)
            if suggestion.kind != suggestion.kind.REPLACE:
                return sentence
            fix = suggestion.replacement_text
            fix = fix[:1].upper() + fix[1:] if lint.capital else fix
            return sentence[: lint.span.start] + fix + sentence[lint.span.end :]
        return str(self.linter.apply_suggestion(sentence, lint, suggestion))

    def _foreign_context(self, sentence: str, start: int, end: int) -> bool:
        """Whether a word's neighbours say it is part of a name or a foreign phrase: a neighbour that is
        capitalised inside the sentence, has letters outside ASCII, or is unknown too (a two-letter one
        included: 'au lait', 'du jour'); or a word two away with letters outside ASCII ('café au lait')."""
        # a mark standing alone is no neighbour: the comma glued to the word ('marichi, Angira') leaves
        # one behind when what follows the word is split
        before = [w for w in sentence[:start].split() if w.strip(_MARKS)]
        left = before[-1:]
        after = [w for w in sentence[end:].split() if w.strip(_MARKS)]
        right = after[:1]
        for i, w in enumerate((*left, *right)):
            w = w.strip(_MARKS)
            opens = i == 0 and len(before) == 1  # the left neighbour is the sentence's first word
            if (w[0].isupper() and not opens and not _PRONOUN_I.fullmatch(w)) or not w.isascii():
                return True
            unknown = w.isalpha() and w.islower() and len(w) > 1 and w not in self.known
            if unknown and (len(w) < 3 or not (self._evident(w) or self._evident(sentence[start:end].lower()))):
                return True
        return any(not w.isascii() for w in (*before[-2:-1], *after[1:2]))

    def _evident(self, word: str) -> bool:
        """Whether an unknown lower-case word is a misspelling on its own evidence: its fix is a typo
        away and outnumbers it a thousandfold in English (:func:`_spelling_choice`). Two slips side by
        side ('ther lifestile', 'luxery encorragies') are no foreign phrase when one of them is such a
        misspelling; two unknown words of which neither is ('abundent latex', 'changeup, forkball') may
        be. Harper's per-word cache answers (the sentence's words were asked about first)."""
        if len(word) < 3 or not self._spells:
            return False
        lint = self._lookup(word)
        choices = [] if lint is None else [s for s in lint.suggestions if _usable("SpellCheck", word, s, self.known)]
        return bool(choices) and _spelling_choice(word, choices, 0.0)[1] >= SELF_EVIDENT

    def _variant(self, word: str) -> bool:
        """Whether the linters of the other dialects accept ``word`` (a dialect variant). For a word of the
        frequency list the table of :func:`speller_words` answers (it lists every word of it some dialect
        accepts); the others are asked."""
        dialects = _speller_table()[1].get(word)
        if dialects is not None:
            return bool(dialects - {self.options.dialect})
        if _zipf(word) > 0:
            return False  # the frequency list's word no dialect accepts (mtfix.train.speller_words)
        if self._others is None:
            import harper

            mine = getattr(harper.Dialect, self.options.dialect.upper())
            self._others = [_make_linter(self.options, d) for d in harper.Dialect if d != mine]
        known = self._variants.get(word)
        if known is None:
            known = self._variants[word] = any(not other.lint(word, language="plaintext") for other in self._others)
            if len(self._variants) >= 100_000:
                self._variants.clear()
        return known

    def _arbitrate(self, sentence: str, picks: list[_Pick]) -> list[_Pick]:
        """The model's choice among each lint's suggestions (the variant it finds most likely to copy),
        and none where every variant is less likely than the sentence as it stands."""
        texts = [sentence, *(v for p in picks for v in p.variants)]
        scores = [lp for _, lp in self.detector.garble(texts)]
        base, pos, out = scores[0], 1, []
        for p in picks:
            mine = scores[pos : pos + len(p.variants)]
            pos += len(p.variants)
            best = max(range(len(p.variants)), key=lambda i: mine[i])
            if mine[best] >= base or self.options.arbitrate == "pick":
                out.append(p._replace(variants=[p.variants[best]]))
            else:
                self.stats["vetoed"] += 1
        return out


# Verbs whose past tense is their base form: PronounVerbAgreement cannot tell 'it beat' (past) from a
# missing -s.
_PAST_IS_BASE = frozenset(
    """beat bet bid broadcast burst cast cost cut fit forecast hit hurt let put quit read rid set shed shut
    slit split spread thrust upset wed wet""".split()
)
#: A word the frequency list finds once in a million words of English (Zipf 3) or more often is a word
#: the spell checker does not know ('unix', 'latex'), or a loan ('dans'), unless its fix is a thousandfold
#: more frequent still (a frequent typo such as 'teh' is in the list too).
COMMON_ZIPF = 3.0


def _common(word: str, fix: str) -> bool:
    """Whether ``word`` is in common use and its ``fix`` not a thousandfold more so (``_MARGIN``)."""
    zipf = _zipf(word)
    return zipf >= COMMON_ZIPF and _zipf(fix) - zipf < _MARGIN


_PREFIXES = tuple("anti co counter de dis inter mis multi non out over post pre re semi sub super un under".split())
# derivational suffixes, each with the spellings a learner confuses it with ('-ance' and '-ence')
_FAMILIES = [
    *"ability/ibility ation/ition ization/isation ance/ence ancy/ency able/ible ers/ors er/or ise/ize".split(),
    *"ness ment ism ist ists ity ship hood less ful ous ive".split(),
]
_SUFFIXES = {s: tuple(f.split("/")) for f in _FAMILIES for s in f.split("/")}
_STEM_ZIPF = 2.5  # a stem English text uses about once in three million words


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """``word``'s frequency in English on the Zipf scale (``wordfreq``), cached: the judge asks about
    the same words and their typo neighbours again and again."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


#: The confidence of a spelling fix that carries its own evidence: applied alone on its line.
SELF_EVIDENT = 0.9
_MARGIN = 3.0
_SLIP_MARGIN = 2.0  # for the commonest slips of a hand (:func:`_slip_shape`)
_RIVAL = 1.5  # a rival fix this close in frequency (Zipf) makes the choice a guess


def _spelling_choice(problem: str, choices: list[Any], confidence: float) -> tuple[list[Any], float]:
    """Harper's usable suggestions for a misspelt word, best first: fewest typos, then the slips of a
    hand before other shapes ('totaly' is 'totally' before 'total', :func:`_slip_shape`), then the most
    frequent word in English (``wordfreq``), Harper's order breaking ties; and the fix's confidence. A noisy
    channel: a word that its correction outnumbers a thousandfold in English text (``_MARGIN`` on the
    Zipf scale) is all but never meant, a typo on its own evidence (:data:`SELF_EVIDENT`: applied alone
    on its line). Below that margin a fix still needs evidence: a real word or a name ('manufactory'
    is one in 50 of 'manufacture') and a misspelling common enough to be a word of its own ('recieve',
    one in 130 of 'receive') look alike to a frequency list; the shape of the slip tells them apart.
    The commonest slips of a hand (:func:`_slip_shape`: 'recieve', 'somthing', 'trafic') need only a
    hundredfold (``_SLIP_MARGIN``), and a second candidate a letter changed away is no guess there.
    Nor is a fix self-evident when another word one typo away is about as frequent, offered or not
    ('superviors': 'superiors' or 'supervisors'), or a hand's slip away and within the slip margin
    ('confussions': 'confusions', a letter doubled, rather than Harper's 'confessions')."""
    word = problem.lower()
    scored = [
        # the text last: Harper's order of equal suggestions is not stable from run to run
        (
            typo_distance(word, c.replacement_text.lower()),
            not _slip_shape(word, c.replacement_text.lower()),
            -_zipf(c.replacement_text),
            c.replacement_text,
            i,
        )
        for i, c in enumerate(choices)
    ]
    scored.sort()
    best = [choices[i] for *_, i in scored]
    distance, other_shape, frequency, *_ = scored[0]
    fix, zipf = best[0].replacement_text.lower(), _zipf(word)
    # and only where the fix is not itself a guess: one candidate a typo away ('greated' could be
    # 'greater' or 'greeted', 'showel' 'showed' or 'shovel': only context decides, and not here)
    unique = sum(d == 1 for d, *_ in scored) == 1
    slip = len(word) > 3 and not other_shape  # not 'swa', 'bak'
    floor = zipf + (_SLIP_MARGIN if slip else _MARGIN)
    # a vowel after an English word is how words of other languages end ('juryo', 'lidi', 'tuta',
    # 'pathi'): never evident on its own
    ending = word[-1] in "aiou" and word[:-1] == fix
    evident = distance == 1 and (unique or slip) and -frequency >= floor and not ending
    if evident:  # nor a rival about as frequent a typo away, offered or not ('superviors': 'superiors',
        # 'supervisors'), though a far rarer one is no rival ('teh': 'ten' beside 'the')
        floor = max(zipf + _MARGIN, _zipf(fix) - _RIVAL)
        # a rival the commonest slip of a hand away needs only the slip margin: 'confussions' is more
        # likely 'confusions' (a letter doubled) than 'confessions' (a letter changed), rarer as it is
        slip_floor = max(zipf + _SLIP_MARGIN, _zipf(fix) - _RIVAL)
        evident = not any(
            w != fix and ((z := _zipf(w)) >= floor or (z >= slip_floor and _slip_shape(word, w)))
            for w in _one_typo_away(word)
        )
    return best, (SELF_EVIDENT if evident else confidence)


def _slip_shape(word: str, fix: str) -> bool:
    """Whether ``word`` is ``fix`` with the commonest slips of a hand: a letter left out inside the
    word ('somthing', 'goverment'), a double letter written single or a single one doubled ('trafic',
    'successfull'), two neighbours swapped ('tarvel'). A letter changed, or one dropped or added at the
    end, is how words of other languages and other forms differ from English ones ('corna', 'lidi',
    'tuta', 'legislations'): those keep the full margin."""
    if len(fix) == len(word) + 1:  # a letter left out: inside, or a double written single
        i = next((i for i in range(len(word)) if word[i] != fix[i]), len(word))
        if fix[:i] + fix[i + 1 :] == word:
            return i < len(word) or fix[i] == fix[i - 1]
        return False
    if len(word) == len(fix) + 1:  # a letter doubled
        i = next((i for i in range(len(fix)) if word[i] != fix[i]), len(fix))
        return word[:i] + word[i + 1 :] == fix and word[i] == word[i - 1] and i > 0
    diff = [i for i, (a, b) in enumerate(zip(word, fix, strict=False)) if a != b]
    if len(word) != len(fix) or len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    return word[diff[0]] == fix[diff[1]] and word[diff[1]] == fix[diff[0]]


def _one_typo_away(word: str) -> set[str]:
    """The strings one typo (a letter dropped, added, changed, or two swapped) from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    near = {a + b[1:] for a, b in splits if b}
    near |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    near |= {a + c + b[1:] for a, b in splits if b for c in letters}
    near |= {a + c + b for a, b in splits for c in letters}
    near.discard(word)
    return near


_INNER = re.compile(r"\w[-'’._/@]\w")
_PRONOUN_I = re.compile(r"I(?:['’](?:m|d|ll|ve))?")  # 'I', 'I'm': a capital that is no name
_AUXILIARIES = frozenset("had has have having was were is are be been being".split())
_FINITE = frozenset(
    "am is are was were has have had do does did will would can could shall should may might must".split()
)


def _next_word(sentence: str, end: int) -> str:
    """The word after position ``end`` of ``sentence``, lower-case, without punctuation."""
    rest = sentence[end:].split()
    return rest[0].strip(_STRIP + ",").lower() if rest else ""


def _irregular_choice(before: str, problem: str, choices: list[Any]) -> list[Any]:
    """RegularIrregulars' forms in a fixed order (Harper's varies from run to run): the participle
    first after a form of 'have' or 'be' ('had spreaded' -> 'spread', 'was choosed' -> 'chosen'),
    the simple past first elsewhere ('he choosed' -> 'chose'). For a verb of mtfix's table of irregular
    verbs, a form that does not fit is dropped ('we goed' -> 'went', never 'gone'): none may be left."""
    previous = before.split()[-1:]
    wants_participle = bool(previous) and previous[0].lower().strip("'’") in _AUXILIARIES
    verb = [VERB_PARTS[b] for b in lemmas(problem) if b in VERB_PARTS]
    if verb:
        past, participles = verb[0]
        fitting = participles if wants_participle else past
        return sorted((c for c in choices if c.replacement_text.lower() in fitting), key=lambda c: c.replacement_text)

    forms = [c.replacement_text for c in choices]

    def participle(text: str) -> bool:
        # 'chosen', 'bitten', 'gone'; or the u of 'drunk', 'sung', 'swum' beside the a of 'drank', 'sang'
        ablaut = any(
            len(o) == len(text) and [(x, y) for x, y in zip(text, o, strict=True) if x != y] == [("u", "a")]
            for o in forms
        )
        return text.endswith("n") or ablaut

    def key(c: Any) -> tuple[bool, str]:
        text = c.replacement_text
        return (participle(text) != wants_participle, text)

    return sorted(choices, key=key)


# Alternatives Harper quotes in a message: 'drank' or 'drunk'; 'a', 'b' or 'c'.
_ALTERNATIVES = re.compile(r"'[^']+'(?:(?:, | or )'[^']+')+")


def _stable_message(message: str) -> str:
    """Harper's message with the alternatives it quotes in sorted order: Harper lists them in an order
    that varies from process to process, and a change log must not differ between two runs."""

    def ordered(m: re.Match[str]) -> str:
        words = sorted(re.findall(r"'[^']+'", m.group()))
        return ", ".join(words[:-1]) + " or " + words[-1]

    return _ALTERNATIVES.sub(ordered, message.strip())


def _negative_un(word: str, problem: str, known: frozenset[str] | set[str]) -> bool:
    """Whether an AnA lint would turn 'an' into 'a' before ``word`` (lower-case) with the negative
    prefix un- ('an unidentified', 'an uninformed'), which Harper takes for 'uni-' ('a union')."""
    return problem.lower() == "an" and word.startswith("un") and word[2:] in known


class _Span(NamedTuple):
    start: int
    end: int


class _Pick(NamedTuple):
    """A lint mtfix accepts: its rule, Harper's lint, the sentence fixed by each usable suggestion (best
    first), the edit's confidence."""

    rule: str
    lint: Any
    variants: list[str]
    confidence: float


class _Spelled(NamedTuple):
    """Harper's spelling lint of one word, as the judge reads it."""

    message: str
    suggestions: list[Any]


class _WordLint(NamedTuple):
    """A spelling lint of one word (Harper's, on the word alone), placed in a sentence."""

    span: _Span
    suggestions: Any
    message: str
    capital: bool = False  # the sentence's first word, capitalised: its fix is capitalised too


def _token_around(text: str, start: int, end: int) -> str:
    """The whitespace-delimited token(s) that ``text[start:end]`` lies in, without outer punctuation."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end].strip("\"'“”‘’()[]{}.,;:!?")


def _usable(rule: str, problem: str, suggestion: Any, known: frozenset[str] | set[str]) -> bool:
    """Whether a suggestion may be applied at all: a spelling fix stays one known lower-case word a
    typo or two away (Harper splits unknown words, 'shat' -> 'sh at', and censors some)."""
    new = suggestion.replacement_text
    if rule == "CapitalizePersonalPronouns":
        return problem == "i" and new == "I"
    if any(c.isupper() for c in new) or "*" in new:
        return False
    if rule != "SpellCheck":
        return True
    return (
        new.isalpha()
        and problem.isalpha()
        and len(problem) >= 3
        and new.lower() in known
        and 0 < typo_distance(problem.lower(), new.lower()) <= (1 if len(problem) <= 7 else 2)
    )


def _sentence_edit(start: int, sentence: str, fixed: str, kind: str, message: str, confidence: float) -> Edit:
    """The smallest edit of ``sentence`` (at ``start``) that gives ``fixed``, widened to whole words so
    that the guard and a reviewer see words."""
    p, q = shared_ends(sentence, fixed)
    while p > 0 and sentence[p - 1].isalnum():
        p -= 1
    while q > 0 and sentence[len(sentence) - q].isalnum():
        q -= 1
    return Edit(start + p, start + len(sentence) - q, fixed[p : len(fixed) - q], kind, message, confidence)


def _disjoint(edits: list[Edit]) -> list[Edit]:
    """The edits sorted, dropping any that overlaps (or touches, for insertions) an earlier one."""
    out: list[Edit] = []
    # where the speller and a grammar rule edit the same word ('spreaded'), the rule's form wins
    for e in sorted(edits, key=lambda e: (e.start, e.kind == "spelling.typo", e.end)):
        if out and (
            e.start < out[-1].end or (e.start == out[-1].end and (e.start == e.end or out[-1].start == out[-1].end))
        ):
            continue
        out.append(e)
    return out


def lints_by_word(linter: Any, words: list[str]) -> dict[int, list[tuple[int, int, Any]]]:
    """Harper's lints of ``words`` asked in one call, one word a paragraph ("\\n\\n" between them; a
    call costs more than a word), by the index of the word whose paragraph each falls in: (start, end,
    lint), the span counted from the word's start."""
    starts = list(itertools.accumulate((len(w) + 2 for w in words[:-1]), initial=0))
    with quiet():
        lints = linter.lint("\n\n".join(words), language="plaintext")
    out: dict[int, list[tuple[int, int, Any]]] = {}
    for lint in lints:
        k = bisect.bisect_right(starts, lint.span.start) - 1
        out.setdefault(k, []).append((lint.span.start - starts[k], lint.span.end - starts[k], lint))
    return out


def _make_linter(options: GrammarOptions, dialect: Any = None, spell_only: bool = False) -> Any:
    """A Harper linter with the rules of ``options`` on; the spell checker alone with ``spell_only``
    or another ``dialect``."""
    try:
        import harper
    except ImportError as e:  # pragma: no cover - harper-py is a dependency
        raise ImportError(f"the grammar stage needs harper-py ({e}); pip install harper-py, or --no-grammar") from e
    spell_only = spell_only or dialect is not None
    with quiet():
        linter = harper.Linter(dialect if dialect is not None else getattr(harper.Dialect, options.dialect.upper()))
        config = dict.fromkeys(linter.get_default_lint_config(), False)
        # The spell checker runs on single words (GrammarStage._lookup), never in the sentence linter.
        rules = ["SpellCheck"] if spell_only else [r for r in options.rules if r != "SpellCheck"]
        config.update(dict.fromkeys(rules, True))
        linter.set_lint_config(config)
        if options.dictionary:
            linter.import_words(sorted(options.dictionary))
    return linter


def read_dictionary(path: str | os.PathLike[str]) -> frozenset[str]:
    """Words never to touch, one a line ('#' starts a comment), from a user's file."""
    with open(path, encoding="utf-8") as f:
        return frozenset(w for line in f if (w := line.split("#", 1)[0].strip()))


__all__: Sequence[str] = ("RULES", "GrammarOptions", "GrammarStage", "quiet", "read_dictionary")
