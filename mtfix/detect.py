"""Detection of passages that are reported, never changed: untranslated text.

Two signals: a script check (runs of non-Latin letters in English text) and, for Latin-script
sentences that contain almost no English function words, ``langdetect`` (seeded, deterministic).
The stop-word pre-check keeps langdetect off the ordinary English sentence, which is what keeps
the detector cheap on a corpus.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import regex

from mtfix.changes import Flag
from mtfix.segment import sentences

# Letters of any script but Latin; common symbols (°, µ) are not letters of a script run.
_FOREIGN_RUN = regex.compile(r"(?:[^\P{L}\p{Latin}][\p{M}]*)(?:[\s\p{P}\p{N}]{0,2}[^\P{L}\p{Latin}][\p{M}]*)*")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_SCRIPTS = ("Han", "Hiragana", "Katakana", "Hangul", "Cyrillic", "Arabic", "Hebrew", "Greek",
            "Devanagari", "Bengali", "Thai", "Sinhala", "Tamil", "Georgian", "Armenian", "Ethiopic")
_WORD = regex.compile(r"\p{Latin}+")
_ENGLISH_FUNCTION_WORDS = frozenset(
    """the of and to a in is that for it on was with as he be by at are this his from have an not
    but they or had which their were has been its will would we who she her there can all one more
    also after when about than into them some said could these our only other new most what you i
    up out if do so no my me him over us your""".split()
)
_LANGUAGE_NAMES = {
    "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "ro": "Romanian", "et": "Estonian", "cs": "Czech", "pl": "Polish",
    "is": "Icelandic", "fi": "Finnish", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "hu": "Hungarian", "tr": "Turkish", "id": "Indonesian", "tl": "Tagalog", "sw": "Swahili",
    "so": "Somali", "lt": "Lithuanian", "lv": "Latvian", "sk": "Slovak", "sl": "Slovenian",
    "hr": "Croatian", "ca": "Catalan", "vi": "Vietnamese", "af": "Afrikaans", "sq": "Albanian",
}


def untranslated(text: str, *, use_langdetect: bool = True) -> list[Flag]:
    """Flags for untranslated passages in ``text``."""
    flags = list(_script_runs(text))
    if use_langdetect:
        flagged = [(f.start, f.end) for f in flags]
        for sent in sentences(text):
            if any(s < sent.end and sent.start < e for s, e in flagged):
                continue
            flag = _foreign_sentence(sent.text, sent.start)
            if flag is not None:
                flags.append(flag)
    return sorted(flags, key=lambda f: (f.start, f.end))


def _script_runs(text: str) -> Iterator[Flag]:
    for m in _FOREIGN_RUN.finditer(text):
        run = m.group()
        letters = sum(1 for c in run if c.isalpha())
        if letters < 2 and not _CJK.search(run):
            continue  # a single Greek letter (α, β) is notation, not a passage
        script = _script_of(run)
        yield Flag(m.start(), m.end(), "untranslated",
                   f"Untranslated {script} text {run!r} left in the English output.", 1.0)


def _script_of(run: str) -> str:
    for name in _SCRIPTS:
        if regex.search(rf"\p{{{name}}}", run):
            return "Japanese" if name in ("Hiragana", "Katakana") else (
                "Korean" if name == "Hangul" else "Chinese" if name == "Han" else name)
    return "non-Latin"


def _foreign_sentence(sentence: str, offset: int) -> Flag | None:
    words = [w.lower() for w in _WORD.findall(sentence)]
    if len(words) < 5:
        return None
    english = sum(w in _ENGLISH_FUNCTION_WORDS for w in words)
    if english / len(words) >= 0.12:  # ordinary English prose runs at 0.3 to 0.6
        return None
    lang, prob = _detect(sentence)
    if lang == "en" or prob < 0.9:
        return None
    name = _LANGUAGE_NAMES.get(lang, lang)
    return Flag(offset, offset + len(sentence), "untranslated",
                f"Sentence appears to be in {name} ({lang}, p={prob:.2f}), not English.", round(prob, 4))


@lru_cache(maxsize=1)
def _factory_ready() -> bool:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    return True


def _detect(sentence: str) -> tuple[str, float]:
    _factory_ready()
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    try:
        best = detect_langs(sentence)[0]
    except LangDetectException:
        return "unknown", 0.0
    return best.lang, float(best.prob)
