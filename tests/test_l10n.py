"""mtfix.l10n: XLIFF 1.2 and 2.0, TMX and PO files read, cleaned and written back byte for byte.

The round trips build their files from WMT21 zh-en sources and system outputs (line-aligned), with
placeholders and inline tags inserted; everything else is built here.
"""

from __future__ import annotations

import codecs
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import mtfix
from mtfix import Change, Result
from mtfix.l10n import L10nError, clean_file, format_of, neutral_text, read

PLACEHOLDERS = ("{0}", "%1$s", "%(name)s", "{{var}}")
_PLACEHOLDER = re.compile(r"\{\d+\}|%\d+\$s|%\(\w+\)s|\{\{\w+\}\}")
SYSTEM = "SMU"  # the zh-en system output with the most rule repairs in its first lines
N = 150


@pytest.fixture(scope="module")
def cleaner() -> mtfix.Cleaner:
    return mtfix.Cleaner()  # the default: rules and grammar


@pytest.fixture(scope="module")
def rules() -> mtfix.Cleaner:
    return mtfix.Cleaner(grammar=False)


@pytest.fixture(scope="module")
def wmt(shared_data: Path) -> list[tuple[str, str]]:
    """(source, system output) pairs, the first N lines of WMT21 zh-en."""
    folder = shared_data / "wmt21"
    src = folder / "sources" / "newstest2021.zh-en.src.zh"
    hyp = folder / "system-outputs" / f"newstest2021.zh-en.hyp.{SYSTEM}.en"
    if not (src.is_file() and hyp.is_file()):
        pytest.skip(f"WMT21 zh-en data not found ({src}, {hyp})")
    sources = src.read_text(encoding="utf-8").splitlines()
    outputs = hyp.read_text(encoding="utf-8").splitlines()
    assert len(sources) == len(outputs)
    return list(zip(sources[:N], outputs[:N], strict=True))


# ------------------------------------------------------------------------------------------ builders


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Built:
    """A file built from fixed parts and targets: ``data == parts[0] + raw[0] + parts[1] + ...``;
    ``flats`` are the targets as the reader should flatten them, ``tags`` their inline tags in order."""

    data: bytes
    parts: list[bytes]
    raw: list[bytes]
    flats: list[str]
    tags: list[list[str]]


def assemble(parts: list[str], raws: list[str], flats: list[str], tags: list[list[str]]) -> Built:
    data = parts[0] + "".join(r + p for r, p in zip(raws, parts[1:], strict=True))
    return Built(data.encode(), [p.encode() for p in parts], [r.encode() for r in raws], flats, tags)


def decorate(text: str, k: int, tagset: str) -> tuple[str, str, list[str]]:
    """``text`` with a placeholder and inline tags inserted at word boundaries: (raw XML or PO text,
    flat text, tags in order)."""
    rng = random.Random(k)
    words = text.split(" ")
    n = len(words)
    placeholder = (rng.randrange(n), PLACEHOLDERS[k % len(PLACEHOLDERS)])
    empty, native, (open_, close) = {
        "xliff1": ('<x id="1"/>', '<ph id="3">&lt;br/&gt;</ph>', ('<g id="2">', "</g>")),
        "xliff2": ('<ph id="1"/>', '<sc id="3"/>', ('<pc id="2">', "</pc>")),
        "tmx": ('<ph x="1"/>', '<bpt i="1">&lt;b&gt;</bpt>', ('<hi type="x">', "</hi>")),
        "po": ("", "", ("", "")),
    }[tagset]
    at_empty, at_native = rng.randrange(n), rng.randrange(n)
    g_start = rng.randrange(n)
    g_end = min(n - 1, g_start + rng.randrange(3))
    raw: list[str] = []
    flat: list[str] = []
    tags: list[str] = []

    def add(piece: str, tag: bool = False) -> None:
        if not piece:
            return
        raw.append(piece if tag or tagset == "po" else xml_escape(piece))
        flat.append(piece)
        if tag:
            tags.append(piece)

    for i, word in enumerate(words):
        if i:
            add(" ")
        if i == g_start:
            add(open_, True)
        add(word)
        if i == g_end:
            add(close, True)
        if i == placeholder[0]:
            add(" " + placeholder[1])
        if i == at_empty:
            add(" ")
            add(empty, True)
        if i == at_native:
            add(native, True)
    if tagset == "xliff2" and native:
        add(" ")
        add('<ec startRef="3"/>', True)
    return "".join(raw), "".join(flat), tags


