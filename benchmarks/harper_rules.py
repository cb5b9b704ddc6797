"""Per-rule precision of Harper (``harper-py``) on learner and MT English, and its false alarms on clean text.

    python benchmarks/harper_rules.py [--data ../shared/data] [--limit N] [--mlqe-per-pair 1000]

Every Harper rule is switched on (the 12 that are off by default too) and each line is linted alone as
plain text with ``dedup=False``, so that each rule's lints are counted whatever the other rules found.
For each lint (a rule name from ``Linter.organized_lints``) the script applies each suggestion alone with
``Linter.apply_suggestion`` and asks whether the resulting token edits appear in a reference:

- source and references are tokenised into words and punctuation (curly quotes read as straight ones) and
  aligned with ``difflib``; every non-equal opcode is an edit (a replacement of equal length on both sides
  is split token by token); the lint's edits must all be found in ONE reference, each either equal to a
  reference edit or inside one (same or wider source span, the lint's replacement a contiguous part of the
  reference's replacement, and no token the lint removes kept by the reference);
- "first": the first suggestion; "any": at least one suggestion. A suggestion that makes no token edit
  (spacing or apostrophe style only) is counted apart and left out of the precision.

Corpora: JFLEG dev (learner sentences, four references; Moses-detokenised like ``benchmarks/run.py``), the
MLQE-PE train MT against its post-edits (both Moses-detokenised; a fixed-seed sample per language pair)
and the WMT21 references (clean human English: every lint there is a false alarm, or nearly). The flagged
text is classed as capitalised, lower-case or not a word. One pseudo-rule, ``SpellCheck[US&GB]``, keeps the
American SpellCheck lints that a British linter flags too (same span): dialect spelling variants left out.

The verdicts use MLQE-PE train and the WMT21 references only (JFLEG dev is the evaluation set: its
precision is a sanity column). Then speed: segments per second on WMT21 system-output lines for the
default configuration, every rule, SpellCheck alone and the allowed rules alone, one fresh ``Linter`` per
configuration (Harper caches lints per linter), one process. Writes benchmarks/results/harper_rules.json
and harper_rules.md.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harper
from sacremoses import MosesDetokenizer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PAIRS = ("et-en", "ne-en", "ro-en", "ru-en", "si-en")
SEED = 13
SPEED_LINES = 2000
DUAL_SPELL = "SpellCheck[US&GB]"
CLASSES = ("capitalised", "lower", "nonword")
CORPORA = ("jfleg", "mlqe", "refs")

# The verdict rule (MLQE-PE train and WMT21 references only).
MIN_SUPPORT = 10  # MLQE-PE lints whose first suggestion makes a token edit
MIN_PRECISION = 0.5  # share of those whose edit the post-editor made too
MAX_REFS_PER_1K = 1.0  # lints per 1,000 WMT21 reference segments (the project's bar for a changed segment)

TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
PRINT_TRIGGER = "She was looking forward to see them again."
LOOKING_FORWARD = re.compile(r"\blooking\s+forward\s+to\s+(\S+)", re.IGNORECASE)

Edit = tuple[int, int, tuple[str, ...]]  # source tokens [i1, i2) become the replacement


def tokens(text: str) -> list[str]:
    """Words (with inner apostrophes) and single punctuation marks; curly quotes read as straight."""
    return TOKEN.findall(text.translate(QUOTES))


def edits(src: Sequence[str], out: Sequence[str]) -> list[Edit]:
    """The token edits that turn ``src`` into ``out`` (difflib; equal-length replacements split per token)."""
    found: list[Edit] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, src, out, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            found += [(i1 + k, i1 + k + 1, (out[j1 + k],)) for k in range(i2 - i1) if src[i1 + k] != out[j1 + k]]
        else:
            found.append((i1, i2, tuple(out[j1:j2])))
    return found


@dataclass(frozen=True)
class Aligned:
    """A reference aligned to the source: its edits and the source tokens it keeps unchanged."""

    edits: tuple[Edit, ...]
    kept: frozenset[int]


def align(src: Sequence[str], ref: Sequence[str]) -> Aligned:
    """``edits(src, ref)`` and the source token indices inside difflib's equal blocks."""
    blocks = difflib.SequenceMatcher(None, src, ref, autojunk=False).get_matching_blocks()
    kept = frozenset(i for b in blocks for i in range(b.a, b.a + b.size))
    return Aligned(tuple(edits(src, ref)), kept)


def window(hyp: Iterable[Edit], n: int) -> set[int]:
    """The source tokens an edit touches, with one neighbour on each side (an insertion: the two around it)."""
    touched: set[int] = set()
    for i1, i2, _ in hyp:
        touched.update(range(max(i1 - 1, 0), min(i2 + 1, n)))
    return touched


