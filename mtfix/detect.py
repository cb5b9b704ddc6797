"""The detect stage: what the later stages read, and untranslated text, reported, never changed.

The stage (:class:`DetectStage`, registered as ``"detect"``) publishes two kinds of findings in the
document:

- ``"untranslated"``: passages in another language, also reported as ``untranslated`` flags
  (untranslated passages are for a translator, not for an English editor: no later stage edits them);
- ``"suspect"``: with a model, the sentences a cheap signal marks for it: a rule repair inside, or a
  lower-case word outside the lexicon. Only those (and those the grammar stage touched) reach the
  model's forward pass (:class:`Detector`), so text with neither passes at rules speed.

Untranslated text has two signals: a script check (runs of non-Latin letters in English text) and, for Latin-script
sentences that contain almost no English function words, ``langdetect`` (seeded, deterministic).
The stop-word pre-check keeps langdetect off the ordinary English sentence, which is what keeps
the detector cheap on a corpus.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, count
from operator import not_
from typing import Any

import regex

from mtfix.changes import Flag
from mtfix.lexicon import known_words
from mtfix.pipeline import Document, Finding, Proposal, Resources, register
from mtfix.scanning import line_offsets, line_words, scan, words_of
from mtfix.segment import sentences

# Letters of any script but Latin; common symbols (°, µ) are not letters of a script run.
_FOREIGN_RUN = regex.compile(r"(?:[^\P{L}\p{Latin}][\p{M}]*)(?:[ \t\p{P}\p{N}]{0,2}[^\P{L}\p{Latin}][\p{M}]*)*")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_SCRIPTS = (
    "Han",
    "Hiragana",
    "Katakana",
    "Hangul",
    "Cyrillic",
    "Arabic",
    "Hebrew",
    "Greek",
    "Devanagari",
    "Bengali",
    "Thai",
    "Sinhala",
    "Tamil",
    "Georgian",
    "Armenian",
    "Ethiopic",
)
_WORD = regex.compile(r"\p{Latin}+")
_ENGLISH_FUNCTION_WORDS = frozenset(
    """the of and to a in is that for it on was with as he be by at are this his from have an not but they
    or had which their were has been its will would we who she her there can all one more also after
    when about than into them some said could these our only other new most what you i up out if do so
    no my me him over us your""".split()
)
_LANGUAGE_NAMES = {
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ro": "Romanian",
    "et": "Estonian",
    "cs": "Czech",
    "pl": "Polish",
    "is": "Icelandic",
    "fi": "Finnish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "hu": "Hungarian",
    "tr": "Turkish",
    "id": "Indonesian",
    "tl": "Tagalog",
    "sw": "Swahili",
    "so": "Somali",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "hr": "Croatian",
    "ca": "Catalan",
    "vi": "Vietnamese",
    "af": "Afrikaans",
    "sq": "Albanian",
}


def untranslated(text: str, *, use_langdetect: bool = True) -> list[Flag]:
    """Flags for untranslated passages in ``text``."""
    lines = text.split("\n")
    offsets = line_offsets(lines)
    flags = list(_script_runs(lines, offsets))
    if use_langdetect:
        flagged = [(f.start, f.end) for f in flags]
        for n in compress(count(), map(_may_be_foreign, line_words(lines))):
            for sent in sentences(lines[n]):
                start, end = offsets[n] + sent.start, offsets[n] + sent.end
                if any(s < end and start < e for s, e in flagged):
                    continue
                flag = _foreign_sentence(sent.text, start)
                if flag is not None:
                    flags.append(flag)
    return sorted(flags, key=lambda f: (f.start, f.end))


# Letters of other scripts live above U+036F; Latin Extended Additional (U+1E00-U+1EFF) is skipped.
_NON_LATIN_AT = re.compile("[\u0370-\u1dff\u1f00-\u2bff\u2e80-\ud7ff\uf900-\ufaff\ufe70-\uffef\U00010000-\U0010ffff]")


def _script_runs(lines: list[str], offsets: list[int]) -> Iterator[Flag]:
    """Runs of letters of other scripts, line by line (no run crosses a line break).

    A run starts at a letter past U+036F, so ASCII lines (``str.isascii`` is O(1) in CPython), the
    great majority of a corpus, are skipped, and in the others only such positions are tried.
    """
    for n in compress(count(), map(not_, map(str.isascii, lines))):
        yield from _line_runs(lines[n], offsets[n])


def _line_runs(line: str, offset: int) -> Iterator[Flag]:
    for m in scan(_NON_LATIN_AT, _FOREIGN_RUN, line):
        run = m.group()
        letters = sum(1 for c in run if c.isalpha())
        if letters < 2 and not _CJK.search(run):
            continue  # a single Greek letter (α, β) is notation, not a passage
        script = _script_of(run)
        yield Flag(
            offset + m.start(),
            offset + m.end(),
            "untranslated",
            f"Untranslated {script} text {run!r} left in the English output.",
            1.0,
        )


def _script_of(run: str) -> str:
    for name in _SCRIPTS:
        if regex.search(rf"\p{{{name}}}", run):
            return (
                "Japanese"
                if name in ("Hiragana", "Katakana")
                else ("Korean" if name == "Hangul" else "Chinese" if name == "Han" else name)
            )
    return "non-Latin"


# Very frequent function words of the Latin-script languages MT most often leaves untranslated.
# Two of them in a sentence with few English function words is what sends it to langdetect.
_FOREIGN_FUNCTION_WORDS = frozenset(
    """der die das und ist nicht ein eine mit von zu den dem auf sich auch les est une des du pour dans que
    qui pas sur avec los las del por con una para como pero muy een het van niet zijn ook il di che per
    non della sono ja ei ole see mis kui et je na se že pro jsou og að er ekki til það sem și este pe cu
    lui sunt din dar nu yang dan tidak ini itu dengan ba da wani kuma suna""".split()
)
_LOWER_WORD = re.compile(r"\b[^\W\d_A-Z]+\b")


def _may_be_foreign(words: Sequence[str]) -> bool:
    """Line-level pre-check on a line's lowercased words, far cheaper than the sentence-level one."""
    if len(words) >= 6 and _ENGLISH_FUNCTION_WORDS.isdisjoint(words):
        return True
    # isdisjoint stops early and builds no set: most lines have no foreign function word at all
    return not _FOREIGN_FUNCTION_WORDS.isdisjoint(words) and len(_FOREIGN_FUNCTION_WORDS.intersection(words)) >= 2