def build_xliff12(pairs: list[tuple[str, str]]) -> Built:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        '  <file original="newstest2021" source-language="zh-CN" target-language="en" datatype="plaintext">\n'
        "    <body>\n"
    ]
    raws, flats, tags = [], [], []
    for k, (src, hyp) in enumerate(pairs):
        raw, flat, t = decorate(hyp, k, "xliff1")
        source = f'{xml_escape(src)}<x id="1"/><g id="2">{xml_escape(src[:3])}</g>'
        alt = (
            '\n        <alt-trans><target xml:lang="en">Kim Jong -un arrived.He said ,, no</target></alt-trans>'
            if k % 7 == 0
            else ""
        )
        parts[-1] += (
            f'      <trans-unit id="s{k}" resname="line-{k}">\n'
            f"        <source>{source}</source>\n"
            f'        <target state="translated">'
        )
        parts.append(f"</target>{alt}\n        <note>keep  ,, this  .</note>\n      </trans-unit>\n")
        raws.append(raw)
        flats.append(flat)
        tags.append(t)
    parts[-1] += "    </body>\n  </file>\n</xliff>\n"
    return assemble(parts, raws, flats, tags)


def build_xliff2(pairs: list[tuple[str, str]]) -> Built:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN" trgLang="en">\n'
        '  <file id="f1">\n'
    ]
    raws, flats, tags = [], [], []
    for k, (src, hyp) in enumerate(pairs):
        raw, flat, t = decorate(hyp, k, "xliff2")
        if k % 5 != 1:  # every fifth unit goes on with a second segment
            parts[-1] += f'    <unit id="u{k}">\n'
        parts[-1] += (
            f'      <segment id="s{k}">\n        <source>{xml_escape(src)}<ph id="1"/></source>\n        <target>'
        )
        tail = "</target>\n      </segment>\n"
        if k % 5 != 0:
            tail += "    </unit>\n"
        parts.append(tail)
        raws.append(raw)
        flats.append(flat)
        tags.append(t)
    if len(pairs) % 5 == 1:
        parts[-1] += "    </unit>\n"
    parts[-1] += "  </file>\n</xliff>\n"
    return assemble(parts, raws, flats, tags)


def build_tmx(pairs: list[tuple[str, str]]) -> Built:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
        '<tmx version="1.4">\n'
        '  <header creationtool="mtfix-test" creationtoolversion="1" segtype="sentence" o-tmf="none"'
        ' adminlang="en" srclang="zh-CN" datatype="plaintext"/>\n'
        "  <body>\n"
    ]
    raws, flats, tags = [], [], []
    for k, (src, hyp) in enumerate(pairs):
        raw, flat, t = decorate(hyp, k, "tmx")
        raw += '<ept i="1">&lt;/b&gt;</ept>'
        flat += '<ept i="1">&lt;/b&gt;</ept>'
        t = [*t, '<ept i="1">&lt;/b&gt;</ept>']
        parts[-1] += (
            f'    <tu tuid="{k}">\n'
            f'      <prop type="x-origin">wmt21 ,, kept</prop>\n'
            f'      <tuv xml:lang="zh-CN"><seg>{xml_escape(src)}</seg></tuv>\n'
            f'      <tuv xml:lang="en-US"><seg>'
        )
        parts.append("</seg></tuv>\n    </tu>\n")
        raws.append(raw)
        flats.append(flat)
        tags.append(t)
    parts[-1] += "  </body>\n</tmx>\n"
    return assemble(parts, raws, flats, tags)


def po_string(text: str, width: int = 70) -> str:
    """A PO string as gettext writes it: one line, or ``""`` and lines wrapped after spaces."""
    escaped = polib.escape(text)
    if len(escaped) <= width:
        return f'"{escaped}"'
    lines, line = [], ""
    for word in re.findall(r"\S*\s*", escaped):
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = ""
        line += word
    lines.append(line)
    return '""\n' + "\n".join(f'"{x}"' for x in lines if x)


