"""The qa stage: bilingual checks of a translation against its source segment.

Each check is a small pure function registered with :func:`check` under its kind (``qa.number``,
``qa.placeholder``, ...): it gets the source, the target (the text as the stage sees it) and the
:class:`QAOptions`, and returns :class:`Issue`\\ s, spans of the target with a message that quotes both
sides. :data:`CHECKS` maps each kind to its check. The stage (:class:`QAStage`, registered as ``"qa"``)
runs them only for a text that has a source (``Cleaner.clean(target, source=...)``); an issue becomes a
:class:`~mtfix.changes.Flag`, or, where the source settles the repair (the space the target lost
around a placeholder), an :class:`~mtfix.changes.Edit`.

Precision comes first: the WMT21 human references are the clean control (``benchmarks/bench_qa.py``,
``benchmarks/results/qa.md``: at most one false alarm in 1,000 reference pairs for numbers,
placeholders and links). Human translators legitimately rewrite numbers (``7月26日`` is ``July 26``,
``6.1万`` is ``61,000``, ``3500万`` is ``35 million``, ``15 Uhr`` is ``3 p.m.``, ``５０代`` is ``in his
fifties``), so :func:`numbers` reads every number of either side as the readings it may stand for, and
a number of the source is reported only when no reading of it is among the target's. What the target
has and the source lacks is reported only beside something missing (a changed number or address):
the source may spell a number out in a form no word list covers, or name a site the target gives as
its address.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import regex

from mtfix.changes import Edit, Flag
from mtfix.pipeline import Document, Proposal, Resources, register

# ------------------------------------------------------------------------------------------- registry


class Issue(NamedTuple):
    """What a check found: ``target[start:end]`` (the whole target when something is missing), a
    message quoting both sides, a score in 0-1. With ``fix`` set, the source settles the repair:
    ``target[start:end]`` becomes ``fix``, an edit of kind ``kind`` (default: the check's kind)."""

    start: int
    end: int
    message: str
    score: float = 1.0
    fix: str | None = None
    kind: str | None = None


Check = Callable[[str, str, "QAOptions"], Iterable[Issue]]

#: Every registered check by kind, in the order they run.
CHECKS: dict[str, Check] = {}


def check(kind: str) -> Callable[[Check], Check]:
    """Register ``fn(source, target, options) -> Iterable[Issue]`` as the check of ``kind``."""

    def add(fn: Check) -> Check:
        if kind in CHECKS:
            raise ValueError(f"QA check {kind!r} registered twice")
        CHECKS[kind] = fn
        return fn

    return add


# ------------------------------------------------------------------------------------------- options


@dataclass(frozen=True)
class QAOptions:
    """Options of the qa stage (``Config(options={"qa": {...}})``; the CLI has ``--qa-FIELD``)."""

    skip: str = field(
        default="",
        metadata={
            "help": "QA checks to skip, comma-separated (e.g. qa.length,qa.end-punctuation); 'qa.' may be left out",
            "metavar": "CHECKS",
        },
    )
    #: The target's length over the length the source's script leads one to expect (:func:`expected_length`):
    #: outside [length_min, length_max] is a ``qa.length`` flag.
    length_min: float = field(default=0.5, metadata={"help": "qa.length: lowest target/expected length ratio"})
    length_max: float = field(default=2.0, metadata={"help": "qa.length: highest target/expected length ratio"})
    #: Sources shorter than this (in expected English characters) are not judged by qa.length.
    length_from: int = field(default=40, metadata={"help": "qa.length: judge sources of at least N characters"})
    #: Share of the target's words copied from the source from which it counts as untranslated.
    copied: float = field(default=0.8, metadata={"help": "qa.untranslated: share of copied words (0-1)", "unit": True})
    #: Confidence of the placeholder-space edit.
    edit_confidence: float = 0.9

    def __post_init__(self) -> None:
        skip = self.skip
        names = [s.strip() for s in (skip.split(",") if isinstance(skip, str) else skip)]
        names = [n if n.startswith("qa.") else f"qa.{n}" for n in names if n]
        unknown = sorted(set(names) - set(CHECKS))
        if unknown:
            raise ValueError(f"unknown QA check(s) {unknown}; known: {sorted(CHECKS)}")
        object.__setattr__(self, "skip", ",".join(sorted(set(names))))
        if not 0 < self.length_min < 1 < self.length_max:
            raise ValueError("qa length bounds need 0 < length_min < 1 < length_max")

    @property
    def skipped(self) -> frozenset[str]:
        return frozenset(self.skip.split(",")) - {""}


# --------------------------------------------------------------------------------------------- stage


@register("qa", options=QAOptions, order=5)
def _qa_stage(options: QAOptions, resources: Resources) -> QAStage:
    """Bilingual QA checks against the source (numbers, placeholders, tags, URLs, untranslated, ...)."""
    return QAStage(options)


class QAStage:
    """Run the registered checks on a target and its source: flags, and the edits the source settles.
    Without a source there is nothing to compare, so the stage is quiet."""

    name = "qa"
    source = "qa"
    guard = None
    #: It reads the document's source: with one it always runs (its ``quiet`` speaks for a text alone).
    uses_source = True

    def __init__(self, options: QAOptions | None = None) -> None:
        self.options = options or QAOptions()
        skipped = self.options.skipped
        self.checks = [(kind, fn) for kind, fn in CHECKS.items() if kind not in skipped]

    def quiet(self, text: str) -> bool:
        return True  # without a source (the only case the pipeline asks) no check has anything to say

    def propose(self, doc: Document) -> Proposal:
        if doc.source is None:
            return Proposal()
        return self.review(doc.source, doc.text)

    def review(self, source: str, target: str) -> Proposal:
        """The flags and edits of every check for ``target`` translating ``source``."""
        flags: list[Flag] = []
        edits: list[Edit] = []
        n = len(target)
        for kind, fn in self.checks:
            for issue in fn(source, target, self.options):
                start, end = max(0, min(issue.start, n)), max(0, min(issue.end, n))
                if issue.fix is None:
                    flags.append(Flag(start, max(start, end), issue.kind or kind, issue.message, round(issue.score, 4)))
                else:
                    edits.append(
                        Edit(start, end, issue.fix, issue.kind or kind, issue.message, self.options.edit_confidence)
                    )
        return Proposal(edits=_disjoint(edits), flags=flags)


def _disjoint(edits: list[Edit]) -> list[Edit]:
    # Two checks may propose the same insertion; keep the first of any that overlap or coincide.
    out: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if out and (e.start < out[-1].end or (e.start == out[-1].start and e.end == out[-1].end)):
            continue
        out.append(e)
    return out


# ---------------------------------------------------------------------------------------- messages


def _quote(text: str, width: int = 90) -> str:
    """``text`` quoted for a message, on one line, cut to about ``width`` characters with '…'."""
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _sides(source: str, target: str) -> str:
    return f"source {_quote(source)} / target {_quote(target)}"


def _show_value(v: float) -> str:
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e18:
        return str(int(v))
    return format(Decimal(repr(v)).normalize(), "f")


# ------------------------------------------------------------------------------------------- numbers

# Full-width digits and punctuation, one character for one: offsets stay those of the text.
_WIDE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "，": ",", "．": ".", "％": "%", "：": ":"})
_DOT_BETWEEN = re.compile(r"(?<=\d)[・·](?=\d)")  # Japanese writes 182.44 as １８２・４４

