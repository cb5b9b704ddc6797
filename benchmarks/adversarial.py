"""Adversarial lines for the rule layer: long runs of one trigger, and a clean line to compare with.

Each class repeats a unit that sets off one fixer (or the segmenter) as often as it can, on a single
line with no line break: the worst case for anything that rescans a line or a token per match. Used by
``benchmarks/bench_rules_speed.py`` (time against a clean line of the same length) and by the tests
(doubling the input at most about doubles the time).
"""

from __future__ import annotations

from pathlib import Path

#: Class name -> the unit repeated to the wanted length.
UNITS: dict[str, str] = {
    "word -word": "word -word ",
    "Jong- un": "Jong- un ",
    "a.B (glued sentences)": "a.B",
    "Korea.At": "Korea.At ",
    "a,b (glued clauses)": "a,b",
    "Mr.Lu": "Mr.Lu ",
    '" " (lone quotes)': '" ',
    "' (apostrophes)": "' ",
    'x.""""': 'x."""" ',
    ", ,": ", ,",
    ". .": ". . ",
    "word , (tokenised)": "word , ",
    "( a": "( a ",
    "the the": "the the ",
    "full-width in English": "word，",
    "full-width in Chinese": "好，",
    "&amp;": "&amp;",
    "mojibake": "cafÃ© ",
    "no space (1 token)": "abcdefghij",
    "#tag @name x.com (protected spans)": "#tag @name x.com ",
    "mixed MT damage": 'Kim Jong -un said , "yes"" the the Korea.At ',
}


def line(unit: str, size: int) -> str:
    """``unit`` repeated to exactly ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def adversarial(name: str, size: int) -> str:
    """The adversarial line of class ``name``, ``size`` characters long."""
    return line(UNITS[name], size)


_PROSE = (
    "The committee met on Tuesday to discuss the new budget, which includes funding for schools, "
    "hospitals and roads. Officials said the plan would be published next month. "
)


def clean_line(size: int, data: Path | None = None) -> str:
    """A clean line of ``size`` characters: WMT21 references joined by spaces when ``data`` has them
    (real prose, names and numbers), else a fixed English paragraph repeated."""
    refs = sorted((data / "wmt21" / "references").glob("*")) if data is not None else []
    if refs:
        text = " ".join(refs[0].read_text(encoding="utf-8").split("\n"))
        return line(text, size)
    return line(_PROSE, size)
