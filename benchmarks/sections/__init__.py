"""The measuring sections of ``benchmarks/run.py``, one module each.

Each module's ``measure(...)`` returns the plain data (JSON-ready) that ``results.json`` holds under the
section's key; ``benchmarks/report`` turns that data into Markdown.
"""

from __future__ import annotations

SECTIONS = ("seed", "references", "system_outputs", "mlqe", "jfleg", "speed")