def build_po(pairs: list[tuple[str, str]]) -> Built:
    parts = [
        "# WMT21 zh-en, built by tests/test_l10n.py\n"
        'msgid ""\n'
        'msgstr ""\n'
        '"Project-Id-Version: mtfix-test\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    ]
    raws, flats, tags = [], [], []
    for k, (src, hyp) in enumerate(pairs):
        _, flat, _ = decorate(hyp, k, "po")
        if k % 9 == 4:
            flat += "\n"  # a trailing line break, as in many messages
        parts[-1] += f"\n#: newstest2021.zh-en:{k + 1}\n"
        if k % 6 == 0:
            parts[-1] += "#, fuzzy, python-format\n"
        parts[-1] += f"msgid {po_string(src)}\nmsgstr "
        parts.append("\n")
        raws.append(po_string(flat))
        flats.append(flat)
        tags.append([])
    parts[-1] += '\n#~ msgid "obsolete"\n#~ msgstr "Kim Jong -un arrived.He said ,, no"\n'
    return assemble(parts, raws, flats, tags)


BUILDERS = {"xliff12": ("xliff", build_xliff12), "xliff2": ("xliff", build_xliff2), "tmx": ("tmx", build_tmx)}
BUILDERS["po"] = ("po", build_po)


def split_targets(out: bytes, parts: list[bytes]) -> list[bytes]:
    """The targets of ``out``, asserting that everything around them is the fixed parts, byte for byte."""
    assert out.startswith(parts[0])
    pos, raws = len(parts[0]), []
    for part in parts[1:]:
        j = out.find(part, pos)
        assert j >= 0, f"fixed part {part[:60]!r} not found after byte {pos}"
        raws.append(out[pos:j])
        pos = j + len(part)
    assert pos == len(out), "the file does not end with its last fixed part"
    return raws


def parses(fmt: str, data: bytes) -> None:
    if fmt == "po":
        polib.pofile(data.decode("utf-8"))
    else:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


def tag_texts(unit: mtfix.l10n.Unit) -> list[str]:
    assert unit.target is not None
    return [unit.target[a:b] for a, b in unit.spans]


# -------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_wmt21_round_trip(kind: str, wmt: list[tuple[str, str]], cleaner: mtfix.Cleaner, rules: mtfix.Cleaner) -> None:
    fmt, build = BUILDERS[kind]
    built = build(wmt)
    name = f"newstest2021.{kind}"
    before = read(built.data, fmt, name)
    assert before.fmt == fmt
    assert [u.target for u in before.units] == built.flats  # the reader's flat text: text and raw tags
    assert [tag_texts(u) for u in before.units] == built.tags
    assert all(u.source for u in before.units)
    if kind == "xliff2":
        assert before.version == "2.0" and before.units[1].id == "u0/2"

    out, pairs = clean_file(built.data, fmt, cleaner, name)
    changed = [r for _, r in pairs if r is not None and r.changed]
    assert len(changed) >= 10, "the system output should give the cleaner something to repair"
    new_raw = split_targets(out, built.parts)  # everything outside the targets is byte-identical
    assert sum(a != b for a, b in zip(new_raw, built.raw, strict=True)) == len(changed)
    parses(fmt, out)
    after = read(out, fmt, name)
    assert [u.source for u in after.units] == [u.source for u in before.units]
    assert [u.id for u in after.units] == [u.id for u in before.units]
    for (unit, result), new in zip(pairs, after.units, strict=True):
        assert result is not None
        assert new.target == result.text  # the result's text, tags put back
        assert tag_texts(new) == tag_texts(unit)  # every tag, in order
        assert _PLACEHOLDER.findall(new.target) == _PLACEHOLDER.findall(unit.target)  # type: ignore[arg-type]
    # nothing to clean: the cleaned file written again, and the rule layer on its own output
    assert after.write({}) == out
    assert after.write({u.index: Result(u.target, u.target) for u in after.units}) == out  # type: ignore[arg-type]
    assert clean_file(out, fmt, rules, name)[0] == out
    if fmt == "po":
        assert b'#~ msgstr "Kim Jong -un arrived.He said ,, no"' in out  # obsolete: not a unit
        assert out.count(b"#, fuzzy") == built.data.count(b"#, fuzzy")


def test_po_multiline_block_stays_multiline(cleaner: mtfix.Cleaner) -> None:
    long = (
        "Kim Jong -un arrived in the capital on Sunday for talks.He said that the the meeting was useful ,, and long."
    )
    data = ('msgid "x"\nmsgstr ' + po_string(long, 40) + "\n").encode()
    assert data.count(b"\n") > 3
    out, [(_, result)] = clean_file(data, "po", cleaner, "long.po")
    assert result is not None and result.changed
    assert out.startswith(b'msgid "x"\nmsgstr ""\n"')
    assert out.count(b"\n") == data.count(b"\n")  # no line joined or re-wrapped
    assert polib.pofile(out.decode()).find("x").msgstr == result.text


def test_clean_english_is_byte_identical(cleaner: mtfix.Cleaner) -> None:
    sentences = ["The meeting ended at noon.", 'She said <x id="1"/> "yes" and left.', "Prices rose by 5% in May."]
    targets = "".join(
        f'<trans-unit id="{i}"><source>s</source><target>{s}</target></trans-unit>\n' for i, s in enumerate(sentences)
    )
    data = f'<?xml version="1.0"?>\n<xliff version="1.2"><file><body>\n{targets}</body></file></xliff>'.encode()
    out, pairs = clean_file(data, "xliff", cleaner, "clean.xlf")
    assert out == data
    assert all(r is not None and not r.changes for _, r in pairs)
    po = b'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "The meeting ended at noon."\n'
    assert clean_file(po, "po", cleaner, "clean.po")[0] == po


# --------------------------------------------------------------------------- encodings and raw forms

XLF = (
    '<?xml version="1.0" encoding="{enc}"?>\n'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
    ' <file original="x" source-language="fr" target-language="en" datatype="plaintext"><body>\n'
    '  <trans-unit id="1"><source>Le café</source><target>{target}</target></trans-unit>\n'
    " </body></file>\n</xliff>\n"
)


def one_target(data: bytes, fmt: str = "xliff", clean: mtfix.Cleaner | None = None) -> tuple[bytes, Result]:
    out, pairs = clean_file(data, fmt, clean or mtfix.Cleaner(grammar=False), "t")
    results = [r for _, r in pairs if r is not None]
    assert len(results) == 1
    return out, results[0]


def test_entities_and_character_references_keep_their_raw_form() -> None:
    target = "AT&amp;T said ,, &#x201C;yes&#x201D; &lt;b&gt; and &#38; Kim Jong -un left."
    data = XLF.format(enc="UTF-8", target=target).encode()
    out, result = one_target(data)
    assert result.original == "AT&T said ,, “yes” <b> and & Kim Jong -un left."
    expected = "AT&amp;T said, &#x201C;yes&#x201D; &lt;b&gt; and &#38; Kim Jong-un left."
    assert out == XLF.format(enc="UTF-8", target=expected).encode()


def test_changed_text_is_escaped() -> None:
    data = XLF.format(enc="UTF-8", target="a").encode()
    f = read(data, "xliff", "t")
    text = "R&D <b> ok"
    out = f.write({0: Result("a", text, [Change(0, 1, "a", text, "k", "rule", 1.0, "m")])})
    assert b"<target>R&amp;D &lt;b&gt; ok</target>" in out
    assert read(out, "xliff", "t").units[0].target == text


def test_cdata() -> None:
    touched = XLF.format(enc="UTF-8", target="<![CDATA[Kim Jong -un <arrived>]]> ok").encode()
    out, result = one_target(touched)
    assert result.text == "Kim Jong-un <arrived> ok"
    assert b"<target>Kim Jong-un &lt;arrived&gt; ok</target>" in out  # a changed CDATA is written escaped
    kept = XLF.format(enc="UTF-8", target="<![CDATA[fine <b>text</b>]]> and Kim Jong -un").encode()
    out, _ = one_target(kept)
    assert b"<target><![CDATA[fine <b>text</b>]]> and Kim Jong-un</target>" in out


def test_comments_and_processing_instructions_are_kept_as_markup() -> None:
    data = XLF.format(enc="UTF-8", target="It arrived.He <!-- a ,, note --> left <?pi x?>now").encode()
    out, result = one_target(data)
    assert b"<target>It arrived. He <!-- a ,, note --> left <?pi x?>now</target>" in out
    assert result.original.count("<!-- a ,, note -->") == 1


def test_crlf() -> None:
    crlf = XLF.replace("\n", "\r\n")
    data = crlf.format(enc="UTF-8", target="Kim Jong -un arrived.\r\nHe said ,, no").encode()
    out, result = one_target(data)
    assert result.original == "Kim Jong -un arrived.\nHe said ,, no"  # XML reads CRLF as LF
    expected = crlf.format(enc="UTF-8", target="Kim Jong-un arrived.\r\nHe said, no").encode()
    assert out == expected  # the CRLF inside the target, and every other one, kept


def test_utf8_bom() -> None:
    data = codecs.BOM_UTF8 + XLF.format(enc="UTF-8", target="Kim Jong -un").encode()
    out, _ = one_target(data)
    assert out == codecs.BOM_UTF8 + XLF.format(enc="UTF-8", target="Kim Jong-un").encode()


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("bom", [True, False])
def test_utf16(codec: str, bom: bool) -> None:
    mark = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) if bom else b""
    data = mark + XLF.format(enc="UTF-16", target="Kim Jong -un à Paris.He").encode(codec)
    out, result = one_target(data)
    assert result.text == "Kim Jong-un à Paris. He"
    assert out == mark + XLF.format(enc="UTF-16", target="Kim Jong-un à Paris. He").encode(codec)


