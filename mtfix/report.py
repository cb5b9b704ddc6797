"""The review report: one self-contained HTML file (inline CSS and JavaScript, nothing fetched) that
shows every changed or flagged segment, lets a reviewer accept or reject each change, and exports the
decisions ``mtfix apply`` reads (:mod:`mtfix.review`)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from collections.abc import Iterable
from importlib.resources import files
from typing import Any

from mtfix.review import Segment, report_data

#: Changes and flags one report holds at most; past it the report stops, and says where.
REPORT_LIMIT = 500_000

_PLACEHOLDER = re.compile(r"\{\{(?:title|css|js|data)\}\}")
# JSON inside <script>: every character that could end the element or open a comment is escaped.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def render(data: dict[str, Any]) -> str:
    """The HTML page of :func:`mtfix.review.report_data`'s ``data``."""
    from mtfix import __version__

    ids = "".join(c[0] for s in data["segments"] for c in s[4])
    page = {**data, "mtfix": __version__, "key": hashlib.sha256(ids.encode()).hexdigest()[:16]}
    page.setdefault("created", time.strftime("%Y-%m-%d %H:%M"))
    blob = json.dumps(page, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    here = files("mtfix") / "data"
    template = (here / "report.html").read_text(encoding="utf-8")
    parts = {
        "{{title}}": html.escape(data["title"]),
        "{{css}}": (here / "report.css").read_text(encoding="utf-8"),
        "{{js}}": (here / "report.js").read_text(encoding="utf-8").replace("</", "<\\/"),
        "{{data}}": blob,
    }
    # one pass: a placeholder inside the data or the code is never expanded
    return _PLACEHOLDER.sub(lambda m: parts[m.group()], template)


def report_html(
    segments: Iterable[Segment], *, title: str = "mtfix review", inputs: Iterable[str] = (), limit: int = REPORT_LIMIT
) -> str:
    """The report of ``segments`` as one HTML page."""
    return render(report_data(segments, title=title, inputs=inputs, limit=limit))
