"""What XLIFF and TMX share: validation with lxml, an expat scan that finds the byte range of every
segment element and flattens its content, and the writer that splices new content into the original
bytes.

Why expat and not lxml for the ranges: lxml gives line numbers but no byte offsets, and re-serialising
its tree would change attribute quoting, namespace prefixes, entities and whitespace. expat reports
``CurrentByteIndex`` for every event, so each inline tag, entity and CDATA section is found with its raw
bytes. The scan runs over the document as UTF-8 (the original bytes when it is UTF-8, else the decoded
text re-encoded): offsets are mapped back to the original encoding only for the targets written.
"""

from __future__ import annotations

import codecs
import re
import xml.parsers.expat as expat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from mtfix.changes import Change, Result
from mtfix.l10n import L10nError, L10nFile, Unit

# Atom kinds: a run of character data whose raw bytes are its text (can be cut anywhere); text written
# otherwise in the file (an entity, a character reference, CDATA, a CRLF: written back whole or, once
# changed, escaped); markup (an inline tag, a comment: a protected span, never changed).
TEXT, WHOLE, TAG = 0, 1, 2

#: Inline elements whose content is translatable text: the opening and the closing tag are separate
#: spans. Any other element inside a segment (``x``, ``bx``, ``ex``, ``ph``, ``bpt``, ``ept``, ``it``,
#: ``ut``, ``sc``, ``ec``, ``sm``, ``em``, ``cp``, and anything unknown) is native code: one span, content
#: and all.
PAIRED = frozenset({"g", "pc", "mrk", "hi"})

