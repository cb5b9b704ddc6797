"""Spacing: tokenised punctuation, broken hyphen spacing, missing space between sentences."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import regex

from mtfix.changes import Change
from mtfix.fixers import Repair, fixer
from mtfix.scanning import per_first_char, scan, trigger_positions

# --------------------------------------------------------------------------------------------------
# spacing.tokenized: 'June , Pétain', '( c )', '" Hanna "', "Fu Kunbao 's", "do n't", '5 %'
# --------------------------------------------------------------------------------------------------

# Each pattern starts with a literal or a small class so that the scan stays fast (`re`, not
# `regex`); what comes before the match is checked in Python.
# A space before closing punctuation that ends a token: followed by a space, the end of the line, a
# quote or a closing bracket. Never before an ellipsis or a spaced ellipsis ('word . . .').
_SPACE_BEFORE = re.compile(r"(?P<sp>[ \t]+)(?P<p>[,;:!?%]|\.(?![ ]?\.))(?=[ \t\n\"'”’)\]]|$)")
_SPACE_AFTER_OPEN = re.compile(r"(?P<p>[(\[{])(?P<sp>[ \t]+)(?=[^\W_]|[\"'“‘$€£])")
_SPACE_BEFORE_CLOSE = re.compile(r"(?P<sp>[ \t]+)(?P<p>[)\]}])")
# Moses-tokenised clitics: "Kunbao 's", "do n't", "don 't", "they 're".
_CLITIC = re.compile(r"(?P<sp>[ \t]+)(?P<p>n['’]t|['’](?:s|t|re|ve|ll|d|m))(?![\w'’])", re.I)
_CURRENCY = re.compile(r"(?P<p>[$€£¥])(?P<sp>[ \t]+)(?=\d)")
# Straight quotes standing alone between spaces ('" Hanna "') are a sign of a tokenised line.
_LONE_QUOTE = per_first_char("\"'", r"(?=[ \t\n]|$)")  # and a space or line start before (checked)
_TOKENISED_HINT = re.compile(r"[^\W\d_] [,.;:](?:[ \t]|$)|[^\W\d_] n?'[st]\b|\( [^\W_]", re.M)
_WORD_END = re.compile(r"[^\W_]|[\"'”’)\].!?%]")  # what a token before closing punctuation ends with


def _remove_space(m: re.Match[str], what: str) -> Repair:
    s, e = m.span("sp")
    return Repair(s, e, "", f"Removed the space {what} {m.group('p')!r}.", 0.97)


def _after_word(text: str, pos: int) -> bool:
    return pos > 0 and _WORD_END.match(text[pos - 1]) is not None


# Every tokenised-spacing repair starts at one of these: a space before closing punctuation or a
# clitic, or an opening bracket or currency sign before a space.
_TOKENISED_AT = (
    *per_first_char(" \t", r"(?:[,;:!?%.)\]}'’]|[nN]['’][tT])"),
    *per_first_char("([{$€£¥", r"[ \t]"),
)


def _stray_space_before_close(change: Change, text: str) -> bool:
    """One stray space a human typist leaves before punctuation.

    Before a comma or a closing bracket ('on the other , satellite', '(NRW )', 'hotels. )'): lone,
    these are as common in human references as in MT output (WMT21, per 1,000 segments: 1.4 in
    references, 3.7 in system outputs). Before a full stop, '!', '?' or ':' ('tanks . "As', 'well
    made !', 'manager : Kouki', the French spacing translators keep) only when the same line writes
    such marks glued to their words elsewhere ('Otherwise, really nice well made !'): a tokeniser
    spaces every one of them, so a lone spaced mark in such a line is a slip, while the lone
    ' .' that ends a Moses-tokenised line is MT's own. So are "Kunbao 's", '$ 10', '" ,', '. ,'.
    """
    if change.after or change.before.strip(" \t") or change.end >= len(text):
        return False
    prev, after = text[change.start - 1 : change.start], text[change.end]
    if after in ",;":
        return prev.isalnum()
    if after in ")]}":
        return prev.isalnum() or prev in ".)"
    if (after in ".!?:" and (prev.isalnum() or prev in ")?!")) or prev in "([{":
        return _UNTOKENISED.search(_line_of(text, change.start)) is not None
    return False


# Punctuation written glued to its word, as a tokeniser never leaves it: 'know,', 'Masuoka),',
# 'unusual!', 'parts. The', 'in town.' (three lower-case letters before a full stop, so that
# 'St. Petersburg' and 'Mr. Lu' do not count). No line of the tokenised MLQE-PE MT has one.
_UNTOKENISED = re.compile(r"(?:[a-z]{2}|[a-z]\))[,;:!?](?=[ \t]|$)|[a-z]{3}\.(?=[ \t]+[\"“‘']?[A-Z]|[ \t]*$)", re.M)


# A lone quote needs a space, a line break or the start before it ('_quote_edits' skips the others).
_LONE_QUOTE_AFTER_SPACE = per_first_char(" \t\n", r"[\"'](?=[ \t\n]|$)")


def _quote_first(text: str) -> bool:
    return text[:1] in ('"', "'") and text[1:2] in ("", " ", "\t", "\n")


@fixer(
    "spacing.tokenized",
    typo=_stray_space_before_close,
    trigger=(*_TOKENISED_AT, *_LONE_QUOTE_AFTER_SPACE),
    check=_quote_first,
)
def fix_tokenized(text: str) -> Iterator[Repair]:
    """Tokenised spacing around punctuation, brackets, quotes and clitics (detokenisation)."""
    tokenised = _PerLine(text, lambda line: _TOKENISED_HINT.search(line) is not None)
    for pos in trigger_positions(_TOKENISED_AT, text):
        if text[pos] in " \t":
            while pos > 0 and text[pos - 1] in " \t":
                pos -= 1
            if pos == 0 or not _after_word(text, pos):
                continue
            if m := _SPACE_BEFORE.match(text, pos):
                if (text[pos - 1] == "." and m.group("p") == ".") or _keep_space_before(text, m, tokenised):
                    continue
                yield _remove_space(m, "before")
            elif m := _SPACE_BEFORE_CLOSE.match(text, pos):
                yield _remove_space(m, "before")
            elif (m := _CLITIC.match(text, pos)) and text[pos - 1].isalpha():
                yield _remove_space(m, "before the clitic")
        elif (m := _SPACE_AFTER_OPEN.match(text, pos)) and not _EMOTICON_EYES.search(text, max(0, pos - 2), pos):
            yield _remove_space(m, "after")  # but ':( 1.', ':-( really': the bracket is a face
        elif (m := _CURRENCY.match(text, pos)) and (pos == 0 or not text[pos - 1].isalnum()):
            yield _remove_space(m, "after")  # '$ 5' but not 'US$ 5', kept as written
    yield from _quote_edits(text)


def _keep_space_before(text: str, m: re.Match[str], tokenised: _PerLine) -> bool:
    p = m.group("p")
    if p == ":" and _digit_around(text, m.start() - 1, m.end("p")):
        return True  # '3 : 1'
    if _EMOTICON.match(text, m.start("p")):
        return True  # ' :)', " :')", ' :-(', ' ;)' are faces, not punctuation
    # '5 %' is a house style (ISO 80000) in human text, and in 'Too many ? in this drama' the mark is a
    # word, not the end of a sentence: only fix these in tokenised lines.
    word_like = p == "%" or (p in "?!" and _LOWER_WORD_NEXT.match(text, m.end("p")) is not None)
    return word_like and not tokenised.at(m.start())


_LOWER_WORD_NEXT = re.compile(r" [a-z]")
# Emoticons that start with punctuation the tokenised-spacing repairs look at: eyes, an optional
# nose or tear, a mouth (':)', ':-(', ";')", ':D', ':P', ':/'), followed by a space, the end or more
# punctuation; and the eyes before a bracket that is a face's mouth (':( 1.'), not an opening one.
_EMOTICON = re.compile(r"[:;=][-'’^o]?[()\[\]DPpOo3/\\|*$@](?![\w])")
_EMOTICON_EYES = re.compile(r"(?:^|(?<=[\s]))[:;=][-'’^o]?\Z")  # \Z: the eyes end where the bracket starts


def _digit_around(text: str, i: int, j: int) -> bool:
    # a digit on either side on the same line: '3 : 1', not '3.5 :' and a number on the next line
    return i >= 0 and text[i].isdigit() and j + 1 < len(text) and text[j] in " \t" and text[j + 1].isdigit()


class _PerLine:
    """``fn(line)`` for the line of each position asked about, computed once per line: a fixer that
    looks at its whole line per match would be quadratic on one long line."""

    def __init__(self, text: str, fn: Callable[[str], bool]) -> None:
        self.text, self.fn = text, fn
        self.start, self.end, self.value = 0, -1, False

    def at(self, pos: int) -> bool:
        if not (self.start <= pos <= self.end):
            text = self.text
            self.start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            self.end = len(text) if end < 0 else end
            self.value = self.fn(text[self.start : self.end])
        return self.value


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : len(text) if end < 0 else end]


def _quote_edits(text: str) -> Iterator[Repair]:
    """Attach lone straight quotes in tokenised lines to the words they enclose.

    Quotes are paired left to right within one line, and only when every quote of that kind in the
    line stands alone and their number is even: an odd count means a quotation that spans segments,
    which is left as it is. One lone apostrophe after a plural is a possessive ('animals ' fats').
    """
    by_line: dict[int, list[int]] = {}
    line_start = scanned = 0  # the line of the last quote, and how far the text was looked at for line ends
    for q in trigger_positions(_LONE_QUOTE, text):
        if q > 0 and text[q - 1] not in " \t\n":
            continue
        nl = text.rfind("\n", scanned, q)  # only since the last quote: linear on a long line
        if nl >= 0:
            line_start = nl + 1
        scanned = q
        by_line.setdefault(line_start, []).append(q)
    for line_start, positions in by_line.items():
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        for mark in "\"'":
            lone = [p - line_start for p in positions if text[p] == mark]
            if not lone:
                continue
            if mark == "'" and len(lone) == 1:
                yield from _possessive(line, line_start, lone[0])
            elif len(lone) % 2 == 0 and line.count(mark) == len(lone):
                yield from _pair_quotes(line, line_start, lone, mark)


def _pair_quotes(line: str, line_start: int, lone: list[int], q: str) -> Iterator[Repair]:
    for k, pos in enumerate(lone):
        if k % 2 == 0:  # opening: remove the spaces after it
            end = pos + 1
            while end < len(line) and line[end] in " \t":
                end += 1
            if end < len(line) and end > pos + 1:
                yield Repair(
                    line_start + pos + 1,
                    line_start + end,
                    "",
                    f"Removed the space after the opening {q}.",
                    0.9,
                )
        else:  # closing: remove the spaces before it
            begin = pos
            while begin > 0 and line[begin - 1] in " \t":
                begin -= 1
            if begin > 0 and begin < pos:
                yield Repair(
                    line_start + begin,
                    line_start + pos,
                    "",
                    f"Removed the space before the closing {q}.",
                    0.9,
                )


def _possessive(line: str, line_start: int, pos: int) -> Iterator[Repair]:
    if pos >= 2 and line[pos - 1] == " " and line[pos - 2] in "sS" and _TOKENISED_HINT.search(line):
        yield Repair(
            line_start + pos - 1,
            line_start + pos,
            "",
            "Attached the possessive apostrophe to its word.",
            0.85,
        )


# --------------------------------------------------------------------------------------------------
# spacing.hyphen: 'Kim Jong -un', 'six -day', 'China -DPRK', 'Jong- un'
# --------------------------------------------------------------------------------------------------

# 'word -word': a hyphen glued to the next word but spaced from the previous one. Real dashes are
# spaced on both sides; numbers ('-5'), flags ('--help', 'ls -la') and bullets are excluded below.
_SPACE_HYPHEN = regex.compile(r"(?<=(?P<left>\p{L}[\p{L}'’]*)) -(?P<right>\p{L}[\p{L}\p{N}]*)(?P<tail>[^\n]{0,3})")
_SPACE_HYPHEN_AT = re.compile(r" -[^\W\d_]")
_HYPHEN_SPACE_AT = re.compile(r"- [^\W\d_]")
_HYPHEN_SPACE = regex.compile(r"(?<=(?P<left>\p{L}+))- (?P<right>\p{Ll}+)\b")
_COMMANDS = frozenset(
    """ls rm cp mv tar grep git pip python python3 npm curl wget ssh chmod chown mkdir find sed awk sort
    head tail docker kubectl apt sudo make gcc java node cat echo ps kill du df cd mtfix pytest ruff
    unzip zip diff less man top ln touch cut""".split()
)
# Words that legitimately follow a suspended hyphen ('pre- and post-war', 'first- or second-hand').
_SUSPENDED = frozenset(["and", "or", "to", "nor", "but", "than", "as", "vs", "versus"])
# Second halves of compounds seen split as 'X- y' in MT output.
_COMPOUND_TAILS = frozenset(
    """old year day week month based related like style term time level born free made known owned led run
    long wide scale class sized type friendly oriented speaking""".split()
)


def _space_after_hyphen(change: Change, text: str) -> bool:
    """'tribal- related', 'sixty-year- old': human typists leave these. 'Jong- un' (a name split in
    its syllables) and 'Jong -un' are MT's."""
    left = _WORD_BEFORE_HYPHEN.search(text, max(0, change.start - 40), change.start)
    return left is not None and left.group(1)[0].islower()


_WORD_BEFORE_HYPHEN = re.compile(r"(\w+)-$")


# 'Jong- un' needs a letter before the hyphen: a dash between spaces (' - ') is not one.
_HYPHEN_SPACE_TRIGGER = re.compile(r"-(?<=[^\W\d_]-) [^\W\d_]")


@fixer("spacing.hyphen", typo=_space_after_hyphen, trigger=(_SPACE_HYPHEN_AT, _HYPHEN_SPACE_TRIGGER))
def fix_hyphen(text: str) -> Iterator[Repair]:
    """Hyphens spaced on one side only ('Kim Jong -un', 'six -day', 'Jong- un') rejoined."""
    command_line = _PerLine(text, _is_flag_line)
    for m in scan(_SPACE_HYPHEN_AT, _SPACE_HYPHEN, text):
        left, right, tail = m.group("left"), m.group("right"), m.group("tail")
        if left in _BEFORE_FLAG or (left.lower() in _COMMANDS and _flag_after_command(left, right)):
            continue
        if command_line.at(m.start()):
            continue
        if tail[:1] in ("-", "=", "\u2010", "\u2011", "\u2013", "\u2014"):
            continue  # '-fno-name', '-o=x', '-fthis—is-variable': an option, not a word half
        if right[0].isupper():
            # 'China -DPRK strategic', 'Worry -Free plan' and 'E -Locomotive' join; 'by Coronavirus
            # -IFAD.' and 'Edo -Professor Jacob' are an attribution dash. A single capital letter is
            # never a word a dash follows ('E -Locomotive', 'T -Shirt'), except 'I'.
            letter = len(left) == 1 and left.isupper() and left != "I"
            joined = _JOINED_TAIL.match(tail) or (right not in _TITLES and _NAME_GOES_ON.match(text, m.end("right")))
            if not (letter or (left[0].isupper() and joined)):
                continue
        elif len(right) == 1:
            continue  # '-v', '-o': flags or list markers, not word halves
        s = m.start()
        yield Repair(s, s + 1, "", f"Removed the space before the hyphen in '{left} -{right}'.", 0.93)
    for m in scan(_HYPHEN_SPACE_AT, _HYPHEN_SPACE, text):
        left, right = m.group("left"), m.group("right")
        if right in _SUSPENDED:
            continue
        if not (right in _COMPOUND_TAILS or (left[0].isupper() and len(right) <= 3 and right not in _SHORT_WORDS)):
            continue
        s = m.start() + 1
        yield Repair(s, s + 1, "", f"Removed the space after the hyphen in '{left}- {right}'.", 0.9)


# Commands that are English words too: after them only a short run of letters is a flag ('sort
# -n', 'head -5', 'make -j'); 'top -notch' and 'head -quarters' are words split by MT.
_WORD_COMMANDS = frozenset("top find sort head tail make cat less man touch kill diff zip cut echo".split())


def _flag_after_command(left: str, right: str) -> bool:
    return left.lower() not in _WORD_COMMANDS or len(right) <= 3


# A lone '-word' after these is an option or a dash, not the second half of a compound.
_BEFORE_FLAG = frozenset("""the a an and or by with without use using option options flag flags pass add set""".split())
_SHORT_WORDS = frozenset("""a an the of in on at by for is are was be it he she we you i my our""".split())


_JOINED_TAIL = regex.compile(r"(?: \p{Ll}|,|['’]s\b)")
# The capitalised part goes on into the sentence: a run of capitalised words, then a lower-case one
# ('Frank -Walter Steinmeier said', 'the Azov -Black Sea basin'), a comma, a closing bracket
# ('(Rhine -Neckar District)', 'Hand -Picked Companies】') or an aside opening ('Presse -Agentur (dpa)',
# 'Kii -Gobo Station 【Jalan】'), a colon, or the end of a sentence that more text follows ('Herrmann
# -Wick. "When you start'): a headline's attribution ends the line, or a spaced dash follows it ('News
# Today -Hunan Daily - www...'). An attribution dash ends its headline instead ('in Nigeria -Report',
# 'by Coronavirus -IFAD.', 'of Edo -Professor Jacob.'), or names its source by title ('for the Edo
# -Professor Jacob election').
_TITLES = frozenset("Professor Prof Dr Doctor Mr Mrs Ms President Minister Governor Senator Chairman Director".split())
_NAME_GOES_ON = regex.compile(
    r"(?:[’'”\"]?[ ]\p{Lu}[\p{L}\p{N}'’-]*){0,8}"
    r"(?:[’'”\"]?[ ]\p{Ll}|[’'”\"]?[,;:/)\]）】」』]|[ ]?[(\[（【「『]|[.!?][’'”\"]?[ ]+\S)"
)


def _is_flag_line(line: str) -> bool:
    """'tar -xzf' or '$ cmd -v': command lines keep their flags."""
    return (
        "`" in line
        or line.lstrip().startswith(("$", ">", "#"))
        or " --" in line
        or regex.search(r"[(,:] -\p{L}", line) is not None  # a list of options
    )


# --------------------------------------------------------------------------------------------------
# spacing.sentence: 'North Korea.At the same time', 'October.I believe', 'Hello,world'
# --------------------------------------------------------------------------------------------------

# Markup right after the glued word ('arrived.He<x id="1"/>'): a tag with a lower-case name, as markup
# formats write them ('List.Item<T>' is a generic, not a tag).
_TAG_NEXT = r"<(?:/?[a-z]|!--)"
_INLINE_TAG = regex.compile(r"<(?:/?[a-z][^<>\s]*|!--[^<>]*--)>")
# A lowercase word of two or more letters, a full stop, and a capitalised word glued to it.
# 'U.S.', 'J.K.' (single letters), '3.5', 'e.g.' and 'Console.WriteLine' (CamelCase) do not match.
_SENTENCE_JOIN = regex.compile(
    r"(?<=(?<![\p{L}\p{N}.@/\\_-])(?P<left>\p{L}*\p{Ll}{2}[\p{L}]*))(?P<p>[.!?])"
    rf"(?P<right>(?:\p{{Lu}}\p{{Ll}}+|I|A)(?=[\s,;:'’]|$|{_TAG_NEXT})|\p{{Lu}}\p{{Ll}}+(?=[\s,;:'’]|{_TAG_NEXT}))",
    regex.M,
)
# Comma, semicolon or colon glued to a following word: 'Russia,China', 'reported:the'.
_CLAUSE_JOIN = regex.compile(
    r"(?<=(?<![\p{L}\p{N}.@/\\_-])(?P<left>\p{L}*\p{Ll}{2}))(?P<p>[,;:])(?P<right>\p{L}\p{Ll}+)"
    rf"(?=[\s,.;:!?]|$|{_TAG_NEXT})",
    regex.M,
)
# An honorific glued to the name after it: 'Mr.Lu', 'Ms.Mu', 'Dr.Wang' (not 'Mr.' alone or 'U.S.').
_HONORIFIC = regex.compile(
    r"(?<=(?<![\p{L}\p{N}.@/\\_-])(?P<left>Mr|Mrs|Ms|Mx|Dr|Prof|Messrs|Mmes))(?P<p>\.)"
    r"(?P<right>\p{Lu}\p{Ll}+)(?=[\s,;:.!?'’)]|$)",
    regex.M,
)
_SENTENCE_JOIN_AT = per_first_char(".!?", "[A-Z]")
_CLAUSE_JOIN_AT = per_first_char(",;:", r"[^\W\d_]")
_EXCLAIM_BRANDS = regex.compile(r"(?i)yahoo|jeopardy|wham|panic|joomla")


@fixer("spacing.sentence", trigger=(*_SENTENCE_JOIN_AT, *_CLAUSE_JOIN_AT))
def fix_sentence_spacing(text: str) -> Iterator[Repair]:
    """A missing space after sentence or clause punctuation ('Korea.At the same time')."""
    tokens = _Tokens(text)
    joins = trigger_positions(_SENTENCE_JOIN_AT, text)
    for m in scan(joins, _HONORIFIC, text):
        if tokens.has(m, "/@\\_") or m.group("right") in _DOT_NAMES:
            continue  # 'Dr.Web', a name written with its dot
        pos = m.end("p")
        yield Repair(pos, pos, " ", f"Added the missing space after the honorific '{m.group('left')}.'.", 0.95)
    for m in scan(joins, _SENTENCE_JOIN, text):
        left, p = m.group("left"), m.group("p")
        if p == "!" and _EXCLAIM_BRANDS.search(left):
            continue  # 'Yahoo!News'
        if p in "!?" and m.group("right") in {"I", "A"}:
            continue
        if tokens.has(m, "/@\\_") or m.group("right") in _DOT_NAMES:
            continue
        pos = m.end("p")
        yield Repair(
            pos,
            pos,
            " ",
            f"Added the missing space after {p!r} in '{left}{p}{m.group('right')}'.",
            0.95,
        )
    for m in scan(_CLAUSE_JOIN_AT, _CLAUSE_JOIN, text):
        if tokens.has(m, "/@\\_=&") or m.group("right").lower() in {"http", "https", "www"}:
            continue
        if m.group("p") == ":" and (not m.group("right").islower() or tokens.has(m, ".")):
            continue  # 'Tax:On', 'Source:cctv.com': names and fields, not a glued clause
        pos = m.end("p")
        yield Repair(pos, pos, " ", f"Added the missing space after {m.group('p')!r}.", 0.9)


class _Tokens:
    """The whitespace-delimited token around a match, found once per token: matches come in order,
    and a line without spaces (one huge token) must not be rescanned for every match in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.start = self.end = -1
        self.token = ""
        self.answers: dict[str, bool] = {}

    def has(self, m: regex.Match[str], chars: str) -> bool:
        """Whether the token around ``m`` holds any of ``chars``, or a '://'."""
        text = self.text
        if not (self.start <= m.start("left") and m.end() <= self.end):
            s, e = m.start("left"), m.end()
            while s > 0 and not text[s - 1].isspace():
                s -= 1
            while e < len(text) and not text[e].isspace():
                e += 1
            token = text[s:e]
            # a tag in the token ('Russia<ph/>') is markup, not a path or a URL: its '/' does not count
            self.start, self.end, self.token = s, e, _INLINE_TAG.sub("", token) if "<" in token else token
            self.answers: dict[str, bool] = {}
        found = self.answers.get(chars)
        if found is None:  # asked once per token and set of characters: each 'in' scans the token
            token = self.token
            found = self.answers[chars] = any(c in token for c in chars) or "://" in token
        return found


# 'Kostroma.Today', 'Diia.Business', 'Kontur.Fokus', 'Amazon.Com': names written with a dot.
_DOT_NAMES = frozenset(
    """Today Business News Online Net Info Media Ru Ua Com Org Live Fokus Money Tech Life Sport Txt Pdf Doc
    Docx Html Py Js Exe Ai Io Tv Fm Web""".split()
)