def contains(whole: Sequence[str], part: Sequence[str]) -> bool:
    """Whether ``part`` is a contiguous run of ``whole`` (the empty run always is)."""
    n = len(part)
    return any(tuple(whole[k : k + n]) == tuple(part) for k in range(len(whole) - n + 1))


def edit_in(edit: Edit, ref_edits: Iterable[Edit], src: Sequence[str]) -> bool:
    """Whether a reference makes ``edit``: the same edit, or one reference edit that contains it."""
    i1, i2, repl = edit
    removed = set(src[i1:i2])
    for r1, r2, rrepl in ref_edits:
        if (r1, r2, rrepl) == edit:
            return True
        inside = r1 <= i1 and i2 <= r2 if i1 < i2 else r1 <= i1 <= r2
        if inside and contains(rrepl, repl) and not removed & set(rrepl):
            return True
    return False


def word_class(problem: str) -> str:
    """``capitalised`` / ``lower`` by the first letter of the flagged text; ``nonword`` without a letter."""
    letter = next((ch for ch in problem if ch.isalpha()), None)
    if letter is None:
        return "nonword"
    return "capitalised" if letter.isupper() else "lower"


@contextmanager
def native_output_captured() -> Iterator[Callable[[], str]]:
    """Send file descriptors 1 and 2 to a temporary file (Harper's Rust code prints there, past ``sys.stdout``).

    Yields a function that returns what was written since its previous call. Rust's ``println!`` flushes at
    each newline, so a check right after a call sees that call's output.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        seen = 0

        def new_output() -> str:
            nonlocal seen
            size = os.fstat(sink.fileno()).st_size
            if size == seen:
                return ""
            sink.seek(seen)
            text = sink.read(size - seen).decode("utf-8", "replace")
            seen = size
            return text

        try:
            yield new_output
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


@dataclass
class Segment:
    """One line to lint, with its references (none for the clean WMT21 references)."""

    where: str
    text: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """How one lint fared: its first suggestion's edits in a reference, any suggestion's, and whether the
    references decide it (a reference makes the first suggestion's edit, or keeps the tokens it touches and
    their neighbours unchanged; otherwise the post-editor rewrote that spot and the lint is moot)."""

    first: bool
    any: bool
    decided: bool


@dataclass
class Tally:
    """Counts for one rule on one corpus (overall and per class of the flagged text)."""

    lints: int = 0
    no_suggestion: int = 0
    no_edit: int = 0  # the first suggestion changes no token
    scored: int = 0  # lints whose first suggestion makes a token edit
    first: int = 0
    any: int = 0
    decided: int = 0  # scored lints a reference either makes or leaves untouched (window kept)
    by_class: dict[str, Counter[str]] = field(default_factory=lambda: {c: Counter() for c in CLASSES})
    kinds: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    class_examples: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CLASSES})

    def add(self, cls: str, kind: str, example: str, outcome: Outcome | None, no_sugg: bool) -> None:
        """Record one lint; ``outcome`` is None when it cannot be scored."""
        self.lints += 1
        self.kinds[kind] += 1
        c = self.by_class[cls]
        c["lints"] += 1
        if len(self.examples) < 8:
            self.examples.append(example)
        if len(self.class_examples[cls]) < 12:
            self.class_examples[cls].append(example)
        if no_sugg:
            self.no_suggestion += 1
            return
        if outcome is None:
            self.no_edit += 1
            return
        self.scored += 1
        c["scored"] += 1
        self.first += outcome.first
        self.any += outcome.any
        self.decided += outcome.decided
        c["first"] += outcome.first
        c["any"] += outcome.any
        c["decided"] += outcome.decided


def load_jfleg(data: Path, limit: int | None) -> list[Segment]:
    """JFLEG dev sources and their four references, Moses-detokenised."""
    detok = MosesDetokenizer(lang="en")
    folder = data / "jfleg"
    src = (folder / "dev.src").read_text(encoding="utf-8").splitlines()[:limit]
    refs = [(folder / f"dev.ref{k}").read_text(encoding="utf-8").splitlines() for k in range(4)]
    return [
        Segment(
            f"jfleg/dev.src:{i + 1}", detok.detokenize(s.split()), tuple(detok.detokenize(r[i].split()) for r in refs)
        )
        for i, s in enumerate(src)
    ]


def load_mlqe(data: Path, per_pair: int) -> list[Segment]:
    """A fixed-seed sample of MLQE-PE train MT lines per pair, with the post-edit as reference (detokenised)."""
    detok = MosesDetokenizer(lang="en")
    segs: list[Segment] = []
    for pair in PAIRS:
        folder = data / "mlqe-pe" / pair
        mt = (folder / "train.mt").read_text(encoding="utf-8").splitlines()
        pe = (folder / "train.pe").read_text(encoding="utf-8").splitlines()
        picked = sorted(random.Random(f"{SEED}/{pair}").sample(range(len(mt)), min(per_pair, len(mt))))
        segs += [
            Segment(
                f"mlqe-pe/{pair}/train.mt:{i + 1}", detok.detokenize(mt[i].split()), (detok.detokenize(pe[i].split()),)
            )
            for i in picked
        ]
    return segs


def load_lines(files: Iterable[Path], limit: int | None) -> list[Segment]:
    """Every line (at most ``limit`` per file) of plain one-segment-per-line files."""
    return [
        Segment(f"{f.parent.name}/{f.name}:{i + 1}", s)
        for f in files
        for i, s in enumerate(f.read_text(encoding="utf-8").splitlines()[:limit])
    ]


def all_rules_linter(dialect: harper.Dialect = harper.Dialect.AMERICAN) -> harper.Linter:
    """A linter with every rule on, the ones that are off by default included."""
    linter = harper.Linter(dialect)
    linter.set_lint_config(dict.fromkeys(linter.get_default_lint_config(), True))
    return linter


def spell_only_linter(dialect: harper.Dialect) -> harper.Linter:
    """A linter that runs SpellCheck alone."""
    linter = harper.Linter(dialect)
    linter.set_lint_config({k: k == "SpellCheck" for k in linter.get_default_lint_config()})
    return linter


def score_corpus(
    segs: Sequence[Segment], linter: harper.Linter, british: harper.Linter, printed: list[dict[str, str]]
) -> dict[str, Tally]:
    """Lint every segment with every rule; score each lint's suggestions against the segment's references."""
    tallies: dict[str, Tally] = {}
    with native_output_captured() as new_output:
        for seg in segs:
            organized = linter.organized_lints(seg.text, language="plaintext", dedup=False)
            spell_gb = {
                (lint.span.start, lint.span.end) for lint in british.lint(seg.text, language="plaintext", dedup=False)
            }
            out = new_output()
            if out:
                printed.append({"where": seg.where, "text": seg.text, "printed": out})
            src = tokens(seg.text)
            refs = [align(src, tokens(r)) for r in seg.refs]
            for rule, lints in organized.items():
                for lint in lints:
                    outcome = judge(seg.text, src, refs, linter, lint) if refs else None
                    example = describe(lint)
                    cls = word_class(lint.problem_text)
                    no_sugg = not lint.suggestions
                    names = [rule]
                    if rule == "SpellCheck" and (lint.span.start, lint.span.end) in spell_gb:
                        names.append(DUAL_SPELL)
                    for name in names:
                        tallies.setdefault(name, Tally()).add(cls, lint.lint_kind, example, outcome, no_sugg)
    return tallies


def describe(lint: harper.Lint) -> str:
    """``problem → first suggestion`` for the report (``—``: no suggestion)."""
    if not lint.suggestions:
        return f"{lint.problem_text} → —"
    sugg = lint.suggestions[0]
    if sugg.kind == harper.SuggestionKind.REMOVE:
        return f"{lint.problem_text!r} → (removed)"
    if sugg.kind == harper.SuggestionKind.INSERT_AFTER:
        return f"{lint.problem_text} → {lint.problem_text}{sugg.replacement_text}"
    return f"{lint.problem_text} → {sugg.replacement_text}"


def judge(text: str, src: list[str], refs: list[Aligned], linter: harper.Linter, lint: harper.Lint) -> Outcome | None:
    """Score a lint's suggestions against the references; None when the first one makes no token edit."""
    results: list[bool | None] = []
    first_edits: list[Edit] = []
    for k, sugg in enumerate(lint.suggestions):
        hyp = edits(src, tokens(linter.apply_suggestion(text, lint, sugg)))
        if k == 0:
            first_edits = hyp
        results.append(any(all(edit_in(e, ref.edits, src) for e in hyp) for ref in refs) if hyp else None)
    if not results or results[0] is None:
        return None
    touched = window(first_edits, len(src))
    decided = results[0] or any(touched <= ref.kept for ref in refs)
    return Outcome(first=results[0], any=any(bool(r) for r in results), decided=decided)


