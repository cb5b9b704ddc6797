"""The argument parser of ``mtfix``: subcommands ``clean`` and ``check``, their options and help."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import mtfix
from mtfix import pipeline
from mtfix.cli.options import STAGE_DEST
from mtfix.cli.plan import DEFAULT_GLOBS
from mtfix.io import MAX_LINE

_EXIT_STATUS = """\
exit status:
  0    success (check: nothing to change or flag; clean --diff: nothing to change)
  1    check found something to change or flag; clean --diff: something to change
  2    a usage error, or a bad input: missing or unreadable file, invalid UTF-8 in a
       text file, unwritable output; the other inputs are still processed
  3    clean, report: every output is complete, but some JSON Lines records could not be cleaned
       (malformed, not an object, no text field, not a string, invalid UTF-8): they were
       passed through unchanged, or written to --rejects; each is named on stderr
  130  interrupted (no partial output is left behind)
"""

_EPILOG = f"""\
examples:
  mtfix clean --no-model article.txt               clean one file to standard output
  mtfix clean --no-model < in.txt > out.txt        standard input to standard output
  mtfix clean --no-model corpus/ -o cleaned/       mirror a folder tree (*.txt, *.jsonl)
  mtfix clean --no-model --in-place --backup .orig notes.txt
  mtfix clean --no-model data.jsonl --field body -o out.jsonl
  mtfix clean --no-model corpus/ -o out/ --log changes.jsonl --workers 4
  mtfix clean --no-model --diff article.txt        show what would change, write nothing
  mtfix check --no-model docs/                     lint: path:line:col: kind: message
  mtfix check --no-model --report json docs/       the same findings as JSON Lines
  mtfix report --no-model corpus/ -o review.html   a review report: accept or reject each change
  mtfix apply --decisions decisions.json corpus/ -o reviewed/   the changes the review kept
  mtfix clean --no-model app.xlf -o app.clean.xlf  XLIFF, PO, TMX: the targets cleaned, tags kept
  mtfix check --no-model bitext.tsv --source-column 1 --target-column 2   QA checks against the source
  mtfix filter bitext.tsv --source-column 1 --target-column 2 --kept kept.tsv --dropped dropped.tsv
  python -m mtfix ...                              the same