def test_latin1() -> None:
    data = XLF.format(enc="ISO-8859-1", target="Kim Jong -un drank a café.He left").encode("latin-1")
    out, _ = one_target(data)
    assert out == XLF.format(enc="ISO-8859-1", target="Kim Jong-un drank a café. He left").encode("latin-1")
    f = read(data, "xliff", "t")
    text = "ok ☃"  # not in Latin-1: written as a character reference
    out = f.write(
        {
            0: Result(
                f.units[0].target, text, [Change(0, len(f.units[0].target), f.units[0].target, text, "k", "r", 1.0, "")]
            )
        }
    )  # type: ignore[arg-type]
    assert b"<target>ok &#9731;</target>" in out and read(out, "xliff", "t").units[0].target == text


def test_dtd_entities_are_kept_as_references() -> None:
    doc = (
        '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY co "Acme ,, Inc">]>\n<xliff version="1.2"><file><body>\n'
        '<trans-unit id="1"><source>s</source><target>{}</target></trans-unit>\n</body></file></xliff>'
    )
    out, result = one_target(doc.format("&co; said ,, no.He left").encode())
    assert result.original == "&co; said ,, no.He left"  # the reference, protected: never its expansion edited
    assert out == doc.format("&co; said, no. He left").encode()


def test_prefixed_namespace_and_segment_markers() -> None:
    data = (
        b'<x:xliff xmlns:x="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><x:file><x:body>\n'
        b'<x:trans-unit id="1"><x:source>s</x:source><x:target/></x:trans-unit>\n'
        b'<x:trans-unit id="2"><x:source>s</x:source><x:target><x:mrk mtype="seg" mid="1">Kim Jong -un</x:mrk></x:target>'
        b"</x:trans-unit>\n</x:body></x:file></x:xliff>"
    )
    f = read(data, "xliff", "t.sdlxliff")
    assert [u.target for u in f.units] == ["", '<x:mrk mtype="seg" mid="1">Kim Jong -un</x:mrk>']
    out = f.write({0: Result("", "Hi", [Change(0, 0, "", "Hi", "k", "r", 1.0, "")])})
    assert out == data.replace(b"<x:target/>", b"<x:target>Hi</x:target>")
    assert clean_file(data, "xliff", mtfix.Cleaner(), "t.sdlxliff")[0] == data.replace(b"Jong -un", b"Jong-un")


