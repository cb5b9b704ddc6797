"""Segmentation: sentences for the detector and the model, and spans no rule may touch."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import regex

from mtfix.scanning import trigger_positions

# URLs, e-mail addresses, domain and file names, inline code, @handles and #tags, template
# placeholders ('{{ name }}', '{% if x %}', '${ x }', '#{x}'), format placeholders ('{0}', '{name}',
# '{0:N2}', '{count, number}', '{}', '%s', '%1$s', '%-5.2f', '%(name)s', '%@'), and markup ('<b>',
# '</a>', '<x id="1"/>', '<br />', '<!-- c -->'): rules that look at punctuation would otherwise
# "repair" them. A printf placeholder needs no digit before it ('5%s' is not one) and no letter after
# it, and a tag a letter after its '<' ('a < b' is not one). A C1 control counts as a letter before an
# @handle: it is mojibake the encoding repair turns into one ('\x9a@Â' is 'š@Â', no handle).
_PROTECTED = regex.compile(
    r"""(?xi)
    (?:https?|ftp|file)://[^\s<>"]+
  | www\.[^\s<>"]+
  | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
  | `[^`\n]+`
  | (?<![\w.])(?:[\w-]+\.)+(?:com|org|net|edu|gov|io|co|uk|de|fr|ru|cn|jp|info|biz|ai|app|dev)\b(?:/[^\s]*)?
  | (?<![\w.])[\w-]+\.(?:txt|pdf|docx?|xlsx?|pptx?|csv|json|jsonl|xml|html?|py|js|ts|exe|zip|gz
                      |png|jpe?g|gif|mp[34]|md)\b
  | (?<![\w\x80-\x9f])[@#][\w]+
  | \{\{[^{}\n]*\}\} | \{%[^{}\n]*%\} | [$#]\{[^{}\n]*\}
  | \{(?:\d+|[a-z_][\w.]*)(?:[,:][^{}\n]*)?\} | \{\}
  | (?<!\d)%(?:\d+\$)?[-+\#0]*\d*(?:\.\d+)?(?:hh?|ll?|[lqjzt])?[sdiufeEgGxXocpaA](?![a-z])
  | %@ | %\([\w.-]+\)[-+\#0]*\d*(?:\.\d+)?[sdiufeEgGxXorca](?![a-z])
  | <!--.*?--> | </?[a-z][\w:.-]*(?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"\n]*"|'[^'\n]*'|[^\s"'<>]+))?)*\s*/?>
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
    "{",
    "%",
    "<",
    "://",
    "www.",
    re.compile(
        r"\.(?:com|org|net|edu|gov|io|co|uk|de|fr|ru|cn|jp|info|biz|ai|app|dev|txt|pdf|docx?"
        r"|xlsx?|pptx?|csv|json|jsonl|xml|html?|py|js|ts|exe|zip|gz|png|jpe?g|gif|mp[34]|md)\b"
    ),
)


def protected_spans(text: str) -> list[Span]:
    """Spans of ``text`` that must not be edited by any rule, in order.

    What ``_PROTECTED.finditer`` finds in each line, without trying the slow pattern at every position
    of a line: a span starts in the word of a hint (a URL, an address, a file name hold no space), or at
    a hint itself (inline code and placeholders, which may hold spaces, start with one). So only the
    words with a hint are tried, and a long line costs what its hints cost (a 1 MB line: 0.4 s before).
    """
    spans: list[Span] = []
    pos = 0  # tried up to here
    line_start = scanned = 0  # the line of the last hint, and how far the text was looked at for line ends
    line_end = -1
    for hint in trigger_positions(_HINT, text):
        if hint < pos:
            continue  # inside a span found, or a word tried
        nl = text.rfind("\n", scanned, hint)  # only since the last hint: linear on a long line
        if nl >= 0:
            line_start = nl + 1
        scanned = hint
        lo = max(line_start, pos)  # the word starts after the last one tried: look no further back
        word_start = max(text.rfind(" ", lo, hint), text.rfind("\t", lo, hint)) + 1
        if line_end < hint:  # the line's end, found once a line
            line_end = text.find("\n", hint)
            line_end = len(text) if line_end < 0 else line_end
        m = _WORD_END.search(text, hint, line_end)
        word_end = line_end if m is None else m.start()
        p = max(pos, line_start, word_start)
        while p <= word_end and p < line_end:
            found = _PROTECTED.match(text, p, line_end)
            if found is None:
                p += 1
            else:
                spans.append(Span(*found.span()))
                p = found.end()
        pos = p
    return spans


_WORD_END = re.compile(r"[ \t]")


def merge_spans(found: list[Span], given: Iterable[tuple[int, int]], size: int) -> list[Span]:
    """The protected spans found and given, sorted, overlapping ones merged."""
    extra = [Span(int(a), int(b)) for a, b in given]
    for a, b in extra:
        if not 0 <= a <= b <= size:
            raise ValueError(f"protected span ({a}, {b}) is outside the text (length {size})")
    if not extra:
        return found
    out: list[Span] = []
    for a, b in sorted([*found, *extra]):
        if out and a < out[-1].end:
            out[-1] = Span(out[-1].start, max(b, out[-1].end))
        elif a < b:
            out.append(Span(a, b))
    return out


def touches(e: Any, spans: Sequence[Span], starts: Sequence[int] | None = None) -> Span | None:
    """The protected span edit ``e`` would change, split or drop (an insertion at a span's edge does
    not touch it), or None."""
    starts = [s.start for s in spans] if starts is None else starts
    k = bisect_right(starts, max(e.start, e.end - 1 if e.end > e.start else e.start)) - 1
    for p in spans[max(0, k - 1) : k + 1]:
        if e.end > e.start and e.start < p.end and e.end > p.start:
            return p
        if e.end == e.start and p.start < e.start < p.end:
            return p
    return None


def shift_spans(spans: list[Span], edits: Sequence[Any]) -> list[Span]:
    """Protected spans moved along ``edits`` (sorted, disjoint, none inside a span)."""
    if not spans:
        return []
    ends = [e.end for e in edits]
    deltas = [0]
    for e in edits:
        deltas.append(deltas[-1] + len(e.after) - (e.end - e.start))
    out = []
    for p in spans:
        k = bisect_right(ends, p.start)  # edits ending at or before the span's start
        out.append(Span(p.start + deltas[k], p.end + deltas[k]))
    return out


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