{_EXIT_STATUS}"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mtfix`` (subcommands ``clean`` and ``check``).

    Every namespace it returns has every attribute :meth:`mtfix.cli.options.Options.from_args`
    reads: ``check`` gets the defaults of the options only ``clean`` has.
    """
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="mtfix",
        description="Find and repair the damage machine translation leaves in English text.",
        epilog=_EPILOG,
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"mtfix {mtfix.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    inputs = _inputs_parser()
    common = argparse.ArgumentParser(add_help=False, parents=[inputs])
    common.add_argument(
        "--skip-bad-lines",
        action="store_true",
        help="deprecated, and no longer drops anything: a JSON Lines record that cannot be cleaned always "
        "passes through unchanged (see --rejects)",
    )
    _add_stage_arguments(common.add_argument_group("cleaning"))
    common.add_argument_group("workers").add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes (0: one per CPU; default 1)"
    )

    clean = sub.add_parser(
        "clean",
        parents=[common],
        formatter_class=fmt,
        help="repair files, folders or standard input",
        description="Repair files, folders or standard input.\n\n"
        "Each line of a text file, or the --field of each JSON Lines record, is cleaned on its own.\n"
        "A record keeps every other byte as it was and gains its change log under --log-key.\n"
        "Files are written under a temporary name and renamed into place once complete.",
        epilog=_EPILOG,
    )
    _add_output_arguments(clean).add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of what would change (exit status 1 if anything would)",
    )
    clean.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the --diff (default: auto, on a terminal)",
    )
    clean.add_argument(
        "--log",
        metavar="FILE",
        help="write the change log as JSON Lines: one record (path, line, changes, flags) per line "
        "cleaned; its changes replayed on the input line give the output line",
    )
    clean.add_argument(
        "--rejects",
        metavar="FILE",
        help="JSON Lines: write the records that cannot be cleaned to FILE, byte for byte, instead of "
        "passing them through unchanged into the output",
    )
    clean.add_argument(
        "--explain",
        action="store_true",
        help="also print a readable change log on standard error: path:line:col: kind 'before' -> 'after'",
    )
    _add_log_key(clean)
    clean.add_argument(
        "--report",
        dest="html_report",
        metavar="FILE.html",
        help="also write the review report (see 'mtfix report'): every change in context, to accept or reject",
    )
    _add_report_arguments(clean)
    _add_engine_arguments(clean)
    clean.set_defaults(report="text")

    check = sub.add_parser(
        "check",
        parents=[common],
        formatter_class=fmt,
        help="report what clean would change and what it flags, like a linter",
        description="Report what 'mtfix clean' would change and what it flags, one finding a line:\n"
        "  path:line:col: kind: message\n"
        "(1-based line and column; the column counts characters of the line or the record's text).",
        epilog=_EXIT_STATUS,
    )
    check.add_argument(
        "--report",
        choices=("text", "json"),
        default="text",
        help="the findings: text (default), or json: one JSON object per finding (path, line, column, type "
        "and the change or flag)",
    )
    check.set_defaults(**_CLEAN_ONLY, html_report=None)

    report = sub.add_parser(
        "report",
        parents=[common],
        formatter_class=fmt,
        help="write a review report: one HTML file to accept or reject each change in",
        description="Clean the inputs as 'mtfix clean' would, write nothing but a review report: one\n"
        "self-contained HTML file (it fetches nothing) listing every segment with a change or a flag,\n"
        "the changed words highlighted, with filters, search and keyboard navigation. Accept or reject\n"
        "changes there, export decisions.json, and 'mtfix apply --decisions decisions.json' writes the\n"
        "inputs with the changes kept, byte for byte.",
        epilog=_EXIT_STATUS,
    )
    report.add_argument("-o", "--output", dest="html_report", metavar="FILE.html", required=True, help="the report")
    _add_report_arguments(report)
    report.set_defaults(**_CLEAN_ONLY, report="text")

    filt = sub.add_parser(
        "filter",
        parents=[common],
        formatter_class=fmt,
        help="split bitext (TSV, JSON Lines) into kept and dropped pairs, each dropped one with its reasons",
        description="Clean each pair as 'mtfix clean' would and sort it: to --kept, cleaned, or to --dropped, as\n"
        "it came in with its reasons (TSV and text: a last column; JSON Lines: an 'mtfix_dropped' field).\n"
        "A pair is dropped when a finding of a --drop kind is made on it; records that cannot be read are\n"
        "dropped too, with that reason. Thresholds: the --qa-... switches.",
        epilog=_EXIT_STATUS,
    )
    filt.add_argument("--kept", required=True, metavar="FILE", help="the pairs kept, cleaned")
    filt.add_argument("--dropped", required=True, metavar="FILE", help="the pairs dropped, with their reasons")
    filt.add_argument(
        "--drop",
        action="append",
        metavar="KIND",
        help="a kind (or kind prefix, e.g. qa) that drops a pair (repeatable; default: "
        "qa.empty qa.untranslated qa.number qa.placeholder qa.tag qa.url qa.length untranslated)",
    )
    filt.set_defaults(**{**_CLEAN_ONLY, "log_key": ""}, html_report=None, report="text")

    apply = sub.add_parser(
        "apply",
        parents=[inputs],
        formatter_class=fmt,
        help="write the inputs with the changes a review kept (mtfix report's decisions)",
        description="Rebuild each input from the changes a review kept: those accepted in the report, and\n"
        "those left pending (--pending reject leaves them out). Every change is checked against the\n"
        "input first: if one was not made on it (the file was edited since the report), nothing is\n"
        "written and the error names the file and line.",
        epilog=_EXIT_STATUS,
    )
    apply.add_argument("--decisions", required=True, metavar="FILE", help="decisions.json, exported from the report")
    apply.add_argument(
        "--pending",
        choices=("accept", "reject"),
        default="accept",
        help="what becomes of a change the review left undecided (default: accept, as mtfix made it)",
    )
    _add_output_arguments(apply)
    _add_log_key(apply)
    apply.set_defaults(
        **{
            **_CLEAN_ONLY,
            "output": None,
            "in_place": False,
            "backup": None,
            "log_key": "mtfix",
            "report": "text",
            # the cleaning switches, unused: apply cleans nothing
            "no_model": True,
            "model": None,
            "prefix": "",
            "disable": [],
            "mode": "standard",
            "dictionary": None,
            "skip_bad_lines": False,
            "workers": 1,
        }
    )
    return parser


# What a command without the output options of ``clean`` takes for them.
_CLEAN_ONLY: dict[str, Any] = {
    "output": None,
    "in_place": False,
    "diff": False,
    "backup": None,
    "color": "never",
    "log": None,
    "rejects": None,
    "explain": False,
    "log_key": "",
    "engine": "local",
    "address": None,
    "verbose": False,
    "report_title": None,
    "report_limit": None,
    "decisions": None,
    "pending": "accept",
}


def _inputs_parser() -> argparse.ArgumentParser:
    """The options every command that reads inputs has: what to read, and how."""
    inputs = argparse.ArgumentParser(add_help=False)
    inputs.add_argument("paths", nargs="*", metavar="PATH", help="files or folders; '-' or nothing: standard input")
    inputs.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help=f"file names to take from folders (repeatable; default: {' '.join(DEFAULT_GLOBS)})",
    )
    inputs.add_argument("--field", default="text", help="JSON Lines: the field to clean (default: text)")
    inputs.add_argument(
        "--format",
        "--input-format",
        dest="input_format",
        type=_input_format,
        choices=("text", "jsonl", "tsv", "xliff", "po", "tmx"),
        help="the input format; clean writes the same (default by the file name: *.jsonl, *.tsv, *.xlf "
        "*.xliff *.sdlxliff *.mxliff, *.po *.pot, *.tmx; else text)",
    )
    bitext = inputs.add_argument_group("bitext (the source beside the target: QA checks, and evidence for the guard)")
    bitext.add_argument("--source-field", metavar="NAME", help="JSON Lines: the field that holds the source segment")
    bitext.add_argument(
        "--target-column",
        type=_column,
        metavar="N",
        help="TSV: the column to clean (1-based; default 2 with --source-column 1, else 1)",
    )
    bitext.add_argument("--source-column", type=_column, metavar="N", help="TSV: the source column (1-based)")
    bitext.add_argument(
        "--target-lang",
        default="en",
        metavar="LANG",
        help="TMX: the language of the variant to clean (default en; matches en-US, en-GB, ...)",
    )
    run = inputs.add_argument_group("running")
    run.add_argument(
        "--batch-size",
        type=int,
        default=256,
        metavar="N",
        help="lines per block sent to a worker (default 256)",
    )
    run.add_argument(
        "--max-line",
        type=int,
        default=MAX_LINE,
        metavar="BYTES",
        help="a longer line is cleaned in pieces cut after a sentence end or a space (a piece with no space, "
        "and a JSON Lines record that long, pass through unchanged), so that memory stays bounded "
        f"(default {MAX_LINE:,}; 0: no limit)",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    return inputs


def _add_output_arguments(parser: argparse.ArgumentParser) -> argparse._MutuallyExclusiveGroup:
    """``-o``, ``--in-place`` and ``--backup`` of a command that writes the inputs back; returns the group
    of the first two (only one of them may be given)."""
    out = parser.add_mutually_exclusive_group()
    out.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file; a folder (mirroring the input tree) for a folder or several inputs",
    )
    out.add_argument("--in-place", action="store_true", help="rewrite the input files (atomically)")
    parser.add_argument("--backup", metavar="SUFFIX", help="with --in-place: keep each original as PATH+SUFFIX")
    return out


def _add_log_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-key",
        default="mtfix",
        help="JSON Lines: the key of each record's change log (default: mtfix; '' for none)",
    )


def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a review report (``mtfix report``, ``mtfix clean --report``)."""
    group = parser.add_argument_group("review report")
    group.add_argument("--title", dest="report_title", metavar="TEXT", help="the report's title (default: the inputs)")
    group.add_argument(
        "--report-limit",
        type=int,
        metavar="N",
        help="changes and flags a report holds at most; past it the report stops and says where "
        "(default 500,000: a report of that size opens in a few seconds)",
    )