# A run of digits with the separators of any locale between them ('1.234,5', '1,234.5', '1 000',
# "1'000"); a space separates thousands only before exactly three digits.
_RUN = re.compile(r"\d+(?:(?:[.,'’]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")
_SPACES = " \u00a0\u202f\u2009"
_THOUSANDS_SEP = _SPACES + "'’"

_CJK_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CJK_SMALL = {"十": 10, "百": 100, "千": 1000}
_CJK_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}
_CJK_CHARS = "〇零一二两兩三四五六七八九十百千万萬亿億兆"
# A Chinese or Japanese number: CJK numerals, possibly with Arabic digits ('2万5000', '6.1万', '十九',
# '700多万': 'more than seven million').
# ('千' of a unit is no numeral: 82万千瓦 is 820,000 kW.)
_CJK_CHAR = rf"(?:[{_CJK_CHARS.replace('千', '')}]|千(?![瓦克米卡焦帕伏赫]))"
# (Digits are taken atomically and only where a run starts: a long digit run costs its length, once.)
_CJK_NUM = re.compile(
    rf"(?<![\d.,])(?:(?>\d+(?:[.,]\d+)*)[多余餘几幾]?(?={_CJK_CHAR})|{_CJK_CHAR})*{_CJK_CHAR}"
    rf"(?:(?>\d+(?:[.,]\d+)*)|{_CJK_CHAR})*"
)
# Japanese era years: 令和3年 is 2021.
_ERA = re.compile(r"(令和|平成|昭和)(元|\d+)年")
_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925}
# Tenths: '6成' and '6割' are 60%; a batting average '２割８分２厘' is .282, '２割４～５分' .24 to .25.
_WARI = re.compile(r"(?<!\d)((?>\d+))[割成](?:(\d+)(?:[～~〜-](\d+))?分)?(?:(\d+)厘)?")
# Chinese units a translation may convert: 20里 is 10 km, 5斤 2.5 kg.
_CN_UNIT = re.compile(r"(?:多|余)?(?:里(?!程)|华里|斤)")
# '0—24时' is the whole day: 'on July 25'.
_WHOLE_DAY = re.compile(r"(?<!\d)0\s*[-—–~～至到]\s*24\s*[时時点]")

# Scale words after a number ('1.5 million', '2,3 Mrd.', '150万', '5 млн', '3 tis.'), and before one
# in Hausa ('miliyan 5').
_SCALE_AFTER = regex.compile(
    r"""(?xi)\s?(?:
        (?P<k>thousand|tsd\.?|tausend|tis\.|tisíc\w*|тыс\.?|тысяч\w*|þús(?:\.|und\w*)|dubu|k\b)
      | (?P<m>millions?|mln\.?|mn\b|m\b|mio\.?|millionen|milion\w*|mil\.|миллион\w*|млн\.?|milljón\w*|mill\.|m\.kr
               |mill?iyan\w*|milyan\w*)
      | (?P<b>billions?|bn\b|mrd\.?|milliarden?|miliard\w*|mld\.|миллиард\w*|млрд\.?|milljarð\w*|ma\.kr|biliyan\w*)
      | (?P<t>trillions?|trn\b|tn\b|billionen|bilion\w*|триллион\w*|трлн\.?)
    )"""
)
_SCALE_BEFORE = regex.compile(r"(?i)(?:(?P<k>dubu)|(?P<m>mill?iyan|milyan)|(?P<b>biliyan))\s+$")
_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "half": 0.5, "dozen": 12,
}  # fmt: skip
_EN_SCALE = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Words that stand for a number without being one ('twice', 'first', 'a decade', 'in his fifties'):
# they only ever match a number of the source, they are never reported as extra.
_EN_OTHER: dict[str, tuple[float, ...]] = {
    **{w: (v,) for w, v in {
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
        "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
        "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
        "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100, "thousandth": 1000,
        "once": 1, "single": 1, "twice": 2, "double": 2, "both": 2, "pair": 2, "couple": 2, "twin": 2,
        "twins": 2, "thrice": 3, "triple": 3, "decade": 10, "decades": 10, "century": 100, "centuries": 100,
        "centennial": 100, "centenary": 100, "bicentennial": 200, "dozens": 12, "hundreds": 100,
        "thousands": 1000, "millions": 1e6, "billions": 1e9, "noon": 12, "midday": 12, "midnight": 24,
        "doubled": 2, "tripled": 3, "teens": 10, "twenties": 20, "thirties": 30, "forties": 40,
        "fifties": 50, "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90, "week": 7,
        "weeks": 7, "weekly": 7, "fortnight": 14, "day": 24, "days": 24, "daily": 24, "hour": 60,
        "hourly": 60, "hours": 60, "year": 12, "annual": 12, "yearly": 12, "months": 12, "teenager": 10,
        "teenagers": 10, "teenage": 10, "freshman": 1, "freshmen": 1, "sophomore": 2, "sophomores": 2,
    }.items()},
    "half": (0.5, 50, 2), "halved": (0.5, 50, 2), "quarter": (0.25, 25, 4, 3), "quarters": (0.25, 25, 4, 3),
    "thirds": (3, 1 / 3), "percent": (100,), "sevens": (7,), "tens": (10,), "junior": (2, 3), "juniors": (2, 3),
    "senior": (3, 4), "seniors": (3, 4),  # school years: 高校3年生 is a high-school senior
}  # fmt: skip
_EN_NUMBER_WORD = "(?:" + "|".join([*_EN_UNITS, *_EN_SCALE]) + ")"
# ('a' only first: 'a a a ...' would cost a pass to the end from every 'a'.)
_EN_WORD = regex.compile(rf"(?i)\b(?:an?\s+)?(?:{_EN_NUMBER_WORD}\b[\s-]+(?:and[\s-]+)?)*{_EN_NUMBER_WORD}\b")
_EN_OTHER_WORD = regex.compile(r"(?i)\b(?:" + "|".join(sorted(_EN_OTHER, key=len, reverse=True)) + r")\b")