def test_a_result_of_the_neutral_text_is_written() -> None:
    data = XLF.format(enc="UTF-8", target='He said " hello " <x id="1"/> to me .').encode()
    f = read(data, "xliff", "t")
    unit = f.units[0]
    assert unit.target is not None
    neutral = neutral_text(unit.target, unit.spans)
    assert neutral == 'He said " hello " <x id=_1_/> to me .'
    result = mtfix.Cleaner(grammar=False).clean(neutral, protected=unit.spans)
    assert result.changed
    assert b'<target>He said "hello" <x id="1"/> to me.</target>' in f.write({0: result})


def test_self_closing_target_is_opened() -> None:
    data = XLF.format(enc="UTF-8", target="").replace("<target></target>", "<target/>").encode()
    f = read(data, "xliff", "t")
    assert f.units[0].target == ""
    assert f.write({0: Result("", "")}) == data
    out = f.write({0: Result("", "Hello", [Change(0, 0, "", "Hello", "k", "rule", 1.0, "")])})
    assert out == data.replace(b"<target/>", b"<target>Hello</target>")


def test_po_crlf_bom_and_charset() -> None:
    body = 'msgid ""\nmsgstr "Content-Type: text/plain; charset={cs}\\n"\n\n#, fuzzy\nmsgid "a"\nmsgstr ""\n"Kim Jong -un à Paris.\\n"\n"He said ,, no"\n'
    for cs, codec, prefix, nl in [
        ("UTF-8", "utf-8", b"", "\r\n"),
        ("UTF-8", "utf-8", codecs.BOM_UTF8, "\n"),
        ("ISO-8859-1", "latin-1", b"", "\n"),
    ]:
        data = prefix + body.format(cs=cs).replace("\n", nl).encode(codec)
        out, result = one_target(data, "po")
        expected = body.format(cs=cs).replace("Kim Jong -un", "Kim Jong-un").replace(" ,, no", ", no")
        assert out == prefix + expected.replace("\n", nl).encode(codec), cs
        assert result.text == "Kim Jong-un à Paris.\nHe said, no"


def test_po_plural_fuzzy_untranslated_and_context() -> None:
    data = (
        b'#, fuzzy\nmsgctxt "menu"\nmsgid "apple"\nmsgid_plural "apples"\nmsgstr[0] "one apple ,, here"\n'
        b'msgstr[1] "{0} apples.They"\n\nmsgid "empty"\nmsgstr ""\n\n#| msgid "old"\nmsgid "b"\nmsgstr "Kim Jong -un"\n'
    )
    f = read(data, "po", "p.po")
    assert [(u.id, u.source, u.target, u.line) for u in f.units] == [
        ("menu\x04apple[0]", "apple", "one apple ,, here", 5),
        ("menu\x04apple[1]", "apples", "{0} apples.They", 6),
        ("empty", "empty", "", 9),
        ("b", "b", "Kim Jong -un", 13),
    ]
    out, pairs = clean_file(data, "po", mtfix.Cleaner(mode="thorough"), "p.po")
    assert all(r is not None for _, r in pairs)
    assert out == data.replace(b"here", b"here").replace(b" ,,", b",").replace(b".They", b". They").replace(
        b" -un", b"-un"
    )
    assert out.startswith(b"#, fuzzy\n")


