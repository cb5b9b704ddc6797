"""The ``mtfix`` command line: ``mtfix clean`` repairs files, folders or stdin; ``mtfix check`` lints.

The command line is parsed (:mod:`~mtfix.cli.parser`) into :class:`~mtfix.cli.options.Options`
once; the inputs are planned (:mod:`~mtfix.cli.plan`), streamed in blocks of lines and cleaned here
or by worker processes (:mod:`~mtfix.cli.stream`), and each block goes to the sinks of the run
(:mod:`~mtfix.cli.sinks`: the cleaned text, a diff, findings, the change log), all driven by
:mod:`~mtfix.cli.run`. ``--engine ray`` hands the work to :mod:`mtfix.integrations.ray`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from mtfix import Config
from mtfix._common import SetupError, UsageError
from mtfix.cli.options import Options, config
from mtfix.cli.parser import build_parser
from mtfix.cli.run import EXIT_ERROR, EXIT_FOUND, EXIT_INTERRUPTED, EXIT_OK, execute

__all__ = [
    "EXIT_ERROR",
    "EXIT_FOUND",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "Options",
    "SetupError",
    "UsageError",
    "build_parser",
    "config",
    "main",
]


class _Terminated(BaseException):
    """Raised by the SIGTERM handler so that temporary files are cleaned up on the way out."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def _config(ns: argparse.Namespace) -> Config:
    """The :class:`mtfix.Config` of a parsed command line (what this module offered before it was a package)."""
    return config(Options.from_args(ns))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mtfix`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    # Paths may follow options (``mtfix clean a.txt -o out/ b.txt``): argparse leaves them over.
    ns, extra = parser.parse_known_args(argv)
    unknown = [a for a in extra if a.startswith("-") and a != "-"]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    ns.paths += extra
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return execute(Options.from_args(ns))
    except (UsageError, SetupError) as e:
        print(f"mtfix: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("mtfix: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        return 128 + signal.SIGTERM
    except BrokenPipeError:  # e.g. `mtfix clean big.txt | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