_MONTHS = {
    1: "january jan januar jänner leden ledna lednu январь января январе janúar janairu",
    2: "february feb februar únor února únoru февраль февраля феврале febrúar fabrairu",
    3: "march mar märz březen března březnu март марта марте mars maris",
    4: "april apr duben dubna dubnu апрель апреля апреле apríl afrilu",
    5: "may mai květen května květnu май мая мае maí mayu",
    6: "june jun juni červen června červnu июнь июня июне júní yuni",
    7: "july jul juli červenec července červenci июль июля июле júlí yuli",
    8: "august aug srpen srpna srpnu август августа августе ágúst agusta",
    9: "september sep sept září сентябрь сентября сентябре satumba",
    10: "october oct oktober říjen října říjnu октябрь октября октябре október oktoba",
    11: "november nov listopad listopadu ноябрь ноября ноябре nóvember nuwamba",
    12: "december dec dezember prosinec prosince prosinci декабрь декабря декабре desember disamba",
}
_MONTH_OF = {w: m for m, words in _MONTHS.items() for w in words.split()}
_MONTH_WORD = regex.compile(r"(?i)\b(?:" + "|".join(sorted(_MONTH_OF, key=len, reverse=True)) + r")\b")
# A day of the month the target may give as a weekday or a relative day instead.
_DAY_WORD = regex.compile(
    r"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow|tonight"
    r"|(?:next|following|same|that|previous|preceding)\s+(?:day|morning|afternoon|evening|night))\b"
)
_DAY_OF_MONTH = re.compile(r"\s?(?:日|号|號)")

# Small numbers written out in the source languages of WMT (German, Czech, Russian, Icelandic, Hausa):
# a target's '3' may stand for 'drei'. Only ever used to excuse a number of the target.
_SOURCE_WORDS = {
    1: "eins ein eine einen einem einer jeden jedna jedno jednoho jedné один одна одно одного одной einn eitt daya",
    2: "zwei beide beiden dva dvě dvou dvěma оба обе два две двух двум двумя tveir tvær tvö tveggja tvo biyu",
    3: "drei tři tří třem třemi три трёх трех тремя þrír þrjár þrjú þriggja uku",
    4: "vier čtyři čtyř čtyřem четыре четырёх четырех fjórir fjórar fjögur hudu",
    5: "fünf pět pěti пять пяти fimm biyar",
    6: "sechs šest šesti шесть шести sex shida",
    7: "sieben sedm sedmi семь семи sjö bakwai",
    8: "acht osm osmi восемь восьми átta takwas",
    9: "neun devět devíti девять девяти níu tara",
    10: "zehn deset deseti десять десяти tíu goma",
    11: "elf jedenáct одиннадцать ellefu",
    12: "zwölf dutzend dvanáct tucet двенадцать дюжина tólf",
    20: "zwanzig dvacet двадцать tuttugu ashirin",
    30: "dreißig třicet тридцать þrjátíu talatin",
    100: "hundert sto сто hundrað ɗari dari",
    1000: "tausend tisíc тысяча тысячи тысяч þúsund dubu",
}
_SOURCE_WORD_OF = {w: n for n, words in _SOURCE_WORDS.items() for w in words.split()}
_SOURCE_WORD = regex.compile(r"(?i)\b(?:" + "|".join(sorted(_SOURCE_WORD_OF, key=len, reverse=True)) + r")\b")

# Words around a number that make it approximate: 'about 3,000' may render 2,980.
_APPROX = regex.compile(
    r"""(?xi)(?:about|around|approximately|nearly|almost|roughly|some|over|more\ than|less\ than|under|up\ to
      |at\ least|close\ to|upwards\ of|just\ over|just\ under|~|ca\.|circa|etwa|rund|fast|knapp|über|mehr\ als
      |bis\ zu|gut|zirka|около|почти|более|свыше|порядка|примерно|приблизительно|до|asi|přibližně|zhruba|téměř
      |kolem|více\ než|přes|až|skoro|um|tæplega|rúmlega|yfir|allt\ að|um\ það\ bil|kusan|fiye\ da|约|近|超过|逾|大约
      |約|およそ|近く|超|以上)\W{0,3}$"""
)
_APPROX_AFTER = re.compile(r"^\s?(?:余|多|左右|上下|以上|前後|超|強|弱|あまり|ほど|plus\b|or\ so|odd\b)")
_PM = re.compile(r"(?i)(?::\d\d)?\s?(?:p\.?\s?m\b|pm\b|in\ the\ (?:afternoon|evening))")
# A 24-hour time in the source ('15 Uhr', '18:30', 'kl. 15', '15時'), which the target may give as 3 p.m.
_HOUR_AFTER = re.compile(r"(?i)(?:[:.]\d\d)?\s?(?:uhr|hod|h\b|ч\b|час|時|时|点|點)|:\d\d")
_OTHERS = re.compile(r"(?i)\s(?:others|other\s\w+s)\b")
_AND = re.compile(r"\s*(?:,|\bda|\band|\bund|\ba|\bи|\bog)?\s*")
_HOUR_BEFORE = re.compile(r"(?i)(?:kl\.|klukkan|um|at|в|ve?|o)\s*$")


class Number(NamedTuple):
    """A number of a text: its span, its text, and its readings, each the values it stands for
    (``1.234`` reads as 1.234 or as 1234; a date ``26.7.2021`` as 26, 7 and 2021 together).
    ``strict``: written with digits, so it counts when the other side lacks it (a number word, a
    month name, a CJK numeral or a code such as 'COVID-19' only ever matches one); ``approx``: an
    approximate number ('about 3,000'); ``day``: a day of the month ('26日')."""

    start: int
    end: int
    text: str
    readings: tuple[tuple[float, ...], ...]
    strict: bool
    approx: bool = False
    day: bool = False