def _foreign_sentence(sentence: str, offset: int) -> Flag | None:
    words = [w for w in _LOWER_WORD.findall(sentence) if w.islower()]  # names say nothing
    if len(words) < 5:
        return None
    english = sum(w in _ENGLISH_FUNCTION_WORDS for w in words)
    foreign = sum(w in _FOREIGN_FUNCTION_WORDS for w in words)
    # Ordinary English prose runs at 0.3 to 0.6 English function words; langdetect costs
    # milliseconds, so only a sentence that looks foreign on both counts is sent to it.
    if not ((foreign >= 2 and foreign >= english) or (english == 0 and len(words) >= 6)):
        return None
    # A headline ('Video referee took Sassuola footballers four goals') has no function words but
    # is made of English words, and langdetect misreads short English ('I don't set any goals.' is
    # Catalan to it): a foreign sentence has several words that are not English.
    known = known_words()
    unknown = sum(w not in known for w in words if len(w) > 1)
    if unknown < 2 or unknown < 0.25 * len(words):
        return None
    lang, prob = _detect(sentence)
    if lang == "en" or prob < 0.9:
        return None
    name = _LANGUAGE_NAMES.get(lang, lang)
    return Flag(
        offset,
        offset + len(sentence),
        "untranslated",
        f"Sentence appears to be in {name} ({lang}, p={prob:.2f}), not English.",
        round(prob, 4),
    )


@lru_cache(maxsize=1)
def _factory_ready() -> bool:
    """Seed langdetect and read its language profiles (once: a third of a second)."""
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    detector_factory.init_factory()  # what langdetect.detect_langs does, minus its text limit
    return True


def _detect(sentence: str) -> tuple[str, float]:
    _factory_ready()
    from langdetect import detector_factory
    from langdetect.lang_detect_exception import LangDetectException

    try:
        detector = detector_factory._factory.create()
        detector.set_max_text_length(300)  # the first 300 characters decide; cost grows with length
        detector.append(sentence)
        best = detector.get_probabilities()[0]
    except LangDetectException:
        return "unknown", 0.0
    return best.lang, float(best.prob)