def test_translate_no_alt_trans_and_missing_target() -> None:
    data = (
        b'<xliff version="1.2"><file><body>\n'
        b'<group translate="no"><trans-unit id="a"><source>s</source><target>Kim Jong -un</target></trans-unit></group>\n'
        b'<trans-unit id="b"><source>s</source>\n  <alt-trans><target>Kim Jong -un</target></alt-trans></trans-unit>\n'
        b'<trans-unit id="c"><source>s</source><target>Kim Jong -un</target></trans-unit>\n'
        b"</body></file></xliff>"
    )
    out, pairs = clean_file(data, "xliff", mtfix.Cleaner(), "t.xlf")
    assert [(u.id, u.translate, u.target, r is not None) for u, r in pairs] == [
        ("a", False, "Kim Jong -un", False),
        ("b", True, None, False),  # no target: listed, with no result
        ("c", True, "Kim Jong -un", True),
    ]
    assert pairs[1][0].line == 3 and pairs[1][0].column == 1  # where the unit is
    assert out == data.replace(
        b"<target>Kim Jong -un</target></trans-unit>\n</body>", b"<target>Kim Jong-un</target></trans-unit>\n</body>"
    )
    # a result for the translate="no" unit is ignored: it is left alone
    change = Change(0, 12, "Kim Jong -un", "x", "k", "r", 1.0, "")
    assert read(data, "xliff", "t.xlf").write({0: Result("Kim Jong -un", "x", [change])}) == data


def test_xliff2_segments_and_inline_codes() -> None:
    data = (
        b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de" trgLang="en"><file id="f">\n'
        b'<unit id="u1"><segment><source>a</source><target>Kim <pc id="1">Jong -un</pc> <ph id="2"/>.</target></segment>'
        b"<ignorable><source> </source><target> </target></ignorable>"
        b'<segment><source>b</source><target><sc id="3"/>It arrived.He left<ec startRef="3"/></target></segment></unit>\n'
        b'<unit id="u2" translate="no"><segment><source>c</source><target>x ,, y</target></segment></unit>\n'
        b"</file></xliff>"
    )
    f = read(data, "xliff", "t.xlf")
    assert f.version == "2.0"
    assert [(u.id, u.translate) for u in f.units] == [("u1/1", True), ("u1/2", True), ("u2/1", False)]
    assert tag_texts(f.units[0]) == ['<pc id="1">', "</pc>", '<ph id="2"/>']
    out, _ = clean_file(data, "xliff", mtfix.Cleaner(), "t.xlf")
    assert out == data.replace(b"Jong -un", b"Jong-un").replace(b"arrived.He", b"arrived. He")


def test_tmx_target_and_source_languages() -> None:
    data = (
        '<tmx version="1.4"><header srclang="zh" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"'
        ' creationtool="t" creationtoolversion="1"/><body>\n'
        '<tu tuid="t1"><tuv xml:lang="de-DE"><seg>Kim Jong -un de</seg></tuv><tuv xml:lang="EN-gb"><seg>Kim Jong -un <hi>in</hi> <ph>&lt;br/&gt;</ph>.</seg></tuv>'
        '<tuv xml:lang="zh-CN"><seg>中文</seg></tuv></tu>\n'
        '<tu><tuv lang="fr"><seg>français</seg></tuv><tuv xml:lang="eng"><seg>Kim Jong -un</seg></tuv></tu>\n'
        "</body></tmx>"
    ).encode()
    f = read(data, "tmx", "t.tmx")
    assert [(u.id, u.source, u.target) for u in f.units] == [
        ("t1", "中文", "Kim Jong -un <hi>in</hi> <ph>&lt;br/&gt;</ph>."),
        ("2", "français", None),  # 'eng' is not 'en'
    ]
    assert tag_texts(f.units[0]) == ["<hi>", "</hi>", "<ph>&lt;br/&gt;</ph>"]
    de = read(data, "tmx", "t.tmx", target_lang="de")
    assert (de.units[0].source, de.units[0].target) == ("中文", "Kim Jong -un de")
    assert [u.target for u in read(data, "tmx", "t.tmx", target_lang="fr").units] == [None, "français"]
    out, pairs = clean_file(data, "tmx", mtfix.Cleaner(), "t.tmx")
    assert out == data.replace(b"Kim Jong -un <hi>", b"Kim Jong-un <hi>")
    assert pairs[1][1] is None


# ----------------------------------------------------------------------------------- refused writes


def test_a_change_inside_a_tag_is_refused() -> None:
    data = XLF.format(enc="UTF-8", target='a <x id="1"/> b').encode()
    f = read(data, "xliff", "t.xlf")
    original = f.units[0].target
    assert original is not None
    assert f.units[0].spans == ((2, 13),)
    for change in [
        Change(4, 6, original[4:6], "y ", "k", "r", 1.0, ""),  # inside
        Change(0, 14, original[:14], "a", "k", "r", 1.0, ""),  # across, the tag deleted
        Change(12, 14, original[12:14], "", "k", "r", 1.0, ""),  # its last character
        Change(5, 5, "", "z", "k", "r", 1.0, ""),  # an insertion inside
    ]:
        result = Result(original, mtfix.apply_changes(original, [change]), [change])
        with pytest.raises(L10nError, match="tag") as info:
            f.write({0: result})
        assert str(info.value).startswith("t.xlf:4:")
    # at a tag's edge, fine
    edge = Change(2, 2, "", "z", "k", "r", 1.0, "")
    assert b'a z<x id="1"/> b' in f.write({0: Result(original, mtfix.apply_changes(original, [edge]), [edge])})
    with pytest.raises(ValueError, match="not of its target"):
        f.write({0: Result("other", "other")})