def _grouped(groups: list[str]) -> bool:
    return len(groups) > 1 and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _run_readings(run: str) -> list[tuple[float, ...]]:
    """The readings of a digit run under each locale's conventions."""
    parts = re.split(r"([^\d])", run)
    groups, seps = parts[0::2], parts[1::2]
    if not seps:
        return [(float(run),)]  # (float, not int: a run of 5,000 digits is a number too)
    out: list[tuple[float, ...]] = []
    for thousands, point in ((",", "."), (".", ",")):
        # English: ',' (or a space, an apostrophe) groups thousands and a final '.' is the decimal
        # point; continental: '.' (or a space, an apostrophe) groups thousands, ',' is the decimal comma.
        int_groups, dec = (groups[:-1], groups[-1]) if seps[-1] == point else (groups, None)
        used = set(seps[: len(int_groups) - 1])
        if (
            len(used) <= 1
            and used <= set(thousands + _THOUSANDS_SEP)
            and (len(int_groups) == 1 or _grouped(int_groups))
        ):
            out.append((float("".join(int_groups) + ("." + dec if dec is not None else "")),))
    if not _grouped(groups) or not out:
        # not a grouped number: a date, a time, a list ('26.7.2021', '10.30', '3,5'): its parts
        out.append(tuple(float(g) for g in groups))
    return list(dict.fromkeys(out))


def _runs(text: str) -> Iterator[tuple[int, int]]:
    """The digit runs of ``text``; a run that groups with both a space and another separator
    ('2,000 737') is two numbers."""
    for m in _RUN.finditer(text):
        run = m.group()
        if any(c in _SPACES for c in run) and re.search(r"[.,'’]\d+[ \u00a0\u202f\u2009]", run):
            pos = m.start()
            for piece in re.split(r"([ \u00a0\u202f\u2009])", run):
                if piece and piece not in _SPACES:
                    yield pos, pos + len(piece)
                pos += len(piece)
        else:
            yield m.span()


def _cjk_value(token: str) -> float | None:
    """The value of a Chinese/Japanese number ('三千五百', '6.1万', '2万5000', '二〇二一', '700多万')."""
    total = 0.0
    section = 0.0
    current: float | None = None
    last_big = 0
    digits = ""  # consecutive CJK digits without a unit: '二〇二一' is 2021
    for m in re.finditer(r"\d+(?:[.,]\d+)*|.", token):
        piece = m.group()
        if piece[0].isdigit():
            readings = _run_readings(piece)
            current = readings[0][0] if len(readings[0]) == 1 else float(re.split(r"[.,]", piece)[0])
            digits = ""
        elif piece in "多余餘几幾":
            continue
        elif piece in _CJK_DIGITS:
            digits += str(_CJK_DIGITS[piece])
            current = float(digits)
        elif piece in _CJK_SMALL:
            section += (1.0 if current is None else current) * _CJK_SMALL[piece]
            current, digits = None, ""
        elif piece in _CJK_BIG:
            unit = _CJK_BIG[piece]
            seg = section + (current or 0.0) or 1.0
            total = (total + seg) * unit if total and unit > last_big else total + seg * unit
            last_big = unit
            section, current, digits = 0.0, None, ""
        else:
            return None
    return total + section + (current or 0.0)


def _en_value(phrase: str) -> list[float]:
    """Values of an English number phrase ('twenty-five', 'one and a half million', 'a hundred'):
    the whole, and each word on its own (a lenient reading: these only ever match)."""
    words = [w for w in re.split(r"[\s-]+", phrase.lower()) if w and w != "and"]
    total = section = 0.0
    current: float | None = None
    singles: list[float] = []
    for w in words:
        if w == "a":
            current = 1.0 if current is None else current
        elif w in _EN_UNITS:
            v = float(_EN_UNITS[w])
            singles.append(v)
            if v == 0.5 and current is not None:
                current += 0.5  # 'one and a half'
            elif current is not None and current >= 20 and current % 10 == 0 and v < 10:
                current += v  # 'twenty-five'
            else:
                current = v
        elif w == "hundred":
            section += (1.0 if current is None else current) * 100
            current = None
        elif w in _EN_SCALE:
            unit = _EN_SCALE[w]
            singles.append(unit)
            total += (section + (current or 0.0) or 1.0) * unit
            section, current = 0.0, None
    return [total + section + (current or 0.0), *singles]


def _scaled(readings: list[tuple[float, ...]], scale: float) -> list[tuple[float, ...]]:
    return [*readings, *[(r[0] * scale,) for r in readings if len(r) == 1]]


def _code(text: str, start: int) -> bool:
    """Whether the digits at ``start`` belong to a name or code ('COVID-19', 'Ka-52', 'G7', 'Z164'):
    a translation may shorten it ('COVID'), so it only ever matches."""
    before = text[max(0, start - 2) : start]
    return bool(before) and (
        (before[-1].isascii() and before[-1].isalpha())
        or (before == before[:1] + "-" and before[:1].isascii() and before[:1].isalpha())
    )


