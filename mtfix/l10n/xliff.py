"""XLIFF 1.2 (``<trans-unit>``: ``<source>``, ``<target>``) and XLIFF 2.x (``<unit>``, each
``<segment>`` a unit: ``<source>``, ``<target>``), also SDL's ``.sdlxliff`` and Phrase's ``.mxliff``
(XLIFF 1.2 with extensions). The version comes from the document (the root's ``version``, else its
namespace).

``<alt-trans>`` (1.2) and ``<ignorable>`` (2.x) hold no units; a unit under ``translate="no"`` (on
itself, its group or its file) is listed with ``translate=False`` and never written.
"""

from __future__ import annotations

from typing import Any

from mtfix.l10n import Unit
from mtfix.l10n._xml import Scanner, Segment, XmlDoc, XmlFile, segment_unit

_XLIFF2 = "urn:oasis:names:tc:xliff:document:2."


class _Scan(Scanner):
    def __init__(self, doc: XmlDoc) -> None:
        super().__init__(doc)
        self.version: str | None = None
        self.units: list[Unit] = []
        self.translate = [True]  # inherited translate="no", one entry per open container
        self.unit: dict[str, Any] | None = None  # the unit being read
        self.unit_id = ""  # XLIFF 2: the <unit> whose segments are read
        self.segments = 0

    def start(self, local: str, attrs: dict[str, str], pos: int) -> None:
        path = self.path
        if self.version is None:
            if local != "xliff":
                raise self.error(pos, f"not an XLIFF document (the root element is <{local}>)")
            # no version attribute: the namespace says
            self.version = attrs.get("version") or ("2.0" if self.name.startswith(_XLIFF2) else "1.2")
            return
        v2 = self.version.startswith("2")
        if local in ("file", "group", "trans-unit", "unit"):
            value = attrs.get("translate")
            self.translate.append(self.translate[-1] if value is None else value != "no")
        parent = path[-2]
        if local in ("source", "target"):
            if parent == ("segment" if v2 else "trans-unit") and self.unit is not None and self.unit[local] is None:
                self.capture(local, pos)
        elif v2 and local == "unit":
            self.unit_id, self.segments = attrs.get("id", ""), 0
        elif v2 and local == "segment" and parent == "unit":
            self.segments += 1
            self._open(f"{self.unit_id}/{self.segments}", pos)
        elif not v2 and local == "trans-unit":
            self._open(attrs.get("id", str(len(self.units) + 1)), pos)

    def _open(self, unit_id: str, pos: int) -> None:
        line, column = self.where(pos)
        self.unit = {"id": unit_id, "line": line, "column": column, "source": None, "target": None}

    def segment(self, role: Any, seg: Segment) -> None:
        if self.unit is not None:
            self.unit[role] = seg

    def end(self, local: str, pos: int) -> None:
        if self.unit is not None and local == ("segment" if self.version.startswith("2") else "trans-unit"):  # type: ignore[union-attr]
            u, self.unit = self.unit, None
            source: Segment | None = u["source"]
            target: Segment | None = u["target"]
            self.units.append(
                segment_unit(len(self.units), u["id"], source, target, u["line"], u["column"], self.translate[-1])
            )
        if local in ("file", "group", "trans-unit", "unit"):
            self.translate.pop()


def read(data: bytes, name: str) -> XmlFile:
    """Parse an XLIFF 1.2 or 2.x document; raises :class:`mtfix.l10n.L10nError` when malformed."""
    doc = XmlDoc.load(data, name)
    scan = _Scan(doc)
    scan.parse()
    return XmlFile(doc, scan.units, "xliff", scan.version)