# -------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (
            b'<xliff version="1.2"><file><body>\n<trans-unit id="1">\n  <source>a</sorce>\n</trans-unit></body></file></xliff>',
            3,
            20,
        ),
        (
            b'<xliff version="1.2"><file><body>\n<trans-unit id="1"><source>a &nbsp; b</source></trans-unit></body></file></xliff>',
            2,
            36,
        ),
        (b'<xliff version="1.2">\n<file>', 2, 7),
    ],
)
def test_malformed_xml(data: bytes, line: int, column: int) -> None:
    with pytest.raises(L10nError) as info:
        read(data, "xliff", "bad.xlf")
    e = info.value
    assert (e.name, e.line, e.column) == ("bad.xlf", line, column)
    assert str(e).startswith(f"bad.xlf:{line}:{column}: ")


def test_not_xliff_or_tmx() -> None:
    with pytest.raises(L10nError, match=r"t.xlf:1:1: not an XLIFF document"):
        read(b"<tmx/>", "xliff", "t.xlf")
    with pytest.raises(L10nError, match=r"t.tmx:1:1: not a TMX document"):
        read(b"<xliff/>", "tmx", "t.tmx")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('msgid "a"\nmsgstr "unterminated\n', 2, 8),
        ('msgid "a"\nmsgstr "b" "c" x\n', 2, 8),
        ('msgid "a"\n  bogus line\nmsgstr "b"\n', 2, 3),
        ('msgstr "no msgid"\n', 1, 1),
        ('msgid "a"\nmsgstr "say "hi""\n', 2, 8),
    ],
)
def test_malformed_po(text: str, line: int, column: int) -> None:
    with pytest.raises(L10nError) as info:
        read(text.encode(), "po", "bad.po")
    assert (info.value.line, info.value.column) == (line, column)
    assert str(info.value).startswith(f"bad.po:{line}:{column}: ")


def test_po_not_in_its_charset() -> None:
    data = b'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "caf\xe9"\n'
    with pytest.raises(L10nError, match=r"bad.po:5:12: not valid utf-8"):
        read(data, "po", "bad.po")


def test_format_of() -> None:
    assert [format_of(p) for p in ["a.xlf", "b.XLIFF", "c.sdlxliff", "d.mxliff", "e.po", "f.pot", "g.tmx", "h.txt"]] == [
        "xliff", "xliff", "xliff", "xliff", "po", "po", "tmx", None,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="unknown localisation format"):
        read(b"", "docx", "x")


# ------------------------------------------------------------------------------------------ property

_WORDS = [
    "Kim Jong -un",
    "arrived.He",
    " ,",
    ",,",
    "the the",
    "six -day",
    "é",
    "，",
    "。",
    "中文",
    "Mr.Lu",
    "3.5",
    "a",
    "b",
]
_CHARS = st.sampled_from([*_WORDS, " ", "&", "<", ">", '"', "'", "{0}", "%s", "%(n)s", "{{v}}", "\n", "\\", "\t"])
_TEXT = st.lists(_CHARS, max_size=8).map("".join)
_EMPTY_TAGS = [
    '<x id="1"/>',
    '<ph id="2">&lt;br/&gt;</ph>',
    '<bpt i="1">&lt;b&gt;</bpt>',
    '<ept i="1">&lt;/b&gt;</ept>',
    "<!-- c -->",
]


def _tree(depth: int = 2) -> st.SearchStrategy[list]:
    leaf = st.one_of(_TEXT.map(lambda t: ("text", t)), st.sampled_from(_EMPTY_TAGS).map(lambda t: ("tag", t)))
    if not depth:
        return st.lists(leaf, max_size=5)
    paired = st.tuples(st.sampled_from([('<g id="3">', "</g>"), ('<mrk mtype="x">', "</mrk>")]), _tree(depth - 1))
    return st.lists(st.one_of(leaf, paired.map(lambda p: ("pair", p))), max_size=5)


