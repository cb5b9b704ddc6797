"""The report of ``benchmarks/run.py``, made from the results dictionary alone (``results.json``).

:func:`write_markdown` writes ``RESULTS.md``; :func:`plot` draws ``results/quality_vs_speed.png``.
"""

from __future__ import annotations

from .markdown import write_markdown
from .plot import PLOT, plot, plotted_tools

__all__ = ["PLOT", "plot", "plotted_tools", "write_markdown"]