def ratio(num: int, den: int) -> float | None:
    """``num / den`` rounded, None for an empty denominator."""
    return round(num / den, 3) if den else None


def verdict(row: dict[str, Any]) -> tuple[str, str]:
    """allow / only-lowercase / deny from MLQE-PE train decided precision and the WMT21 reference rate."""
    m, refs_rate, refs_lower = row["mlqe"], row["refs_per_1k"], row["refs_lower_per_1k"]
    if row["no_suggestion_share"] == 1.0:
        return "deny", "no suggestions: a flag at most"

    def passes(d: dict[str, Any], rate: float) -> bool:
        return d["decided"] >= MIN_SUPPORT and (d["decided_p"] or 0) >= MIN_PRECISION and rate <= MAX_REFS_PER_1K

    if passes(m, refs_rate):
        return "allow", ""
    if passes(m["lower"], refs_lower):
        return "only-lowercase", ""
    if m["decided"] < MIN_SUPPORT:
        return "deny", f"{m['decided']} decided on MLQE-PE"
    if (m["decided_p"] or 0) < MIN_PRECISION:
        return "deny", f"MLQE-PE P {m['decided_p']:.2f}"
    return "deny", f"refs {refs_rate}/1k"


def rows_of(
    tallies: dict[str, dict[str, Tally]], sizes: dict[str, int], defaults: dict[str, bool]
) -> list[dict[str, Any]]:
    """One row per rule that fired anywhere, sorted by total lints."""
    rules = sorted({r for t in tallies.values() for r in t})
    rows = []
    for rule in rules:
        row: dict[str, Any] = {"rule": rule, "default_on": defaults.get(rule, defaults.get("SpellCheck"))}
        kinds: Counter[str] = Counter()
        no_sugg = total = 0
        for corpus in CORPORA:
            t = tallies[corpus].get(rule, Tally())
            kinds += t.kinds
            total += t.lints
            no_sugg += t.no_suggestion
            row[corpus] = {
                "lints": t.lints,
                "no_suggestion": t.no_suggestion,
                "no_edit": t.no_edit,
                "scored": t.scored,
                "first_p": ratio(t.first, t.scored),
                "any_p": ratio(t.any, t.scored),
                "decided": t.decided,
                "decided_p": ratio(t.first, t.decided),
                "classes": {c: t.by_class[c]["lints"] for c in CLASSES},
                "examples": t.examples,
            }
            for c in CLASSES:
                bc = t.by_class[c]
                row[corpus][c] = {
                    "lints": bc["lints"],
                    "scored": bc["scored"],
                    "first_p": ratio(bc["first"], bc["scored"]),
                    "any_p": ratio(bc["any"], bc["scored"]),
                    "decided": bc["decided"],
                    "decided_p": ratio(bc["first"], bc["decided"]),
                    "examples": t.class_examples[c],
                }
        row["kind"] = kinds.most_common(1)[0][0] if kinds else ""
        row["total"] = total
        row["no_suggestion_share"] = ratio(no_sugg, total)
        row["refs_per_1k"] = round(1000 * row["refs"]["lints"] / max(sizes["refs"], 1), 2)
        row["refs_lower_per_1k"] = round(1000 * row["refs"]["lower"]["lints"] / max(sizes["refs"], 1), 2)
        row["verdict"], row["why"] = verdict(row)
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["total"], r["rule"]))