# Sentences the model judges: long enough to judge, short enough for the model, in Latin script.
_LATIN_TEXT = re.compile(r"^[\x20-\x7e\u00a0-\u024f\u2018-\u201f\u2013\u2014\u2026]+$")
RULE_HIT_BONUS = 0.1  # added to the garble score per change in the sentence (at most two)
_SUSPECT_WORD = re.compile(r"(?<![\w'’-])[a-z]{3,}(?![\w'’-])")


class Detector:
    """The garble detector: a seq2seq model trained to copy fluent text copies it with high
    probability, and a sentence it would change scores low (:meth:`mtfix.rewrite.Rewriter.score`).
    Without a model it judges nothing."""

    def __init__(self, model: Any = None) -> None:
        self.model = model

    def judges(self, sentence: str) -> bool:
        """Whether the detector can score ``sentence`` (too short to judge, too long for the model,
        or not in Latin script: it cannot)."""
        return self.model is not None and 3 <= sentence.count(" ") + 1 <= 60 and _LATIN_TEXT.match(sentence) is not None

    def garble(self, sentences: Sequence[str]) -> list[tuple[float, float]]:
        """``(garble score, mean log-probability of copying)`` of each sentence, which it must judge."""
        return [tuple(s) for s in self.model.score(sentences)] if sentences else []  # type: ignore[misc]


@dataclass(frozen=True)
class DetectOptions:
    """Options of the detect stage (the fields of the same names on :class:`mtfix.Config`)."""

    detect_untranslated: bool = True
    use_langdetect: bool = True


@register("detect", options=DetectOptions, order=20, toggle=False)
def _detect_stage(options: DetectOptions, resources: Resources) -> DetectStage:
    """Untranslated passages (flags), and the sentences a cheap signal marks for the model."""
    return DetectStage(options, resources.detector or Detector())


class DetectStage:
    """Find untranslated passages (flagged) and the sentences worth the model's time (findings)."""

    name = "detect"
    source = "detect"
    guard = None

    def __init__(self, options: DetectOptions, detector: Detector) -> None:
        self.options = options
        self.detector = detector

    def load(self) -> None:
        """Read langdetect's language profiles now, not on the first foreign sentence."""
        if self.options.detect_untranslated and self.options.use_langdetect:
            _factory_ready()

    def quiet(self, text: str) -> bool:
        """Whether ``text`` certainly has nothing to flag or find: no model to find suspects for, and
        no letter of another script or line that looks foreign (the checks :func:`untranslated`
        makes before anything costly)."""
        if self.detector.model is not None:
            return False
        if not self.options.detect_untranslated:
            return True
        if "\n" in text:
            lines = text.split("\n")
        elif text.isascii():  # one ASCII segment, the usual per-call case: no other script in it
            return not self.options.use_langdetect or not _may_be_foreign(words_of(text))
        else:
            lines = [text]
        if not text.isascii() and any(True for _ in _script_runs(lines, line_offsets(lines))):
            return False
        return not (self.options.use_langdetect and any(map(_may_be_foreign, map(words_of, lines))))

    def propose(self, doc: Document) -> Proposal:
        text = doc.text
        foreign = (
            untranslated(text, use_langdetect=self.options.use_langdetect) if self.options.detect_untranslated else []
        )
        findings = [Finding(f.start, f.end, "untranslated", f.score) for f in foreign]
        if self.detector.model is not None:
            # The cheap signals that send a sentence to the model (the rewrite stage): a rule repair in
            # it, or a lower-case word outside the lexicon. Everything else passes at rules speed.
            starts = [s for s, _ in doc.change_spans()]
            known = known_words()
            for s in sentences(text):
                if any(f.start < s.end and s.start < f.end for f in foreign) or not self.detector.judges(s.text):
                    continue
                hits = bisect_right(starts, s.end) - bisect_left(starts, s.start)
                unknown = sum(w not in known for w in _SUSPECT_WORD.findall(s.text))
                if hits or unknown:
                    findings.append(Finding(s.start, s.end, "suspect", float(hits + unknown)))
        return Proposal(flags=foreign, findings=findings)
