"""``python -m mtfix``: the command line of :mod:`mtfix.cli`."""

import sys

from mtfix.cli import main

if __name__ == "__main__":  # not when a worker process of ``--workers`` re-imports this module
    sys.exit(main())