_START_TAG = re.compile(rb"<[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
_END_TAG = re.compile(rb"</[^\s>]+\s*>")
_QNAME = re.compile(rb"<([^\s/>]+)")
_DECLARED = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']")
_LXML_WHERE = re.compile(r", line \d+, column \d+$")
_PREDEFINED = frozenset({b"&amp;", b"&lt;", b"&gt;", b"&quot;", b"&apos;"})
XML_LANG = "http://www.w3.org/XML/1998/namespace lang"

# (unit, start, end, new text) of one splice, in the UTF-8 scan buffer
_Splice = tuple[Unit, int, int, str]


class _Discard:
    """An lxml parser target that builds nothing: validation at the cost of parsing alone."""

    def start(self, *_: Any) -> None:
        pass

    def end(self, *_: Any) -> None:
        pass

    def data(self, *_: Any) -> None:
        pass

    def close(self) -> None:
        return None


def validate(data: bytes, name: str) -> None:
    """Raise :class:`L10nError` unless ``data`` is well-formed XML (lxml; no DTD, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, target=_Discard())
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line, column = e.position if e.position else (e.lineno or 1, None)
        raise L10nError(name, line or 1, column, _LXML_WHERE.sub("", e.msg or "malformed XML")) from None


def sniff(data: bytes, name: str) -> tuple[int, str]:
    """The length of the byte order mark and the Python codec of an XML document (XML 1.0, appendix F)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose mark it starts with
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return len(bom), codec
    if data.startswith(b"<\x00?\x00"):
        return 0, "utf-16-le"
    if data.startswith(b"\x00<\x00?"):
        return 0, "utf-16-be"
    m = _DECLARED.match(data, 0, 1024)
    if m is None:
        return 0, "utf-8"
    try:
        codec = codecs.lookup(m[1].decode("ascii")).name
    except LookupError:
        raise L10nError(name, 1, m.start(1) + 1, f"unknown encoding {m[1].decode('ascii')!r}") from None
    return 0, codec


@dataclass
class XmlDoc:
    """A document and the UTF-8 buffer the scan runs over (the same bytes, less any BOM, when UTF-8)."""

    data: bytes
    name: str
    bom: int
    codec: str
    buf: bytes
    _last: tuple[int, int, int] = (0, 1, 1)  # the last position :meth:`where` placed: (pos, line, column)

    @classmethod
    def load(cls, data: bytes, name: str) -> XmlDoc:
        validate(data, name)
        bom, codec = sniff(data, name)
        if codec == "utf-8":
            return cls(data, name, bom, codec, data[bom:] if bom else data)
        try:
            buf = data[bom:].decode(codec).encode("utf-8")
        except UnicodeError as e:
            raise L10nError(name, 1, None, f"cannot decode as {codec}: {e}") from None
        return cls(data, name, bom, codec, buf)

    def where(self, pos: int) -> tuple[int, int]:
        """Line and column (1-based, in characters) of a position of the buffer.

        Incremental: from the last position asked for when this one is further on (the scan asks in
        document order), so a file costs one pass, however long its lines."""
        buf = self.buf
        last, line, column = self._last
        if pos < last:
            last, line, column = 0, 1, 1
        breaks = buf.count(b"\n", last, pos)
        if breaks:
            line += breaks
            last, column = buf.rfind(b"\n", last, pos) + 1, 1
        column += len(buf[last:pos].decode("utf-8", "replace"))
        self._last = (pos, line, column)
        return line, column

    def to_original(self, positions: Sequence[int]) -> list[int]:
        """Offsets in the original bytes of sorted buffer positions (one pass over the text between)."""
        if self.codec == "utf-8":
            return [p + self.bom for p in positions]
        out, prev, orig = [], 0, self.bom
        for p in positions:
            orig += len(self.buf[prev:p].decode("utf-8").encode(self.codec))
            out.append(orig)
            prev = p
        return out


@dataclass(slots=True)
class Segment:
    """A segment element (``<source>``, ``<target>``, ``<seg>``): its flat text, spans and atoms
    ``(flat start, flat end, raw start, raw end, kind)``; ``start`` is where its start tag begins,
    ``inner`` the byte range of its content (empty at the end of a self-closing tag)."""

    flat: str
    spans: tuple[tuple[int, int], ...]
    atoms: tuple[tuple[int, int, int, int, int], ...]
    start: int
    inner: tuple[int, int]
    self_closing: bool
    line: int
    column: int


def segment_unit(
    index: int, uid: str, source: Segment | None, target: Segment | None, line: int, column: int, translate: bool = True
) -> Unit:
    """The :class:`Unit` of a source and target segment (either may be missing); ``line`` and ``column``
    place a unit without a target."""
    return Unit(
        index=index,
        id=uid,
        source=None if source is None else source.flat,
        target=None if target is None else target.flat,
        spans=() if target is None else target.spans,
        source_spans=() if source is None else source.spans,
        line=line if target is None else target.line,
        column=column if target is None else target.column,
        translate=translate,
        _ref=target,
    )


@dataclass(slots=True)
class _Capture:
    role: Any
    start: int
    tag_end: int
    self_closing: bool
    line: int
    column: int
    depth: int = 0
    tokens: list[tuple[int, int, Any]] = field(default_factory=list)


# token kinds recorded inside a segment
_S, _E, _C, _CS, _CE, _M = range(6)


class Scanner:
    """An expat pass over a document: subclasses get :meth:`start` and :meth:`end` for the elements
    outside segments (local names; attributes as expat gives them, namespaced ``"uri local"``), call
    :meth:`capture` on a segment element's start and receive it flattened in :meth:`segment`."""

    def __init__(self, doc: XmlDoc) -> None:
        self.doc = doc
        self.buf = doc.buf
        p = self._parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        self._cap: _Capture | None = None
        self.path: list[str] = []  # local names of the open elements outside segments
        self.name = ""  # in start(): the element's expat name ("namespace-uri local", or "local")

    # -- subclass hooks
    def start(self, local: str, attrs: dict[str, str], pos: int) -> None:
        pass

    def end(self, local: str, pos: int) -> None:
        pass

    def segment(self, role: Any, seg: Segment) -> None:
        pass

    # -- the scan
    def parse(self) -> None:
        try:
            self._parser.Parse(self.buf, True)
        except expat.ExpatError as e:
            raise L10nError(self.doc.name, e.lineno, e.offset + 1, expat.ErrorString(e.code)) from None

    def where(self, pos: int) -> tuple[int, int]:
        return self.doc.where(pos)

    def error(self, pos: int, message: str) -> L10nError:
        return L10nError(self.doc.name, *self.where(pos), message)

    def capture(self, role: Any, pos: int) -> None:
        """Flatten the element that starts at ``pos`` (call from :meth:`start`); :meth:`segment` gets it."""
        m = _START_TAG.match(self.buf, pos)
        if m is None:
            raise self.error(pos, "cannot find the end of this start tag")
        end = m.end()
        closed = self.buf[end - 2 : end] == b"/>"
        self._cap = _Capture(role, pos, end, closed, *self.where(pos))
        if not closed:
            self._inner_handlers(True)

    def _inner_handlers(self, on: bool) -> None:
        p = self._parser
        p.CharacterDataHandler = self._chars if on else None
        p.StartCdataSectionHandler = self._cdata_start if on else None
        p.EndCdataSectionHandler = self._cdata_end if on else None
        p.CommentHandler = self._markup if on else None
        p.ProcessingInstructionHandler = self._markup if on else None

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        pos = self._parser.CurrentByteIndex
        cap = self._cap
        if cap is not None:
            cap.depth += 1
            cap.tokens.append((_S, pos, name))
            return
        local = name.rpartition(" ")[2]
        self.path.append(local)
        self.name = name
        self.start(local, attrs, pos)

    def _end(self, name: str) -> None:
        pos = self._parser.CurrentByteIndex
        cap = self._cap
        if cap is not None:
            if cap.depth:
                cap.depth -= 1
                cap.tokens.append((_E, pos, name))
                return
            self._cap = None
            self._inner_handlers(False)
            self.segment(cap.role, self._flatten(cap, pos))
        self.path.pop()
        self.end(name.rpartition(" ")[2], pos)

    def _chars(self, data: str) -> None:
        self._cap.tokens.append((_C, self._parser.CurrentByteIndex, data))  # type: ignore[union-attr]

    def _cdata_start(self) -> None:
        self._cap.tokens.append((_CS, self._parser.CurrentByteIndex, None))  # type: ignore[union-attr]

    def _cdata_end(self) -> None:
        self._cap.tokens.append((_CE, self._parser.CurrentByteIndex, None))  # type: ignore[union-attr]

    def _markup(self, *_: Any) -> None:
        self._cap.tokens.append((_M, self._parser.CurrentByteIndex, None))  # type: ignore[union-attr]

    def _flatten(self, cap: _Capture, end: int) -> Segment:
        """The tokens of a segment as atoms that tile its content byte for byte."""
        buf = self.buf
        start = cap.tag_end
        if cap.self_closing:
            return Segment("", (), (), cap.start, (start, start), True, cap.line, cap.column)
        tokens = cap.tokens
        parts: list[str] = []
        atoms: list[tuple[int, int, int, int, int]] = []
        spans: list[tuple[int, int]] = []
        flen = 0
        pos = start
        n = len(tokens)
        i = 0

        def add(rs: int, re_: int, text: str, kind: int) -> None:
            nonlocal flen, pos
            atoms.append((flen, flen + len(text), rs, re_, kind))
            if kind == TAG:
                spans.append((flen, flen + len(text)))
            parts.append(text)
            flen += len(text)
            pos = re_

        while i < n:
            kind, at, arg = tokens[i]
            if at != pos:
                raise self.error(at, "cannot map this segment's content (unexpected markup)")
            following = tokens[i + 1][1] if i + 1 < n else end
            if kind == _C:
                j = i  # an entity's replacement text can come in several calls, all at its reference
                while j + 1 < n and tokens[j + 1][0] == _C and tokens[j + 1][1] == at:
                    j += 1
                following = tokens[j + 1][1] if j + 1 < n else end
                raw = buf[at:following]
                data = arg if j == i else "".join(t[2] for t in tokens[i : j + 1])
                if raw == data.encode("utf-8"):
                    add(at, following, data, TEXT)
                elif raw[:1] == b"&" and raw[1:2] != b"#" and raw not in _PREDEFINED:
                    # an entity of the document's DTD (a product name, say): kept as the reference
                    add(at, following, raw.decode("utf-8"), TAG)
                else:  # a predefined entity, a character reference, a CRLF
                    add(at, following, data, WHOLE)
                i = j
            elif kind == _CS:
                j = i + 1
                while j < n and tokens[j][0] == _C:
                    j += 1
                if j == n or tokens[j][0] != _CE:
                    raise self.error(at, "cannot map this CDATA section")
                add(at, tokens[j][1] + 3, "".join(t[2] for t in tokens[i + 1 : j]), WHOLE)
                i = j
            elif kind == _M:  # a comment or processing instruction: kept as markup
                add(at, following, buf[at:following].decode("utf-8"), TAG)
            elif kind == _S:
                m = _START_TAG.match(buf, at)
                if m is None:
                    raise self.error(at, "cannot find the end of this start tag (markup from an entity?)")
                tag_end = m.end()
                if buf[tag_end - 2 : tag_end] == b"/>":
                    add(at, tag_end, buf[at:tag_end].decode("utf-8"), TAG)
                    i += 1  # its end event, at the same tag
                elif arg.rpartition(" ")[2] in PAIRED:
                    add(at, tag_end, buf[at:tag_end].decode("utf-8"), TAG)
                else:  # native code: the whole element is one span
                    depth, j = 0, i + 1
                    while True:
                        k = tokens[j][0]
                        if k == _S:
                            depth += 1
                        elif k == _E:
                            if not depth:
                                break
                            depth -= 1
                        j += 1
                    close = _END_TAG.match(buf, tokens[j][1])
                    if close is None:
                        raise self.error(tokens[j][1], "cannot find this end tag")
                    add(at, close.end(), buf[at : close.end()].decode("utf-8"), TAG)
                    i = j
            elif kind == _E:
                close = _END_TAG.match(buf, at)
                if close is None:
                    raise self.error(at, "cannot find this end tag")
                add(at, close.end(), buf[at : close.end()].decode("utf-8"), TAG)
            else:  # pragma: no cover - a CDATA end outside a section
                raise self.error(at, "cannot map this segment's content")
            i += 1
        if pos != end:
            raise self.error(pos, "cannot map this segment's content (unexpected markup)")
        return Segment("".join(parts), tuple(spans), tuple(atoms), cap.start, (start, end), False, cap.line, cap.column)


def escape(text: str) -> str:
    """Character data for changed text: ``&``, ``<``, ``>`` escaped (and CR, which XML would drop)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def render(buf: bytes, seg: Segment, changes: Sequence[Change]) -> str:
    """A segment's new content: each change's text escaped, everything else in its original raw form.

    The changes are checked against the tags beforehand (:func:`mtfix.l10n.check_spans`); a change that
    cuts into an entity, a CDATA section or a CRLF rewrites that piece whole, escaped.
    """
    flat, atoms = seg.flat, seg.atoms
    # 1. widen each change over the WHOLE atoms it cuts into, and merge changes that then meet
    regions: list[list[Any]] = []  # [start, end, [changes]]
    for c in sorted(changes, key=lambda c: (c.start, c.end)):
        a, b = c.start, c.end
        for fs, fe, _, _, kind in atoms:
            if kind == WHOLE and fe > fs and ((fs < b and a < fe) if b > a else fs < a < fe):
                a, b = min(a, fs), max(b, fe)
        if regions and regions[-1][1] > a:
            last = regions[-1]
            last[0], last[1] = min(last[0], a), max(last[1], b)
            last[2].append(c)
        else:
            regions.append([a, b, [c]])
    # 2. emit the raw text of the gaps and the escaped text of the regions
    out: list[str] = []
    x, i, n = 0, 0, len(atoms)
    for a, b, group in [*regions, [len(flat), len(flat), None]]:
        final = group is None
        while i < n:
            fs, fe, rs, re_, kind = atoms[i]
            if fe > fs:
                if fs >= a:
                    break
                lo, hi = max(fs, x), min(fe, a)
                if lo < hi:
                    out.append(flat[lo:hi] if kind == TEXT else buf[rs:re_].decode("utf-8"))
                if fe > a:
                    break  # a TEXT atom that runs on past this region's start
                i += 1
            else:  # an atom of no text (an empty CDATA section): kept unless inside a region
                if fs > a or (fs == a and not final):
                    break
                if fs >= x:
                    out.append(buf[rs:re_].decode("utf-8"))
                i += 1
        if group is not None:
            pieces, pos = [], a
            for c in group:
                pieces += (flat[pos : c.start], c.after)
                pos = c.end
            pieces.append(flat[pos:b])
            out.append(escape("".join(pieces)))
        x = b
    return "".join(out)


class XmlFile(L10nFile):
    """An XLIFF or TMX file: units whose ``_ref`` is the target's :class:`Segment`."""

    def __init__(self, doc: XmlDoc, units: list[Unit], fmt: str, version: str | None = None) -> None:
        super().__init__(doc.data, doc.name, units, version)
        self.fmt = fmt
        self.doc = doc

    def _splice(self, edits: Sequence[tuple[Unit, Result]]) -> bytes:
        doc = self.doc
        splices: list[_Splice] = []
        for unit, result in edits:
            seg: Segment = unit._ref
            content = render(doc.buf, seg, result.changes)
            if not seg.self_closing:
                splices.append((unit, seg.inner[0], seg.inner[1], content))
            elif content:  # <target/> becomes <target>content</target>
                qname = _QNAME.match(doc.buf, seg.start)[1].decode("utf-8")  # type: ignore[index]
                end = seg.inner[1]
                splices.append((unit, end - 2, end, f">{content}</{qname}>"))
        splices.sort(key=lambda s: s[1])
        offsets = doc.to_original([p for _, a, b, _ in splices for p in (a, b)])
        out, pos = [], 0
        for k, (_, _, _, content) in enumerate(splices):
            a, b = offsets[2 * k], offsets[2 * k + 1]
            out += (doc.data[pos:a], content.encode(doc.codec, "xmlcharrefreplace"))
            pos = b
        out.append(doc.data[pos:])
        written = b"".join(out)
        try:
            validate(written, self.name)
        except L10nError as e:  # never write a broken file
            raise L10nError(self.name, e.line, e.column, f"the written file would not parse: {e.message}") from None
        return written
