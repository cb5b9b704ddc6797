"""Segmentation: sentences for the detector and the model, and spans no rule may touch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

import regex

from mtfix.scanning import trigger_positions

# URLs, e-mail addresses, domain and file names, inline code, @handles and #tags, and template
# placeholders ('{{ name }}', '{% if x %}', '${ x }', '#{x}'): rules that look at punctuation would
# otherwise "repair" them.
_PROTECTED = regex.compile(
    r"""(?xi)
    (?:https?|ftp|file)://[^\s<>"]+
  | www\.[^\s<>"]+
  | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
  | `[^`\n]+`
  | (?<![\w.])(?:[\w-]+\.)+(?:com|org|net|edu|gov|io|co|uk|de|fr|ru|cn|jp|info|biz|ai|app|dev)\b(?:/[^\s]*)?
  | (?<![\w.])[\w-]+\.(?:txt|pdf|docx?|xlsx?|pptx?|csv|json|jsonl|xml|html?|py|js|ts|exe|zip|gz
                      |png|jpe?g|gif|mp[34]|md)\b
  | (?<![\w])[@#][\w]+
  | \{\{[^{}\n]*\}\} | \{%[^{}\n]*%\} | [$#]\{[^{}\n]*\}
    """
)


class Span(NamedTuple):
    start: int
    end: int


# Every protected span contains one of these; lines without them are skipped (the full pattern
# is slow to try at every position of a corpus). Literals and a literal-first pattern: see scanning.
_HINT = (
    "@",
    "#",
    "`",
    "{{",
    "{%",
    "${",
    "://",
    "www.",
    re.compile(
        r"\.(?:com|org|net|edu|gov|io|co|uk|de|fr|ru|cn|jp|info|biz|ai|app|dev|txt|pdf|docx?"
        r"|xlsx?|pptx?|csv|json|jsonl|xml|html?|py|js|ts|exe|zip|gz|png|jpe?g|gif|mp[34]|md)\b"
    ),
)


def protected_spans(text: str) -> list[Span]:
    """Spans of ``text`` that must not be edited by any rule, in order."""
    spans: list[Span] = []
    pos = 0
    for hint in trigger_positions(_HINT, text):
        if hint < pos:
            continue  # its line is done
        start = text.rfind("\n", 0, hint) + 1
        end = text.find("\n", hint)
        end = len(text) if end < 0 else end
        spans += [Span(*m.span()) for m in _PROTECTED.finditer(text, start, end)]
        pos = end + 1
    return spans


# A sentence ends at . ! ? (and closing quotes or brackets after them) followed by a space and a
# capital, a digit or an opening quote; or at a line break.
_SENT_END = regex.compile(r"""(?<=[.!?。！？][\"'”’)\]]*)\s+(?=[\p{Lu}\p{N}\"“‘(\[])|\n+""")
_ABBREV = regex.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Mt|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep|Rev|Inc|Ltd|Corp|Co|vs|etc|No|Vol|pp|Fig|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b\p{L}|\b(?:\p{L}\.)+\p{L})\.$"
)


class Sentence(NamedTuple):
    start: int
    end: int
    text: str


def sentences(text: str) -> Iterator[Sentence]:
    """Split ``text`` into sentences with their offsets (whitespace between them is left out)."""
    start = 0
    for m in _SENT_END.finditer(text):
        if "\n" not in m.group() and _ABBREV.search(text, max(0, m.start() - 12), m.start()):
            continue
        yield from _trimmed(text, start, m.start())
        start = m.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[Sentence]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield Sentence(start, end, text[start:end])
