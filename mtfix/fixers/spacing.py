"""Spacing: tokenised punctuation, broken hyphen spacing, missing space between sentences."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from mtfix.changes import Edit
from mtfix.fixers import fixer

# --------------------------------------------------------------------------------------------------
# spacing.tokenized: 'June , Pétain', '( c )', '" Hanna "', "Fu Kunbao 's", "do n't", '5 %'
# --------------------------------------------------------------------------------------------------

# A space before closing punctuation that ends a token: followed by a space, the end of the line, a
# quote or a closing bracket. Never before an ellipsis or a spaced ellipsis ('word . . .'), never in
# '3 : 1', never an emoticon (' :)').
_SPACE_BEFORE = regex.compile(
    r"(?<=[\p{L}\p{N}\"'”’)\]%])(?P<sp>[ \t]+)(?P<p>[,;:!?%]|\.(?![ ]?\.))"
    r"(?=[ \t]|$|[\"'”’)\]])",
    regex.M,
)
_SPACE_AFTER_OPEN = regex.compile(r"(?P<p>[(\[{])(?P<sp>[ \t]+)(?=[\p{L}\p{N}\"'“‘$€£])")
_SPACE_BEFORE_CLOSE = regex.compile(r"(?<=[\p{L}\p{N}.!?\"'”’%])(?P<sp>[ \t]+)(?P<p>[)\]}])")
# Moses-tokenised clitics: "Kunbao 's", "do n't", "don 't", "they 're".
_CLITIC = regex.compile(
    r"(?<=\p{L})(?P<sp>[ \t]+)(?P<p>(?:n['’]t|['’](?:s|t|re|ve|ll|d|m)))(?![\p{L}\p{N}'’])", regex.I
)
_CURRENCY = regex.compile(r"(?<![\p{L}\p{N}])(?P<p>[$€£¥])(?P<sp>[ \t]+)(?=\p{N})")
# Straight quotes standing alone between spaces ('" Hanna "') are a sign of a tokenised line.
_LONE_QUOTE = regex.compile(r"(?:(?<=^)|(?<=[ \t]))[\"'](?=[ \t]|$)", regex.M)
_TOKENISED_HINT = regex.compile(r"\p{L} [,.;:](?:[ \t]|$)|\p{L} n?'[st]\b|\( \p{L}", regex.M)


def _remove_space(m: regex.Match[str], what: str) -> Edit:
    s, e = m.span("sp")
    return Edit(s, e, "", "spacing.tokenized", f"Removed the space {what} {m.group('p')!r}.", 0.97)


@fixer("spacing.tokenized")
def fix_tokenized(text: str) -> Iterator[Edit]:
    """Tokenised spacing around punctuation, brackets, quotes and clitics (detokenisation)."""
    edits: list[Edit] = []
    for m in _SPACE_BEFORE.finditer(text):
        p = m.group("p")
        if p == ":" and _digit_around(text, m.start("sp") - 1, m.end("p")):
            continue
        if p in "!?" and not _TOKENISED_HINT.search(_line_of(text, m.start())):
            continue  # ' !' and ' ?' alone can be a house style; only fix them in tokenised lines
        edits.append(_remove_space(m, "before"))
    edits += [_remove_space(m, "after") for m in _SPACE_AFTER_OPEN.finditer(text)]
    edits += [_remove_space(m, "before") for m in _SPACE_BEFORE_CLOSE.finditer(text)]
    edits += [_remove_space(m, "before the clitic") for m in _CLITIC.finditer(text)]
    edits += [_remove_space(m, "after") for m in _CURRENCY.finditer(text)]
    edits += _quote_edits(text)
    yield from edits


def _digit_around(text: str, i: int, j: int) -> bool:
    return 0 <= i < len(text) and text[i].isdigit() and j + 1 < len(text) and text[j + 1].isdigit()


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : len(text) if end < 0 else end]


def _quote_edits(text: str) -> Iterator[Edit]:
    """Attach lone straight quotes in tokenised lines to the words they enclose.

    Quotes are paired left to right within one line, and only when the line holds an even number
    of them: an odd count means a quotation that spans segments, which is left as it is.
    """
    for line_start, line in _lines_with(text, '"', "'"):
        if not _TOKENISED_HINT.search(line) and not regex.search(r"(?:^|[ \t])[\"'][ \t]\S.*?\S[ \t][\"'](?:[ \t]|$)", line):
            continue
        for q in "\"'":
            lone = [m.start() for m in _LONE_QUOTE.finditer(line) if m.group() == q]
            if len(lone) < 2 and not (q == "'" and len(lone) == 1):
                continue
            if q == "'" and len(lone) % 2 == 1:
                yield from _possessive_quote(line, line_start, lone)
                continue
            if len(lone) % 2 == 1 or line.count(q) != len(lone):
                continue
            for k, pos in enumerate(lone):
                if k % 2 == 0:  # opening: remove the space after it
                    end = pos + 1
                    while end < len(line) and line[end] in " \t":
                        end += 1
                    if end < len(line):
                        yield Edit(line_start + pos + 1, line_start + end, "", "spacing.tokenized",
                                   f"Removed the space after the opening {q}.", 0.9)
                else:  # closing: remove the space before it
                    begin = pos
                    while begin > 0 and line[begin - 1] in " \t":
                        begin -= 1
                    if begin > 0:
                        yield Edit(line_start + begin, line_start + pos, "", "spacing.tokenized",
                                   f"Removed the space before the closing {q}.", 0.9)


def _possessive_quote(line: str, line_start: int, lone: list[int]) -> Iterator[Edit]:
    """A single lone apostrophe after a plural ('animals ' fats') is a tokenised possessive."""
    if len(lone) != 1:
        return
    pos = lone[0]
    if pos >= 2 and line[pos - 1] == " " and line[pos - 2] in "sS" and _TOKENISED_HINT.search(line):
        yield Edit(line_start + pos - 1, line_start + pos, "", "spacing.tokenized",
                   "Attached the possessive apostrophe to its word.", 0.85)


def _lines_with(text: str, *chars: str) -> Iterator[tuple[int, str]]:
    start = 0
    for line in text.split("\n"):
        if any(c in line for c in chars):
            yield start, line
        start += len(line) + 1


# --------------------------------------------------------------------------------------------------
# spacing.hyphen: 'Kim Jong -un', 'six -day', 'China -DPRK', 'Jong- un'
# --------------------------------------------------------------------------------------------------

# 'word -word': a hyphen glued to the next word but spaced from the previous one. Real dashes are
# spaced on both sides; numbers ('-5'), flags ('--help', 'ls -la') and bullets are excluded below.
_SPACE_HYPHEN = regex.compile(r"(?<=(?P<left>\p{L}[\p{L}'’]*)) -(?P<right>\p{L}[\p{L}\p{N}]*)(?P<tail>[^\n]{0,3})")
_HYPHEN_SPACE = regex.compile(r"(?<=(?P<left>\p{L}+))- (?P<right>\p{Ll}+)\b")
_COMMANDS = frozenset(
    "ls rm cp mv tar grep git pip python python3 npm curl wget ssh chmod chown mkdir find sed awk "
    "sort head tail docker kubectl apt sudo make gcc java node cat echo ps kill du df cd mtfix "
    "pytest ruff unzip zip diff less man top ln touch".split()
)
# Words that legitimately follow a suspended hyphen ('pre- and post-war', 'first- or second-hand').
_SUSPENDED = frozenset("and or to nor but than as vs versus".split())
# Second halves of compounds seen split as 'X- y' in MT output.
_COMPOUND_TAILS = frozenset(
    "old year day week month based related like style term time level born free made known "
    "owned led run long wide scale class sized type friendly oriented speaking".split()
)


@fixer("spacing.hyphen")
def fix_hyphen(text: str) -> Iterator[Edit]:
    """Hyphens spaced on one side only ('Kim Jong -un', 'six -day', 'Jong- un') rejoined."""
    for m in _SPACE_HYPHEN.finditer(text):
        left, right, tail = m.group("left"), m.group("right"), m.group("tail")
        if left.lower() in _COMMANDS or _is_flag_context(text, m):
            continue
        if right[0].isupper() or right[0].isdigit():
            # 'China -DPRK strategic' joins; 'by Coronavirus -IFAD.' is an attribution dash.
            if not (left[0].isupper() and regex.match(r"(?: \p{Ll}|,|['’]s\b)", tail)):
                continue
        elif len(right) == 1:
            continue  # '-v', '-o': flags or list markers, not word halves
        s = m.start()
        yield Edit(s, s + 1, "", "spacing.hyphen",
                   f"Removed the space before the hyphen in '{left} -{right}'.", 0.93)
    for m in _HYPHEN_SPACE.finditer(text):
        left, right = m.group("left"), m.group("right")
        if right in _SUSPENDED:
            continue
        if not (right in _COMPOUND_TAILS or (left[0].isupper() and len(right) <= 3 and right not in _SHORT_WORDS)):
            continue
        s = m.start() + 1
        yield Edit(s, s + 1, "", "spacing.hyphen",
                   f"Removed the space after the hyphen in '{left}- {right}'.", 0.9)


_SHORT_WORDS = frozenset("a an the of in on at by for is are was be it he she we you i my our".split())


def _is_flag_context(text: str, m: regex.Match[str]) -> bool:
    """'tar -xzf' or '$ cmd -v': command lines keep their flags."""
    line = _line_of(text, m.start())
    return "`" in line or line.lstrip().startswith(("$", ">", "#")) or " --" in line


# --------------------------------------------------------------------------------------------------
# spacing.sentence: 'North Korea.At the same time', 'October.I believe', 'Hello,world'
# --------------------------------------------------------------------------------------------------

# A lowercase word of two or more letters, a full stop, and a capitalised word glued to it.
# 'U.S.', 'J.K.' (single letters), '3.5', 'e.g.' and 'Console.WriteLine' (CamelCase) do not match.
_SENTENCE_JOIN = regex.compile(
    r"(?<=(?<![\p{L}\p{N}.@/\\_-])(?P<left>\p{L}*\p{Ll}{2}[\p{L}]*))(?P<p>[.!?])"
    r"(?P<right>(?:\p{Lu}\p{Ll}+|I|A)(?=[\s,;:'’]|$)|\p{Lu}\p{Ll}+(?=[\s,;:'’]))",
    regex.M,
)
# Comma, semicolon or colon glued to a following word: 'Russia,China', 'reported:the'.
_CLAUSE_JOIN = regex.compile(
    r"(?<=(?<![\p{L}\p{N}.@/\\_-])(?P<left>\p{L}*\p{Ll}{2}))(?P<p>[,;:])(?P<right>\p{L}\p{Ll}+)(?=[\s,.;:!?]|$)",
    regex.M,
)
_EXCLAIM_BRANDS = regex.compile(r"(?i)yahoo|jeopardy|wham|panic|joomla")


@fixer("spacing.sentence")
def fix_sentence_spacing(text: str) -> Iterator[Edit]:
    """A missing space after sentence or clause punctuation ('Korea.At the same time')."""
    for m in _SENTENCE_JOIN.finditer(text):
        left, p = m.group("left"), m.group("p")
        if p == "!" and _EXCLAIM_BRANDS.search(left):
            continue  # 'Yahoo!News'
        if p in "!?" and m.group("right") in {"I", "A"}:
            continue
        if _in_token_with(text, m, "/@\\_") or _looks_like_file(m.group("right")):
            continue
        pos = m.end("p")
        yield Edit(pos, pos, " ", "spacing.sentence",
                   f"Added the missing space after {p!r} in '{left}{p}{m.group('right')}'.", 0.95)
    for m in _CLAUSE_JOIN.finditer(text):
        if _in_token_with(text, m, "/@\\_=") or m.group("right").lower() in {"http", "https", "www"}:
            continue
        pos = m.end("p")
        yield Edit(pos, pos, " ", "spacing.sentence",
                   f"Added the missing space after {m.group('p')!r}.", 0.9)


def _in_token_with(text: str, m: regex.Match[str], chars: str) -> bool:
    """Whether the whitespace-delimited token around the match holds any of ``chars``."""
    s, e = m.start("left"), m.end()
    while s > 0 and not text[s - 1].isspace():
        s -= 1
    while e < len(text) and not text[e].isspace():
        e += 1
    token = text[s:e]
    return any(c in token for c in chars) or "://" in token


def _looks_like_file(word: str) -> bool:
    return word.lower() in {"com", "org", "net", "txt", "pdf", "doc", "docx", "html", "py", "js", "exe"}