def numbers(text: str) -> list[Number]:
    """Every number of ``text``: digit runs in any locale's convention (with a scale word after them),
    CJK numerals, Japanese era years, English number words and month names (these ``strict=False``)."""
    wide = _DOT_BETWEEN.sub(".", text.translate(_WIDE))
    out: list[Number] = []
    taken = bytearray(len(text))  # characters already read as part of a number

    def take(a: int, b: int) -> None:
        taken[a:b] = b"\x01" * (b - a)

    def free(start: int) -> bool:
        return not taken[start]

    for m in _WHOLE_DAY.finditer(wide):
        take(*m.span())

    for m in _ERA.finditer(wide):
        n = 1.0 if m.group(2) == "元" else float(m.group(2))
        out.append(Number(m.start(2), m.end(2), m.group(2), ((float(n),), (float(_ERA_BASE[m.group(1)] + n),)), True))
        take(*m.span(2))
    for m in _WARI.finditer(wide):
        tenths, low, high, thousandths = (float(g) if g else 0.0 for g in m.groups())
        readings = []
        for hundredths in {low, high or low}:
            v = round(tenths / 10 + hundredths / 100 + thousandths / 1000, 6)
            readings += [(v,), (round(v * 100, 6),)]
        out.append(Number(m.start(), m.end(), m.group(), tuple(dict.fromkeys(readings)), True))
        take(*m.span())
    for m in _CJK_NUM.finditer(wide):
        if not free(m.start()):
            continue
        value = _cjk_value(m.group())
        if value is None:
            continue
        runs = [(r.start(), r.end()) for r in _RUN.finditer(m.group())]
        readings: list[tuple[float, ...]] = [(value,)]
        for a, b in runs:  # each Arabic part on its own too ('6.1万': 6.1 and 61,000)
            readings += _run_readings(m.group()[a:b])
        approx = bool(_APPROX_AFTER.match(wide, m.end()) or _APPROX.search(wide, max(0, m.start() - 12), m.start()))
        strict = bool(runs) and not _code(wide, m.start())
        out.append(Number(m.start(), m.end(), m.group(), tuple(dict.fromkeys(readings)), strict, approx))
        take(*m.span())
    last: tuple[int, int, float, list[tuple[float, ...]]] | None = (
        None  # last scaled number: index, end, scale, readings
    )
    for start, end in _runs(wide):
        if not free(start):
            continue
        run = wide[start:end]
        readings = _run_readings(run)
        if run.isdigit() and start > 0 and wide[start - 1] == "." and (start < 2 or not wide[start - 2].isdigit()):
            readings.append((float("0." + run),))  # a batting average '.282'
        scale = _SCALE_AFTER.match(wide, end)
        before = _SCALE_BEFORE.search(wide, max(0, start - 12), start)
        unit = 0.0
        for s in (scale, before):
            if s is not None:
                unit = _SCALES[s.lastgroup or "k"]
                readings = _scaled(readings, unit)
        stop = scale.end() if scale is not None else end
        gap_end = before.start() if before is not None else start
        if last is not None and _AND.fullmatch(wide, last[1], gap_end):
            # 'milyan 1, 100,000' is 1,100,000, 'biliyan 2 da miliyan 300' 2.3 billion: both parts read as the sum
            at, _, big, top = last
            sums = [
                (x[0] + y[0],)
                for x in top
                if len(x) == 1 and x[0] >= big
                for y in readings
                if len(y) == 1 and unit <= y[0] < big
            ]
            readings += sums
            out[at] = out[at]._replace(readings=(*out[at].readings, *sums))
        last = (len(out), stop, unit, readings) if unit else None
        singles = [r[0] for r in readings if len(r) == 1]
        if _PM.match(wide, end):  # '3 p.m.' is 15:00
            readings += [(v + 12,) for v in singles if 0 < v < 12]
        if _HOUR_AFTER.match(wide, end) or _HOUR_BEFORE.search(wide, max(0, start - 9), start):
            readings += [(v - 12,) for v in singles if 12 < v <= 24]  # '15 Uhr' may be '3 p.m.'
        if _CN_UNIT.match(wide, end):
            readings += [(v / 2,) for v in singles]
        if _OTHERS.match(wide, end):  # 'Shodai and 3 others' are 4 people
            readings += [(v + 1,) for v in singles]
        if len(run) == 2 and re.match(r"['’]?s\b", wide[end : end + 3]):
            readings += [(20.0,), (21.0,)]  # 'the 70s': of the 20th (or 21st) century
        if len(run) == 4 and run.isdigit() and 1000 <= int(run) <= 2099:
            # a year: '1968/69', '90年代' (the 1990s), '20. století' (the 20th century), '18年' (2018)
            readings += [(float(int(run) % 100),), (float(int(run) // 100 + 1),)]
        approx = bool(_APPROX_AFTER.match(wide, stop) or _APPROX.search(wide, max(0, start - 16), start))
        day = bool(_DAY_OF_MONTH.match(wide, end)) and len(singles) == 1 and 1 <= singles[0] <= 31
        strict = not _code(wide, start)
        out.append(Number(start, stop, text[start:stop], tuple(dict.fromkeys(readings)), strict, approx, day))
    for m in _EN_WORD.finditer(wide):
        if m.group().lower() == "a":
            continue
        vals = _en_value(m.group())
        out.append(Number(m.start(), m.end(), m.group(), tuple((v,) for v in dict.fromkeys(vals)), False))
    for m in _EN_OTHER_WORD.finditer(wide):
        out.append(Number(m.start(), m.end(), m.group(), tuple((v,) for v in _EN_OTHER[m.group().lower()]), False))
    for rx, table in ((_MONTH_WORD, _MONTH_OF), (_SOURCE_WORD, _SOURCE_WORD_OF)):
        for m in rx.finditer(wide):
            out.append(Number(m.start(), m.end(), m.group(), ((float(table[m.group().lower()]),),), False))
    out.sort(key=lambda n: n.start)
    return out


def _value_key(v: float) -> float:
    # 6.1 * 10**4 is 61000.000000000004: values compare by their first 12 significant digits
    return float(f"{v:.12g}")


class _Values:
    """The values one side has, for looking up whether a number of the other side is among them."""

    def __init__(self, nums: Sequence[Number]) -> None:
        self.exact: set[float] = set()
        values: set[float] = set()
        approx: set[float] = set()
        for n in nums:
            for r in n.readings:
                for v in r:
                    k = _value_key(v)
                    values.add(k)
                    if n.approx:
                        approx.add(k)
        self.exact = values
        self.sorted = sorted(values)
        self.approx = sorted(approx)

    def has(self, v: float, approx: bool) -> bool:
        """Whether ``v`` is among the values: equal, or within 10% where either side is approximate
        ('about 3,000' may render 2,980; a number rounded without an 'about' counts as another one)."""
        k = _value_key(v)
        if k in self.exact:
            return True
        pool = self.sorted if approx else self.approx
        if not pool or k == 0:
            return False
        lo, hi = sorted((k * 0.9, k / 0.9))  # |k - w| <= 0.1 * max(|k|, |w|)
        i = bisect_left(pool, lo)
        return i < len(pool) and pool[i] <= hi

    def covers(self, n: Number) -> bool:
        return any(all(self.has(v, n.approx) for v in r) for r in n.readings)


def _counts(n: Number) -> bool:
    """Whether a missing number is worth reporting: written with digits, and not a zero ('15:00' may be
    '3 p.m.') or a one (a translation says 'a', 'an': '1週間' is 'a week')."""
    return n.strict and any(any(v not in (0, 1) for v in r) for r in n.readings)


def _small(n: Number) -> bool:
    """A single digit and nothing more ('3', not '3.5' or '3万'): a count a translation may leave to
    its wording ('2人の師弟関係' is 'between pupil and teacher', '5所高校' a list of five names)."""
    return all(len(r) == 1 and r[0] < 10 and r[0].is_integer() for r in n.readings)


@check("qa.number")
def check_numbers(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """Numbers of the source missing from the target, compared by value across locale conventions
    and written-out forms (see :func:`numbers`), one flag each. The flag lies on the target's number
    the source lacks when there is exactly one (a changed number: the source's 54 is the target's
    43), else on the whole target.

    A single digit missing counts only against a single digit of the target the source lacks (a
    changed digit); a day of the month ('26日') not where the target has a weekday or a relative day.
    A number of the target alone is not reported: the source may have written it out in a form no
    list of number words covers ('pětačtyřicetiletý' is the target's '45-year-old')."""
    if not _HAS_NUMBER.search(source):
        return
    src = _numbers_outside_links(source)
    if not any(_counts(n) for n in src):
        return
    tgt = _numbers_outside_links(target)
    tgt_values = _Values(tgt)
    missing: dict[str, Number] = {}
    for n in src:
        if _counts(n) and n.text not in missing and not tgt_values.covers(n):
            missing[n.text] = n
    if not missing:
        return
    src_values = _Values(src)
    extra = [n for n in tgt if _counts(n) and not src_values.covers(n)]
    if not any(_small(n) for n in extra):
        missing = {k: n for k, n in missing.items() if not _small(n)}
    if _DAY_WORD.search(target):  # '23日' may be 'on Thursday', '26日' 'the next day'
        missing = {k: n for k, n in missing.items() if not n.day}
    shown = _sides(source, target)
    where = (extra[0].start, extra[0].end) if len(extra) == 1 and len(missing) == 1 else (0, len(target))
    instead = f" (it has {', '.join(repr(n.text) for n in extra)}, which the source lacks)" if extra else ""
    for n in missing.values():
        yield Issue(
            *where,
            f"Source has {n.text!r} ({_show_reading(n)}), the target has no such number{instead}: {shown}",
            0.8,
        )


_HAS_NUMBER = re.compile(r"\d")


def _show_reading(n: Number) -> str:
    return " or ".join(" ".join(_show_value(v) for v in r) for r in n.readings[:3])


def _numbers_outside_links(text: str) -> list[Number]:
    # Digits in URLs, e-mail addresses and placeholders are the business of their own checks.
    skip = bytearray(len(text))
    spans = [(a, b) for a, b, _ in _links(text)] + [m.span() for rx in (_PLACEHOLDER, _TAG) for m in rx.finditer(text)]
    for a, b in spans:
        skip[a:b] = b"\x01" * (b - a)
    return [n for n in numbers(text) if not skip[n.start]]


# -------------------------------------------------------------------------------------- placeholders

# Format placeholders: '{0}', '{name}', '{0:N2}', '{{var}}', '${var}', '%s', '%1$s', '%-5.2f', '%(name)s', '%@'.
_PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]*\}\}|\$\{[^{}\n]*\}|\{(?:\d+|[A-Za-z_][\w.]*)(?:[,:][^{}\n]*)?\}|\{\}"
    r"|(?<![\d%])%(?:\d+\$)?(?>[-+#0]*)(?>\d*)(?:\.\d+)?(?:hh?|ll?|[lqjzt])?[sdiufeEgGxXoc](?![A-Za-z])"
    r"|(?<!%)%\([\w.-]+\)(?>[-+#0]*)(?>\d*)(?:\.\d+)?[sdiufeEgGxXorc](?![A-Za-z])|%@"
)
_POSITIONAL = re.compile(r"\{\}|%(?!\d+\$)(?!\()")