def scan_for_output(segs: Sequence[Segment]) -> list[dict[str, str]]:
    """Lint every segment with every rule on, fds 1/2 captured; the segments whose linting printed."""
    linter = all_rules_linter()
    printed = []
    with native_output_captured() as new_output:
        for seg in segs:
            linter.lint(seg.text, language="plaintext")
            out = new_output()
            if out:
                printed.append({"where": seg.where, "text": seg.text, "printed": out})
    return printed


def time_config(
    lines: Sequence[str], warmup: Sequence[str], config: dict[str, bool] | None, per_call: bool
) -> tuple[float, int]:
    """Seconds to lint ``lines`` with a fresh linter (after ``warmup``), and the lints found.

    fds 1 and 2 are redirected around the whole loop, or around each call when ``per_call``."""
    linter = harper.Linter()
    if config is not None:
        linter.set_lint_config(config)
    with native_output_captured():
        for s in warmup:
            linter.lint(s, language="plaintext")
        if not per_call:
            start = time.perf_counter()
            lints = sum(len(linter.lint(s, language="plaintext")) for s in lines)
            return time.perf_counter() - start, lints
    lints = 0
    start = time.perf_counter()
    for s in lines:
        with native_output_captured():
            lints += len(linter.lint(s, language="plaintext"))
    return time.perf_counter() - start, lints


