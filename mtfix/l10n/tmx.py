"""TMX (1.1 to 1.4): each ``<tu>`` a unit; its target the ``<seg>`` of the first ``<tuv>`` whose
language (``xml:lang``, TMX 1.1 ``lang``) matches ``target_lang``, its source the variant in the
header's ``srclang``, else the first other variant.

Languages match by prefix, ignoring case, on subtag boundaries: ``en`` matches ``en``, ``EN-us`` and
``en_GB``, not ``eng``.
"""

from __future__ import annotations

from typing import Any

from mtfix.l10n import Unit
from mtfix.l10n._xml import XML_LANG, Scanner, Segment, XmlDoc, XmlFile, segment_unit


def lang_matches(lang: str | None, wanted: str) -> bool:
    """Whether ``lang`` is ``wanted`` or one of its variants (``en`` → ``en-US``), ignoring case."""
    if not lang or not wanted:
        return False
    lang, wanted = lang.lower().replace("_", "-"), wanted.lower().replace("_", "-")
    return lang == wanted or lang.startswith(wanted + "-")


class _Scan(Scanner):
    def __init__(self, doc: XmlDoc, target_lang: str) -> None:
        super().__init__(doc)
        self.target_lang = target_lang
        self.srclang: str | None = None
        self.units: list[Unit] = []
        self.tu: dict[str, Any] | None = None
        self.lang: str | None = None
        self.count = 0
        self.root = True

    def start(self, local: str, attrs: dict[str, str], pos: int) -> None:
        if self.root:
            if local != "tmx":
                raise self.error(pos, f"not a TMX document (the root element is <{local}>)")
            self.root = False
            return
        parent = self.path[-2]
        if local == "header":
            self.srclang = attrs.get("srclang")
        elif local == "tu":
            self.count += 1
            line, column = self.where(pos)
            self.tu = {"id": attrs.get("tuid") or str(self.count), "line": line, "column": column, "tuvs": []}
        elif local == "tuv" and parent == "tu":
            self.lang = attrs.get(XML_LANG) or attrs.get("lang")
        elif local == "seg" and parent == "tuv" and self.tu is not None:
            self.capture(self.lang, pos)

    def segment(self, role: Any, seg: Segment) -> None:
        if self.tu is not None:
            self.tu["tuvs"].append((role, seg))

    def end(self, local: str, pos: int) -> None:
        if local != "tu" or self.tu is None:
            return
        tu, self.tu = self.tu, None
        tuvs: list[tuple[str | None, Segment]] = tu["tuvs"]
        target = next((s for lang, s in tuvs if lang_matches(lang, self.target_lang)), None)
        others = [(lang, s) for lang, s in tuvs if s is not target]
        source = next((s for lang, s in others if self.srclang and lang_matches(lang, self.srclang)), None)
        if source is None and others:
            source = others[0][1]
        self.units.append(segment_unit(len(self.units), tu["id"], source, target, tu["line"], tu["column"]))


def read(data: bytes, name: str, *, target_lang: str = "en") -> XmlFile:
    """Parse a TMX document; raises :class:`mtfix.l10n.L10nError` when malformed."""
    doc = XmlDoc.load(data, name)
    scan = _Scan(doc, target_lang)
    scan.parse()
    return XmlFile(doc, scan.units, "tmx")