def placeholders(text: str) -> list[re.Match[str]]:
    return list(_PLACEHOLDER.finditer(text))


def _key(p: str) -> str:
    return re.sub(r"\s+", "", p)


@check("qa.placeholder")
def check_placeholders(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """The placeholders of the source and the target are the same multiset; unnumbered ones ('%s',
    '{}') also in the same order (numbered and named ones may move)."""
    if not ("{" in source or "%" in source or "{" in target or "%" in target):
        return
    src, tgt = placeholders(source), placeholders(target)
    yield from _multiset("placeholder", src, tgt, source, target)
    sp = [_key(m.group()) for m in src if _POSITIONAL.match(m.group())]
    tp = [_key(m.group()) for m in tgt if _POSITIONAL.match(m.group())]
    if Counter(sp) == Counter(tp) and sp != tp:
        yield Issue(
            0,
            len(target),
            f"The unnumbered placeholders are in another order: source {' '.join(sp)}, target {' '.join(tp)}: "
            + _sides(source, target),
        )


def _multiset(
    what: str, src: list[re.Match[str]], tgt: list[re.Match[str]], source: str, target: str, key=_key
) -> Iterator[Issue]:
    """Issues for what the source has more often than the target (the whole target) and for what the
    target has more often than the source (each of its extra occurrences), compared by ``key``."""
    in_src, in_tgt = Counter(key(m.group()) for m in src), Counter(key(m.group()) for m in tgt)
    missing, extra = in_src - in_tgt, in_tgt - in_src
    shown = _sides(source, target)
    first = {}
    for m in src:
        first.setdefault(key(m.group()), m.group())
    for k in missing:
        has = in_tgt[k]
        lacks = "the target lacks it" if not has else f"{in_src[k]} times, the target {has}"
        yield Issue(0, len(target), f"Source has the {what} {first[k]!r}, {lacks}: {shown}")
    for k, count in extra.items():
        ms = [m for m in tgt if key(m.group()) == k]
        lacks = "the source lacks it" if not in_src[k] else f"more often than the source ({in_src[k]})"
        for m in ms[len(ms) - count :]:
            yield Issue(m.start(), m.end(), f"Target has the {what} {m.group()!r}, {lacks}: {shown}")


@check("qa.placeholder-space")
def check_placeholder_space(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """The space the source has before or after a placeholder, where the target glued the placeholder
    to a word ('Hello{0}' for 'Bonjour {0}'): an edit inserting it at the placeholder's edge. Only for
    a placeholder that occurs once on each side, and only between it and a letter or digit."""
    if not ("{" in source or "%" in source):
        return
    src, tgt = placeholders(source), placeholders(target)
    once_src = Counter(m.group() for m in src)
    once_tgt = Counter(m.group() for m in tgt)
    for m in tgt:
        p = m.group()
        if once_src[p] != 1 or once_tgt[p] != 1:
            continue
        s = next(x for x in src if x.group() == p)
        before = (
            s.start() > 0 and source[s.start() - 1] == " " and s.start() > 1 and not source[s.start() - 2].isspace()
        )
        after = s.end() < len(source) - 1 and source[s.end()] == " " and not source[s.end() + 1].isspace()
        if before and m.start() > 0 and target[m.start() - 1].isalnum():
            yield Issue(
                m.start(),
                m.start(),
                f"Inserted the space before {p!r} that the source has: {_sides(source, target)}",
                fix=" ",
                kind="qa.placeholder-space",
            )
        if after and m.end() < len(target) and target[m.end()].isalnum():
            yield Issue(
                m.end(),
                m.end(),
                f"Inserted the space after {p!r} that the source has: {_sides(source, target)}",
                fix=" ",
                kind="qa.placeholder-space",
            )


# ---------------------------------------------------------------------------------------------- tags

_TAG = re.compile(
    r"<!--.*?-->|</?[A-Za-z](?>[\w:.-]*)(?>\s+[\w:.-]+(?:\s*=\s*(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'<>]+))?)*\s*/?>"
)


def _tag_key(tag: str) -> str:
    # '<x id="1"/>' and "<x id='1' />" are the same tag.
    return re.sub(r"\s+", " ", tag.replace("'", '"')).replace(" />", "/>").replace(" >", ">")


@check("qa.tag")
def check_tags(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """The inline tags and markup of the source ('<b>', '</b>', '<x id="1"/>') are those of the target."""
    if "<" not in source and "<" not in target:
        return
    yield from _multiset("tag", list(_TAG.finditer(source)), list(_TAG.finditer(target)), source, target, _tag_key)


# ---------------------------------------------------------------------------------------------- URLs

# URLs (with a scheme or 'www.') and e-mail addresses, in ASCII: CJK text glued to a URL ends it.
_URL = re.compile(r"(?i)\b(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_LOCAL_END = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+$")  # an address's local part, up to its '@'
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _links(text: str) -> list[tuple[int, int, str]]:
    """The URLs and e-mail addresses of ``text``: (start, end, link)."""
    out = []
    for m in _URL.finditer(text) if ("www" in text or "://" in text) else ():
        s = m.group()
        # trailing punctuation belongs to the sentence; a ')' only when the URL has no '('
        while s and (s[-1] in ".,;:!?'\"" or (s[-1] in ")]" and s.count("(") < s.count(")"))):
            s = s[:-1]
        out.append((m.start(), m.start() + len(s), s))
    urls = list(out)
    # An address is read around each '@', its local part back from it and its domain on from it: one
    # pattern tried from every word start would read a long line without an address once per word.
    at = text.find("@")
    while at >= 0:
        local = _LOCAL_END.search(text, max(0, at - 64), at)
        domain = _DOMAIN.match(text, at + 1)
        if local and domain:
            labels = domain.group().split(".")
            while len(labels) > 1 and not (labels[-1].isalpha() and len(labels[-1]) >= 2):
                labels.pop()  # 'info@firma.de.' ends at 'de'
            start, end = local.start(), at + 1 + len(".".join(labels))
            if len(labels) > 1 and not any(a <= start < b for a, b, _ in urls):  # not in a URL ('http://u@host')
                out.append((start, end, text[start:end]))
        at = text.find("@", at + 1)
    return out


def _link_key(link: str) -> str:
    s = link.lower()
    s = re.sub(r"^(?:https?|ftp)://", "", s)
    s = re.sub(r"^www\.", "", s)
    return s.rstrip("/")


@check("qa.url")
def check_urls(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """The URLs and e-mail addresses of the source are in the target (compared without the scheme,
    'www.', case and a final '/'; one written without 'www.' in running text counts). The flag lies on
    the target's link the source lacks when there is exactly one (a changed address), else on the
    whole target.

    A link of the target alone is not reported: translators rightly give a site's name as its address
    ('经济观察网' is 'www.eeo.com.cn')."""
    if not ("@" in source or "www" in source or "://" in source):
        return
    src = _links(source)
    if not src:
        return
    tgt = _links(target)
    tgt_keys, src_keys = {_link_key(s) for *_, s in tgt}, {_link_key(s) for *_, s in src}
    low_target, low_source = target.lower(), source.lower()
    missing = list(dict.fromkeys(s for *_, s in src if _link_key(s) not in tgt_keys and _link_key(s) not in low_target))
    if not missing:
        return
    extra = [(a, b, s) for a, b, s in tgt if _link_key(s) not in src_keys and _link_key(s) not in low_source]
    where = extra[0][:2] if len(extra) == 1 and len(missing) == 1 else (0, len(target))
    instead = f" (it has {', '.join(repr(s) for *_, s in extra)}, which the source lacks)" if extra else ""
    for s in missing:
        yield Issue(*where, f"Source has {s!r}, the target lacks it{instead}: {_sides(source, target)}")


# ------------------------------------------------------------------------------------ untranslated

_TOKEN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]|[\p{L}\p{M}]+(?:['’][\p{L}]+)*")
# Whitespace-separated pieces that are no words: links, addresses, placeholders, tags, numbers and
# codes with digits.
_NOT_WORDS = re.compile(r"(?i)(?:https?|ftp)://|www\.|@|^[{%$<]|\d")


def _words(text: str) -> list[str]:
    return [w for piece in text.split() if not _NOT_WORDS.search(piece) for w in _TOKEN.findall(piece)]


def _ordinary(word: str) -> bool:
    """A word a copy cannot excuse: lower-case, or CJK (names and acronyms are copied rightly)."""
    return word[:1].islower() or (not word[:1].isascii() and not word[:1].isupper() and not word[:1].istitle())


@check("qa.untranslated")
def check_untranslated(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """The target equals the source, or is mostly copied from it: at least ``options.copied`` of its
    words are words of the source, three or more of them ordinary words (not names, acronyms, numbers,
    links or codes, which a translation rightly copies)."""
    if not target.strip():
        return
    words = _words(target)
    if len(words) < 3:
        return
    vocab = {w.lower() for w in _words(source)}
    copied = [w for w in words if w.lower() in vocab]
    ordinary = sum(1 for w in copied if _ordinary(w))
    share = len(copied) / len(words)
    if ordinary >= 3 and share >= options.copied:
        same = " ".join(target.split()) == " ".join(source.split())
        what = "equals the source" if same else f"is mostly copied from the source ({share:.0%} of its words)"
        yield Issue(0, len(target), f"The target {what}: {_sides(source, target)}", round(min(1.0, share), 4))


# --------------------------------------------------------------------------------------------- empty


@check("qa.empty")
def check_empty(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """A source with text and a target with none."""
    if source.strip() and not target.strip():
        yield Issue(0, len(target), f"The target is empty; the source is {_quote(source)}")


# -------------------------------------------------------------------------------------------- length

# Expected English characters (without spaces) per source character, by script: a Chinese character
# carries almost four English letters' worth, a kana two, a letter of an alphabet one (Hangul: a guess).
# Fitted to the medians of the WMT21 references (zh 0.99, ja 1.01; cs 1.12 ... de 0.94 with weight 1).
_PER_CHAR = (
    (regex.compile(r"\p{Han}"), 3.8),
    (regex.compile(r"[\p{Hiragana}\p{Katakana}ー]"), 2.0),
    (regex.compile(r"\p{Hangul}"), 2.4),
)


def expected_length(source: str) -> float:
    """The length in characters an English translation of ``source`` is expected to have."""
    n = len("".join(source.split()))
    expected = 0.0
    for rx, weight in _PER_CHAR:
        k = len(rx.findall(source))
        expected += k * weight
        n -= k
    return expected + n * 1.0


@check("qa.length")
def check_length(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """The target is far shorter or longer than its source's script leads one to expect (only for a
    source of at least ``options.length_from`` expected characters)."""
    expected = expected_length(source)
    if expected < options.length_from or not target.strip():
        return
    ratio = len("".join(target.split())) / expected
    if ratio < options.length_min or ratio > options.length_max:
        what = "short" if ratio < 1 else "long"
        yield Issue(
            0,
            len(target),
            f"The target is {ratio:.2f} times the length expected from the source (too {what}): "
            + _sides(source, target),
            round(min(1.0, abs(math.log(ratio)) / 2), 4),
        )


# ------------------------------------------------------------------------------------------ brackets

_PAIRS = (("(（", ")）"), ("[［【", "]］】"), ("{｛", "}｝"))
_DOUBLE_QUOTES = '"“”„‟«»「」『』＂〝〞'


def _balanced(text: str, opening: str, closing: str) -> bool:
    depth = 0
    for c in text:
        if c in opening:
            depth += 1
        elif c in closing:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _quote_count(text: str) -> int:
    return sum(text.count(q) for q in _DOUBLE_QUOTES)


def _runs_over(target: str) -> bool:
    """Whether the target's one unpaired quote opens a quotation at its start or closes one after
    sentence punctuation: a quotation running over several segments, as translators of dialogue write
    it ('"I saw ...' / '... they said." Larisa agreed.')."""
    at = [i for i, c in enumerate(target) if c in _DOUBLE_QUOTES]
    first, last = at[0], at[-1]
    if not target[:first].strip() and target[first] in _OPENING:
        return True
    return target[last] in _CLOSING and (last > 0 and target[last - 1] in ".,!?…;:")


_OPENING = '"“„«「『＂'
_CLOSING = '"”»」』＂'


@check("qa.brackets")
def check_brackets(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """Brackets unbalanced in the target that are balanced in the source; double quotes the target
    lost (an odd number where the source has an even one), or added unpaired in mid-segment (one that
    opens at the start or closes after punctuation is a quotation that runs over segments; where the
    source has none, translators add them to dialogue). Single quotes are left alone: an apostrophe
    is one too."""
    for opening, closing in _PAIRS:
        if _balanced(source, opening, closing) and not _balanced(target, opening, closing):
            at = [i for i, c in enumerate(target) if c in opening or c in closing]
            yield Issue(
                at[0] if at else 0,
                (at[-1] + 1) if at else len(target),
                f"The target's {opening[0]}{closing[0]} are unbalanced, the source's are not: {_sides(source, target)}",
                0.6,
            )
    sq = _quote_count(source)
    if sq % 2 or sq == 0:
        return
    tq = _quote_count(target)
    if tq % 2 and (tq < sq or not _runs_over(target)):
        at = [i for i, c in enumerate(target) if c in _DOUBLE_QUOTES]
        yield Issue(
            at[0],
            at[-1] + 1,
            f"The target has {tq} double quote{'s' if tq != 1 else ''}, the source {sq}: {_sides(source, target)}",
            0.6,
        )


# ----------------------------------------------------------------------------------- edge whitespace


def _edges(text: str) -> tuple[str, str]:
    core = text.strip()
    if not core:
        return text, ""
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return lead, trail


def _ws_class(ws: str) -> tuple[bool, bool]:
    return bool(ws), "\n" in ws or "\r" in ws


@check("qa.edge-whitespace")
def check_edge_whitespace(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """Leading or trailing whitespace (any, or a line break) the source has and the target not, or the
    other way round."""
    if not (source.strip() and target.strip()):
        return
    (sl, st), (tl, tt) = _edges(source), _edges(target)
    if _ws_class(sl) != _ws_class(tl):
        yield Issue(
            0, len(tl), f"Leading whitespace differs: source {sl!r}, target {tl!r}: {_sides(source, target)}", 0.5
        )
    if _ws_class(st) != _ws_class(tt):
        n = len(target)
        yield Issue(
            n - len(tt), n, f"Trailing whitespace differs: source {st!r}, target {tt!r}: {_sides(source, target)}", 0.5
        )


# ---------------------------------------------------------------------------------- end punctuation

_END = {".": ".", "。": ".", "．": ".", "｡": ".", "?": "?", "？": "?", "!": "!", "！": "!", ":": ":", "：": ":"}
# Stripped from the end before the final mark is read: closing brackets, and quotes of either shape
# (a closing quote written as an opening one is the quotes' business, not the full stop's).
_CLOSERS = "\"'”’»」』)]）】］›“‘„«"


def _final(text: str) -> tuple[str, int]:
    """The sentence-final punctuation class of ``text`` ('' for none, '…' for an ellipsis) and where."""
    i = len(text.rstrip())
    while i > 0 and (text[i - 1] in _CLOSERS or text[i - 1].isspace()):
        i -= 1
    if i == 0:
        return "", 0
    c = text[i - 1]
    if c == "…" or text[max(0, i - 3) : i] == "...":
        return "…", i - 1
    return _END.get(c, c if c in ",;" else ""), i - 1


# A Japanese or Chinese sentence that ends in a question particle asks, whatever its final mark.
_QUESTION_PARTICLE = re.compile(r"(?:か|かな|のか|吗|嗎|呢)[。.]?[\s」』”）)]*$")


def _headline(text: str) -> bool:
    """A headline or a caption: short, or mostly capitalised words; news writes it without a full stop."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if len(words) <= 12:
        return True
    return sum(1 for w in words if w[0].isupper()) >= 0.6 * len(words)


@check("qa.end-punctuation")
def check_end_punctuation(source: str, target: str, options: QAOptions) -> Iterator[Issue]:
    """The source ends with '.', '?', '!' or ':' (or their full-width forms) and the target with
    another mark, or with none where it is not a headline. A Japanese or Chinese question ('…のか。')
    may end in '?'."""
    want, _ = _final(source)
    if want not in {".", "?", "!", ":"} or not target.strip():
        return
    got, at = _final(target)
    if got == want or (got == "?" and _QUESTION_PARTICLE.search(source)) or (not got and _headline(target)):
        return
    mark = {"": "no final punctuation", "…": "an ellipsis"}.get(got, repr(got))
    end = len(target.rstrip())
    yield Issue(
        min(at, end),
        end,
        f"The source ends with {want!r}, the target with {mark}: {_sides(source, target)}",
        0.4,
    )