@st.composite
def xml_target(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """A random target: (raw XML content, its flat text, its tags), each text written in a random raw
    form (entities, character references, CDATA)."""
    raw: list[str] = []
    flat: list[str] = []
    tags: list[str] = []

    def text(t: str) -> None:
        if t and draw(st.booleans()) and "]]>" not in t and "\r" not in t:
            raw.append(f"<![CDATA[{t}]]>")
        else:
            for ch in t:
                options = {"&": ["&amp;", "&#38;", "&#x26;"], "<": ["&lt;", "&#60;"], ">": [">", "&gt;"]}.get(ch, [ch])
                if ch.isalpha() and not ch.isascii():
                    options = [ch, f"&#{ord(ch)};"]
                raw.append(draw(st.sampled_from(options)))
        flat.append(t)

    def walk(items: list) -> None:
        for kind, value in items:
            if kind == "text":
                text(value)
            elif kind == "tag":
                raw.append(value)
                flat.append(value)
                tags.append(value)
            else:
                (open_, close), inner = value
                raw.append(open_)
                flat.append(open_)
                tags.append(open_)
                walk(inner)
                raw.append(close)
                flat.append(close)
                tags.append(close)

    walk(draw(_tree()))
    return "".join(raw), "".join(flat), tags


EXAMPLES = 1000 if os.environ.get("MTFIX_SLOW") else 60  # MTFIX_SLOW=1: the long run, as tests/test_fuzz.py


def raw_tags(raw: str) -> list[str]:
    """The markup of raw XML content, CDATA sections left out."""
    return re.findall(r"<[^>]*>", re.sub(r"<!\[CDATA\[.*?\]\]>", "", raw, flags=re.S))


CONFIGS = {"default": mtfix.Config(), "no-grammar": mtfix.Config(grammar=False)}
_CLEANERS = {name: mtfix.Cleaner(config) for name, config in CONFIGS.items()}


@pytest.mark.parametrize("config", list(CONFIGS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(target=xml_target(), po_text=_TEXT, po_cuts=st.lists(st.integers(0, 40), max_size=3), data=st.data())
def test_property_any_subset_of_changes_round_trips(
    config: str, target: tuple[str, str, list[str]], po_text: str, po_cuts: list[int], data: st.DataObject
) -> None:
    cleaner = _CLEANERS[config]
    raw, flat, tags = target
    prefix = '<?xml version="1.0"?>\n<xliff version="1.2"><file><body><trans-unit id="r"><source>s</source><target>'
    suffix = "</target></trans-unit></body></file></xliff>\n"
    # a PO message split over lines at random points (never inside an escape)
    escaped = polib.escape(po_text)
    cuts = sorted({c for c in po_cuts if c < len(escaped) and not escaped[:c].endswith("\\")} - {0})
    lines = [escaped[a:b] for a, b in zip([0, *cuts], [*cuts, len(escaped)], strict=True)]
    po_block = f'"{lines[0]}"' if len(lines) == 1 else '""\n' + "\n".join(f'"{x}"' for x in lines)
    files = [
        ("xliff", (prefix + raw + suffix).encode(), flat, tags),
        ("po", f'msgid "m"\nmsgstr {po_block}\n'.encode(), po_text, []),
    ]
    for fmt, blob, expected, expected_tags in files:
        f = read(blob, fmt, "p")
        unit = f.units[0]
        assert unit.target == expected
        assert tag_texts(unit) == expected_tags
        [result] = cleaner.clean_batch([expected], protected=[unit.spans])
        keep = data.draw(st.lists(st.booleans(), min_size=len(result.changes), max_size=len(result.changes)))
        subset = [c for c, k in zip(result.changes, keep, strict=True) if k]
        partial = Result(result.original, result.apply(subset), subset)
        out = f.write({0: partial})
        again = read(out, fmt, "p").units[0]
        assert again.target == partial.text
        assert tag_texts(again) == expected_tags
        if fmt == "xliff":
            assert out.startswith(prefix.encode()) and out.endswith(suffix.encode())
            assert raw_tags(out.decode()[len(prefix) : -len(suffix)]) == raw_tags(raw)
        else:
            assert out.startswith(b'msgid "m"\nmsgstr ') and out.count(b"\n") <= blob.count(b"\n")
        if not subset:
            assert out == blob


# -------------------------------------------------------------------------------------------- model


def test_shipped_model_on_a_few_units() -> None:
    pytest.importorskip("torch", reason="torch is not installed: the shipped model cannot run")
    built = build_xliff12(
        [
            ("他昨天去学校。", "He go to school yesterday and buyed a apple ."),
            ("金正恩抵达。", "Kim Jong -un arrived.He said ,, no"),
            ("会议结束了。", "The meeting ended at noon."),
        ]
    )
    out, pairs = clean_file(built.data, "xliff", mtfix.Cleaner(model="default"), "model.xlf")
    split_targets(out, built.parts)
    after = read(out, "xliff", "model.xlf")
    for (unit, result), new in zip(pairs, after.units, strict=True):
        assert result is not None and new.target == result.text
        assert tag_texts(new) == tag_texts(unit)
    assert pairs[1][1] is not None and pairs[1][1].changed
