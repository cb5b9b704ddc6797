"""Quote runs: ``cooperation.\"\"\" \".`` and ``\"\"Long Twin Tail\"\"\"`` from MT systems.

Only runs of two or more double quotes are touched. A lone quote is never added, removed or
"balanced": human text opens a quote in one segment and closes it in the next all the time.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from mtfix.fixers import Repair, fixer
from mtfix.scanning import per_first_char, scan, trigger_positions

_Q = '"“”'
# A closing run: after a word or sentence punctuation, two or more identical closing quotes, then
# optionally a stray quote and a redundant full stop (' ".'), or a stray quote that opens nothing
# (' "' before a space or the end: 'saints.""" " and'), then a space or the end of the line.
# '” “' at the end of a line is a closing quote and the opening of the next paragraph: not a run.
_CLOSING_RUN = regex.compile(
    r'(?<=[\p{L}\p{N}.!?,)])(?P<run>"{2,}|”{2,})(?P<stop> ?["”]?[.]| ["”](?=[ \t]|$))?(?=[ \t]|$)', regex.M
)
# An opening run: at the start of a line or after a space, two or more quotes glued to a word.
_OPENING_RUN = regex.compile(rf"(?:(?<=^)|(?<=[ \t(]))(?P<run>[{_Q}]{{2,}})(?=[\p{{L}}\p{{N}}])", regex.M)


# Every run starts with two quote marks in a row.
_PAIRS = per_first_char('"“”', '["“”]')


@fixer("quotes.run", trigger=_PAIRS)
def fix_quote_runs(text: str) -> Iterator[Repair]:
    """Runs of doubled or broken quotation marks collapsed to one mark."""
    pairs = trigger_positions(_PAIRS, text)
    for m in scan(pairs, _CLOSING_RUN, text):
        run = m.group("run")
        keep = run[0]
        stop = m.group("stop")
        # 'cooperation.""" ".' keeps one quote; a full stop after it repeats the one before the run.
        after = keep
        if stop and stop.endswith(".") and text[m.start() - 1] not in ".!?":
            after = keep + "."
        yield Repair(
            m.start(),
            m.end(),
            after,
            f"Collapsed the broken quote run {m.group(0)!r} to {after!r}.",
            0.9,
        )
    for m in scan(pairs, _OPENING_RUN, text):
        run = m.group("run")
        keep = "“" if run[0] == "“" else '"'
        yield Repair(
            m.start(),
            m.end(),
            keep,
            f"Collapsed the doubled opening quotes {run!r} to {keep!r}.",
            0.9,
        )