def speed(
    lines: Sequence[str], warmup: Sequence[str], configs: dict[str, dict[str, bool] | None], repeats: int = 3
) -> list[dict[str, Any]]:
    """Segments per second of ``Linter.lint`` (plain text, default dedup) per configuration: best and median of
    ``repeats`` runs, each with a fresh linter (Harper caches lints per linter and text)."""
    defaults = harper.get_default_lint_config()
    runs = [(name, config, False) for name, config in configs.items()]
    runs.append(("default configuration, fds 1/2 redirected around each call", None, True))
    out = []
    for name, config, per_call in runs:
        times, lints = [], 0
        for _ in range(repeats):
            elapsed, lints = time_config(lines, warmup, config, per_call)
            times.append(elapsed)
        times.sort()
        on = sum(defaults.values()) if config is None else sum(1 for v in config.values() if v)
        out.append(
            {
                "config": name,
                "rules_on": on,
                "segments": len(lines),
                "best_seconds": round(times[0], 2),
                "segments_per_s": round(len(lines) / times[0], 1),
                "median_segments_per_s": round(len(lines) / times[len(times) // 2], 1),
                "lints": lints,
            }
        )
    return out


def api_facts() -> dict[str, Any]:
    """Check, on the installed package, the API facts the report states."""
    start = time.perf_counter()
    linter = harper.Linter()
    construct = time.perf_counter() - start
    text = "Pétain’s café is an nice place."
    lints = linter.lint(text, language="plaintext")
    an = next(lint for lint in lints if lint.problem_text == "an")
    with native_output_captured() as new_output:
        linter.lint(PRINT_TRIGGER, language="plaintext")
        printed = new_output()
        off = harper.Linter()
        off.set_lint_config({"LookingForwardTo": False})
        off.lint(PRINT_TRIGGER, language="plaintext")
        printed_off = new_output()
    defaults = linter.get_default_lint_config()
    meta = importlib.metadata.metadata("harper-py")
    return {
        "harper_py_version": importlib.metadata.version("harper-py"),
        "licence": meta.get("License-Expression") or meta.get("License"),
        "harper_core_version": "2.13.0 (per the package README)",
        "offsets": "code points"
        if (an.span.start, an.span.end) == (text.index(" an ") + 1, text.index(" an ") + 3)
        else "NOT code points",
        "span_example": {"text": text, "problem": an.problem_text, "start": an.span.start, "end": an.span.end},
        "construct_seconds": round(construct, 2),
        "rules": len(defaults),
        "rules_on_by_default": sum(defaults.values()),
        "rules_off_by_default": sorted(k for k, v in defaults.items() if not v),
        "print_trigger": PRINT_TRIGGER,
        "printed": printed,
        "printed_with_LookingForwardTo_off": printed_off,
    }


API_NOTES = """\
## The harper-py API (checked on the installed package: `harper/__init__.pyi`, docstrings)

- `from harper import Linter, Dialect, SuggestionKind`; `linter = Linter(Dialect.AMERICAN)` (also `BRITISH`,
  `AUSTRALIAN`, `CANADIAN`, `INDIAN`; the `dialect` property can be set, which rebuilds the linter and resets
  its config). Construction loads the dictionary ({construct} s here): build one and reuse it. Not
  thread-safe: one per thread; the GIL is released while linting.
- `linter.lint(text, language="plaintext", dedup=True) -> list[Lint]`. **The default language is Markdown**:
  pass `language="plaintext"` (or `harper.Language.PLAINTEXT`) for MT segments.
- `linter.organized_lints(text, language=..., dedup=...) -> dict[rule name, list[Lint]]`: the only way to
  learn which rule made a lint (a `Lint` has no rule name). Every rule is a key.
- `Lint`: `span.start`, `span.end` are **code-point (Python `str`) indices**, `text[span.start:span.end] ==
  lint.problem_text` (checked with `Pétain’s café`); `lint_kind` (a key such as `"Spelling"`, `"Agreement"`,
  `"WordChoice"`), `lint_kind_pretty`, `message`, `message_html`, `suggestions`, `suggestion_count`,
  `to_json()` / `Lint.from_json()`.
- `Suggestion`: `kind` (`SuggestionKind.REPLACE` / `REMOVE` / `INSERT_AFTER`) and `replacement_text` (empty for
  `REMOVE`). Apply one with `linter.apply_suggestion(text, lint, suggestion) -> str` (the whole text, changed;
  it also records a statistic in the linter).
- Rules: `linter.get_default_lint_config()` (or `harper.get_default_lint_config()`) -> `{{rule: on by
  default}}`, {rules} rules, {on} on by default; `linter.get_lint_descriptions()` -> `{{rule: Markdown text}}`.
  `linter.set_lint_config({{rule: True | False | None}})` replaces the configuration; a rule left out (or `None`)
  takes its default. So `set_lint_config({{"SpellCheck": False}})` turns one rule off, and
  `set_lint_config({{r: r in ALLOWED for r in linter.get_default_lint_config()}})` runs an allow list only.
- Other: `is_likely_english`, `isolate_english`, `import_words` (a user dictionary: the way to teach it names),
  `ignore_lint`, `context_hash`, `regex_mask=` (text matching it is not linted).
- Harper caches lints per linter and text: linting the same line again costs about a tenth; time on lines it
  has not seen.
- **Native output.** One rule, `LookingForwardTo` ("looking forward to" + a base verb), calls Rust's
  `println!` in Harper {core}: `{trigger}` prints `{printed}` to file descriptor 1 (not `sys.stdout`, so
  `contextlib.redirect_stdout` does not catch it). With the rule off nothing is printed
  ({printed_off!r}). To silence it without losing the rule, redirect fds 1 and 2 with `os.dup2` around the
  calls (flush `sys.stdout` first; the print ends in a newline, so Rust's line buffer is flushed at once and
  nothing leaks after the fds are restored); this script does that around each corpus loop.
  {found}
"""


def good(d: dict[str, Any]) -> bool:
    """Enough decided lints, precise enough."""
    return d["decided"] >= MIN_SUPPORT and (d["decided_p"] or 0) >= MIN_PRECISION


def review_candidates(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Denied rules worth a person's look: precise on MLQE-PE but over the reference rate, and rules that MT and
    the references hardly ever trigger but that look precise on JFLEG dev (to be judged on a held-out learner set,
    never allowed on JFLEG dev alone)."""
    denied = [r for r in rows if r["verdict"] == "deny" and r["no_suggestion_share"] != 1.0]
    return {
        "refs_rate_only": [r["rule"] for r in denied if good(r["mlqe"]) or good(r["mlqe"]["lower"])],
        "no_mt_evidence": [
            r["rule"]
            for r in denied
            if r["mlqe"]["decided"] < MIN_SUPPORT
            and r["refs_per_1k"] <= MAX_REFS_PER_1K
            and r["jfleg"]["decided"] >= 5
            and (r["jfleg"]["decided_p"] or 0) >= MIN_PRECISION
        ],
    }


def markdown(result: dict[str, Any]) -> str:
    """The report: API notes, the verdict rule, the per-rule table, speed."""
    facts, sizes = result["api"], result["segments"]
    printed = list(result["native_output"])
    scan = result["native_output_scan"]
    scanned = (
        f"{sizes['jfleg'] + sizes['mlqe'] + sizes['refs']:,} segments of JFLEG dev, MLQE-PE and the WMT21 references"
    )
    if scan:
        printed += scan["printed"]
        scanned += f" and all {scan['segments']:,} WMT21 system-output lines (`--scan-outputs`)"
    else:
        scanned += " (not the system outputs: run with `--scan-outputs`)"
    if printed:
        found = (
            f"Linted here, with every rule on: {scanned}. Lines that print: "
            + "; ".join(f"`{p['where']}` ({p['printed'].strip()!r})" for p in printed[:10])
            + "."
        )
    else:
        found = (
            f"Linted here, with every rule on: {scanned}. **None of them makes Harper print**: the print needs "
            '"looking forward to" followed by a word tagged as a verb that does not end in -ing, and what follows '
            '"looking forward to" in these lines is: '
            + ", ".join(f"`{w}` {n}" for w, n in result["looking_forward_to_followers"].items())
            + "."
        )
    notes = API_NOTES.format(
        construct=facts["construct_seconds"],
        rules=facts["rules"],
        on=facts["rules_on_by_default"],
        core=facts["harper_core_version"],
        trigger=facts["print_trigger"],
        printed=facts["printed"].strip(),
        printed_off=facts["printed_with_LookingForwardTo_off"],
        found=found,
    )
    allow = [r for r in result["rules"] if r["verdict"] == "allow"]
    lower = [r for r in result["rules"] if r["verdict"] == "only-lowercase"]

    def p(d: dict[str, Any]) -> str:
        if not d["scored"]:
            return "—"
        return f"{d['first_p']:.2f} / {d['any_p']:.2f} ({d['scored']})"

    def dp(d: dict[str, Any]) -> str:
        return f"{d['decided_p']:.2f} ({d['decided']})" if d["decided"] else "—"

    def cl(d: dict[str, Any]) -> str:
        return "/".join(str(d["classes"][c]) for c in CLASSES)

    by_rule = {r["rule"]: r for r in result["rules"]}
    borderline = [by_rule[r] for r in result["review"]["refs_rate_only"]]
    untested = [by_rule[r] for r in result["review"]["no_mt_evidence"]]
    lines = [
        "# Harper rules: precision on learner and MT English, false alarms on clean English",
        "",
        f"harper-py {facts['harper_py_version']} ({facts['licence']}), Harper {facts['harper_core_version']}, "
        f"American dialect, plain text, every rule on, `dedup=False`. Produced by `benchmarks/harper_rules.py` "
        f"on {result['date']}.",
        "",
        notes,
        "## Method",
        "",
        f"Segments: JFLEG dev {sizes['jfleg']} (learner English, four references, Moses-detokenised), MLQE-PE "
        f"train {sizes['mlqe']} (MT against its post-edit, {result['mlqe_per_pair']} per pair, seed {SEED}, both "
        f"Moses-detokenised), WMT21 references {sizes['refs']} (clean human English). A lint is scored when its "
        "first suggestion, applied alone, makes a token edit (spacing or apostrophe-style changes are counted apart). "
        "Source and reference are tokenised into words and punctuation and aligned with difflib; a lint's edit "
        "appears in a reference when the reference makes the same edit at the same source position, or a larger "
        "edit there that contains it. **P first / any**: share of scored lints whose first (any) suggestion's "
        "edits all appear in one reference. **P decided**: the same share among the lints the references decide: "
        "a reference makes the edit, or keeps the flagged tokens and one neighbour on each side unchanged (the "
        "writer saw it and left it). A post-editor who rewrote the spot (`a amic` -> `a friend`: the lint's "
        "`an` is moot) decides nothing; MLQE-PE post-edits rewrite a lot, so plain precision there mostly "
        "measures how much was rewritten. c/l/n: lints on capitalised / lower-case / non-word text. "
        f"`{DUAL_SPELL}`: American SpellCheck lints that a British SpellCheck flags too (dialect variants such "
        "as `colour`, `recognise` left out).",
        "",
        f"**Verdict rule** (MLQE-PE train and WMT21 references only; JFLEG dev is the evaluation set and only a "
        f"sanity column): **allow** when at least {MIN_SUPPORT} MLQE-PE lints are decided, their decided precision "
        f"is at least {MIN_PRECISION} and the rule makes at most {MAX_REFS_PER_1K:g} lint per 1,000 WMT21 "
        "reference segments (the project's bar for changed reference segments); **only-lowercase** when the same "
        "holds for its lints on lower-case text alone (its lints on capitalised words are dropped); **deny** "
        "otherwise: too little evidence counts as deny, and a rule without suggestions can only flag.",
        "",
        f"**Allow list** ({len(allow)}): " + (", ".join(f"`{r['rule']}`" for r in allow) or "none") + ".",
        "",
        f"**Only lower-case** ({len(lower)}): " + (", ".join(f"`{r['rule']}`" for r in lower) or "none") + ".",
        "",
    ]
    if borderline:
        lines += [
            "**Denied on the reference rate alone** (precise on MLQE-PE, but more than "
            f"{MAX_REFS_PER_1K:g} lint per 1,000 reference segments; some of those lints may be real slips in "
            "the references): "
            + "; ".join(
                f"`{r['rule']}` ({r['refs_per_1k']}/1k, lower-case {r['refs_lower_per_1k']}/1k: "
                + ", ".join(r["refs"]["lower"]["examples"][:12] or r["refs"]["examples"][:6])
                + ")"
                for r in borderline
            )
            + ".",
            "",
        ]
    if untested:
        lines += [
            "**Denied for want of MT evidence** (fewer than "
            f"{MIN_SUPPORT} decided MLQE-PE lints, at most {MAX_REFS_PER_1K:g} per 1,000 reference segments, decided "
            "precision at least 0.5 on JFLEG dev: to be judged on the held-out learner set, not on JFLEG dev): "
            + "; ".join(
                f"`{r['rule']}` (JFLEG {r['jfleg']['decided_p']:.2f} of {r['jfleg']['decided']}, MLQE-PE "
                f"{r['mlqe']['lints']} lints, refs {r['refs_per_1k']}/1k)"
                for r in untested
            )
            + ".",
            "",
        ]
    lines += [
        "| rule | kind | JFLEG lints (c/l/n) | JFLEG P first / any (scored) | JFLEG P decided | MLQE lints (c/l/n) "
        "| MLQE P first / any (scored) | MLQE P decided | MLQE lower-case P decided | WMT21 refs lints (c/l/n) "
        "| refs per 1k (lower-case) | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["rules"]:
        j, m, f = r["jfleg"], r["mlqe"], r["refs"]
        v = r["verdict"] + (f" ({r['why']})" if r["why"] and r["verdict"] == "deny" and r["total"] >= 20 else "")
        lines.append(
            f"| `{r['rule']}` | {r['kind']} | {j['lints']} ({cl(j)}) | {p(j)} | {dp(j)} | {m['lints']} ({cl(m)}) "
            f"| {p(m)} | {dp(m)} | {dp(m['lower'])} | {f['lints']} ({cl(f)}) | {r['refs_per_1k']} "
            f"({r['refs_lower_per_1k']}) | {v} |"
        )
    lines += [
        "",
        f"Rules that never fired on these corpora: {result['never_fired']} of {facts['rules']}.",
        "",
        "## Lints on the WMT21 references (examples, first suggestion)",
        "",
    ]
    shown = [r for r in result["rules"] if r["verdict"] != "deny"] + result["rules"][:12]
    for r in dict.fromkeys(x["rule"] for x in shown):
        row = next(x for x in result["rules"] if x["rule"] == r)
        if row["refs"]["lints"]:
            lines.append(f"- `{r}` ({row['verdict']}): " + "; ".join(row["refs"]["examples"][:8]))
    lines += [
        "",
        f"## Speed ({SPEED_LINES if sizes['speed'] >= SPEED_LINES else sizes['speed']} WMT21 system-output lines, "
        f'seed {SEED}, one process, `lint(language="plaintext")`, fresh linter per run; load average '
        f"(1, 5, 15 min) at start {result['load_average']} on 2 shared cores)",
        "",
        "| configuration | rules on | segments/s (best of 3) | median segments/s | best seconds | lints |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s['config']} | {s['rules_on']} | {s['segments_per_s']} | {s['median_segments_per_s']} | "
        f"{s['best_seconds']} | {s['lints']} |"
        for s in result["speed"]
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--limit", type=int, default=None, help="at most this many lines per source file (smoke runs)")
    ap.add_argument("--mlqe-per-pair", type=int, default=2000, help="MLQE-PE train lines sampled per language pair")
    ap.add_argument(
        "--scan-outputs",
        action="store_true",
        help="also lint every WMT21 system-output line (every rule on) to find lines that make Harper print",
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder for harper_rules.json and harper_rules.md")
    args = ap.parse_args()
    data, limit = args.data, args.limit
    per_pair = min(args.mlqe_per_pair, limit) if limit else args.mlqe_per_pair
    wmt = data / "wmt21"
    corpora = {
        "jfleg": load_jfleg(data, limit),
        "mlqe": load_mlqe(data, per_pair),
        "refs": load_lines(sorted((wmt / "references").glob("*")), limit),
    }
    facts = api_facts()
    linter, british = all_rules_linter(), spell_only_linter(harper.Dialect.BRITISH)
    printed: list[dict[str, str]] = []
    tallies: dict[str, dict[str, Tally]] = {}
    for name, segs in corpora.items():
        start = time.perf_counter()
        tallies[name] = score_corpus(segs, linter, british, printed)
        print(f"{name}: {len(segs)} segments, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    sizes = {k: len(v) for k, v in corpora.items()}
    defaults = linter.get_default_lint_config()
    rows = rows_of(tallies, sizes, defaults)
    allowed = [r["rule"] for r in rows if r["verdict"] == "allow" and r["rule"] != DUAL_SPELL]
    lower_only = [r["rule"] for r in rows if r["verdict"] == "only-lowercase" and r["rule"] != DUAL_SPELL]
    if DUAL_SPELL in {r["rule"] for r in rows if r["verdict"] != "deny"} and "SpellCheck" not in allowed + lower_only:
        lower_only.append("SpellCheck")  # the pseudo-rule needs SpellCheck (and a British spell-only linter)

    review = review_candidates(rows)
    candidates = [r for r in review["refs_rate_only"] + review["no_mt_evidence"] if r != DUAL_SPELL]
    outputs = load_lines(sorted((wmt / "system-outputs").glob("*")), limit)
    rng = random.Random(SEED)
    picked = rng.sample(range(len(outputs)), min(SPEED_LINES + 50, len(outputs)))
    speed_lines = [outputs[i].text for i in picked[:SPEED_LINES]]
    warmup = [outputs[i].text for i in picked[SPEED_LINES:]]
    sizes["speed"] = len(speed_lines)
    configs: dict[str, dict[str, bool] | None] = {
        "default configuration": None,
        "every rule": dict.fromkeys(defaults, True),
        "SpellCheck only": {k: k == "SpellCheck" for k in defaults},
        "no rule (tokenising and parsing only)": dict.fromkeys(defaults, False),
        "allowed rules only (allow + only-lowercase)": {k: k in allowed + lower_only for k in defaults},
        "allowed + review candidates": {k: k in allowed + lower_only + candidates for k in defaults},
    }
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "api": facts,
        "segments": sizes,
        "mlqe_per_pair": per_pair,
        "seed": SEED,
        "verdict_rule": {
            "min_support": MIN_SUPPORT,
            "min_precision": MIN_PRECISION,
            "max_refs_per_1k": MAX_REFS_PER_1K,
            "sources": "MLQE-PE train (precision) and WMT21 references (rate); JFLEG dev is a sanity column",
        },
        "allow": allowed,
        "only_lowercase": [r["rule"] for r in rows if r["verdict"] == "only-lowercase"],
        "speed_allowed_config": sorted(allowed + lower_only),
        "review": review,
        "native_output": printed,
        "native_output_scan": None,
        "never_fired": len(set(defaults) - {r["rule"] for r in rows}),
        "rules": rows,
    }
    scanned = [seg for segs in corpora.values() for seg in segs] + (outputs if args.scan_outputs else [])
    followers = Counter(m.group(1).lower() for seg in scanned for m in LOOKING_FORWARD.finditer(seg.text))
    result["looking_forward_to_followers"] = dict(followers.most_common())
    if args.scan_outputs:
        start = time.perf_counter()
        found = scan_for_output(outputs)
        result["native_output_scan"] = {"segments": len(outputs), "printed": found}
        print(f"scan: {len(outputs)} segments, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print("speed ...", file=sys.stderr)
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    result["speed"] = speed(speed_lines, warmup, configs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "harper_rules.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    (args.out / "harper_rules.md").write_text(markdown(result), encoding="utf-8")
    print(f"allow: {allowed}", file=sys.stderr)


if __name__ == "__main__":
    main()