def _add_stage_arguments(group: argparse._ArgumentGroup) -> None:
    """The switches of the pipeline stages; :func:`mtfix.cli.options.config` turns them into a Config."""
    # ---- pipeline stage switches (keep in step with options.StageOptions and options.config) ----
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--model",
        metavar="PATH_OR_NAME",
        help="seq2seq rewriter: 'default' (the model shipped with mtfix), a local folder or a Hugging Face name",
    )
    which.add_argument("--no-model", action="store_true", help="no model (the default; no torch)")
    group.add_argument("--prefix", default="", help="instruction prepended to each sentence for the model")
    _add_generated_stage_arguments(group)
    group.add_argument(
        "--dictionary",
        metavar="FILE",
        help="words no stage that guesses may touch (names, terms of your own), one a line; '#' comments",
    )
    group.add_argument(
        "--disable",
        action="append",
        default=[],
        choices=mtfix.fixer_names(),
        metavar="FIXER",
        help="turn a fixer off (repeatable): " + ", ".join(mtfix.fixer_names()),
    )
    evidence = group.add_mutually_exclusive_group()
    evidence.add_argument(
        "--mode",
        choices=mtfix.MODES,
        default="standard",
        help="how much evidence a rule repair needs: 'standard' (default) withholds a repair alone on its "
        "line that mends a slip human writers make too ('the the'); 'strict' withholds every lone repair "
        "but mojibake and full-width punctuation; 'thorough' applies all. Withheld repairs become flags",
    )
    evidence.add_argument("--strict", dest="mode", action="store_const", const="strict", help="--mode strict")
    evidence.add_argument("--thorough", dest="mode", action="store_const", const="thorough", help="--mode thorough")
    # ---- end of the pipeline stage switches ----


def _add_generated_stage_arguments(group: argparse._ArgumentGroup) -> None:
    """A switch for every option field with a ``help`` of every registered stage (built-in or plug-in),
    and ``--NAME``/``--no-NAME`` for a plug-in stage: a new stage gets its switches without editing
    the CLI. An unset switch is None: the stage's own default applies."""
    pipeline.load_plugins()
    for spec in pipeline.registered():
        if spec.toggle:
            on = f"--no-{spec.name}" if spec.default else f"--{spec.name}"
            what = "skip" if spec.default else "run"
            group.add_argument(
                on,
                dest=f"{STAGE_DEST}{spec.name}",
                action="store_const",
                const=not spec.default,
                help=f"{what} the {spec.name} stage: {spec.description}",
            )
        for f in dataclasses.fields(spec.options):
            meta = f.metadata
            if "help" not in meta:
                continue
            flag = meta.get("flag") or f"--{spec.name}-{f.name.replace('_', '-')}"
            dest = f"{STAGE_DEST}{spec.name}__{f.name}"
            default = f.default if f.default is not dataclasses.MISSING else None
            if isinstance(default, bool):
                action = "store_false" if default else "store_true"
                group.add_argument(flag, dest=dest, action=action, default=None, help=meta["help"])
                continue
            convert: Any = _unit_interval if meta.get("unit") else type(default) if default is not None else str
            group.add_argument(
                flag,
                dest=dest,
                type=convert,
                default=None,
                metavar=meta.get("metavar", f.name.upper()),
                help=f"{meta['help']} (default {default})",
            )


def _add_engine_arguments(clean: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--address`` of ``mtfix clean`` (see :func:`mtfix.cli.run.execute_ray`)."""
    engine = clean.add_argument_group("engine")
    engine.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: this machine (default); ray: Ray Data, for *.parquet and *.jsonl inputs and an output "
        "folder (-o); --workers N: N cleaning actors, 0: up to one per CPU of the cluster "
        "(needs: pip install 'mtfix[ray]')",
    )
    engine.add_argument(
        "--address",
        metavar="ADDR",
        help="with --engine ray: the Ray cluster to use ('auto', HOST:6379, ray://HOST:10001); "
        "default: $RAY_ADDRESS, else a local Ray instance",
    )
    engine.add_argument(
        "--verbose",
        action="store_true",
        help="with --engine ray: show Ray's own log lines and progress bars (default: only warnings)",
    )


def _unit_interval(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return x


def _column(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a column number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"columns count from 1, not {n}")
    return n


def _input_format(value: str) -> str:
    """``--format``: a hint for ``check --format json``, which once chose the format of the findings."""
    if value == "json":
        raise argparse.ArgumentTypeError(
            "'json' is not an input format (text, jsonl); for the findings of check as JSON: --report json"
        )
    return value
