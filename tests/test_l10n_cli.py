"""Localisation files on the command line: XLIFF, PO and TMX cleaned in place or to an output, nothing
but the targets changed, malformed files refused with their position and nothing written."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import mtfix

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file source-language="fr" target-language="en" datatype="plaintext" original="app">
    <body>
      <trans-unit id="1">
        <source>Kim Jong-un est parti. <x id="1"/></source>
        <target>Kim Jong -un left.He said ,, no . <x id="1"/></target>
      </trans-unit>
      <trans-unit id="2" approved="yes">
        <source>Bonjour <g id="2">{0}</g> !</source>
        <target state="translated">Hello <g id="2">{0}</g>!</target>
      </trans-unit>
      <trans-unit id="3">
        <source>Il a %1$s pommes &amp; 3 poires.</source>
        <target>He has %1$s apples &amp; 3 pears ,,</target>
      </trans-unit>
      <trans-unit id="4">
        <source>Pas de cible</source>
      </trans-unit>
    </body>
  </file>
</xliff>
"""


def test_xliff_only_the_targets_change(tmp_path: Path) -> None:
    (tmp_path / "app.xlf").write_text(XLIFF)
    proc = mtfix("clean", "app.xlf", "-o", "out.xlf", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr  # complete; one unit has no target, named on stderr
    assert "app.xlf: line" in proc.stderr and "unit '4' has no target" in proc.stderr
    out = (tmp_path / "out.xlf").read_text()
    expected = XLIFF.replace("Kim Jong -un left.He said ,, no . <x", "Kim Jong-un left. He said, no. <x").replace(
        "3 pears ,,", "3 pears,"
    )
    assert out == expected
    # cleaning the output again changes nothing: byte for byte the same file
    again = mtfix("clean", "out.xlf", "-o", "again.xlf", cwd=tmp_path)
    assert (tmp_path / "again.xlf").read_bytes() == (tmp_path / "out.xlf").read_bytes(), again.stderr


def test_xliff_check_reports_against_the_source(tmp_path: Path) -> None:
    broken = XLIFF.replace("He has %1$s apples", "He has apples").replace('Hello <g id="2">{0}</g>!', "Hello!")
    (tmp_path / "app.xlf").write_text(broken)
    proc = mtfix("check", "app.xlf", cwd=tmp_path)
    assert proc.returncode == 1
    kinds = {line.split(": ")[1] for line in proc.stdout.splitlines() if ": " in line}
    assert {"qa.placeholder", "qa.tag"} <= kinds, proc.stdout


def test_malformed_files_name_the_position_and_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.xlf").write_text(
        XLIFF.replace(
            '</target>\n      </trans-unit>\n      <trans-unit id="2"',
            '\n      </trans-unit>\n      <trans-unit id="2"',
            1,
        )
    )
    (tmp_path / "good.xlf").write_text(XLIFF)
    (tmp_path / "bad.po").write_text('msgid "a"\nmsgstr "b\n')
    proc = mtfix("clean", "bad.xlf", "good.xlf", "bad.po", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert "bad.xlf" in proc.stderr and "line " in proc.stderr and "column " in proc.stderr
    assert "bad.po" in proc.stderr
    assert not (tmp_path / "out" / "bad.xlf").exists() and not (tmp_path / "out" / "bad.po").exists()
    assert (tmp_path / "out" / "good.xlf").exists()  # the other inputs are still processed


def test_po_in_place_keeps_everything_but_msgstr(tmp_path: Path) -> None:
    po = (
        "# a comment\n"
        'msgid ""\n'
        'msgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        "\n"
        "#, fuzzy, python-format\n"
        'msgid "%(n)s file deleted"\n'
        'msgid_plural "%(n)s files deleted"\n'
        'msgstr[0] "%(n)s file deleted ,, now"\n'
        'msgstr[1] "%(n)s files deleted ,, now"\n'
        "\n"
        'msgid "Kim left"\n'
        'msgstr "Kim Jong -un left.He went"\n'
    )
    (tmp_path / "m.po").write_text(po)
    proc = mtfix("clean", "--in-place", "m.po", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m.po").read_text() == po.replace(" ,, now", ", now").replace(
        "Kim Jong -un left.He went", "Kim Jong-un left. He went"
    )
    diff = mtfix("clean", "--diff", "m.po", cwd=tmp_path)
    assert diff.returncode == 0 and diff.stdout == ""  # nothing left to change


def test_xliff_report_and_apply_keep_what_the_review_kept(tmp_path: Path) -> None:
    from mtfix.review import decisions_json
    from tests.test_review import report_of, run

    (tmp_path / "app.xlf").write_text(XLIFF)
    mtfix("report", "app.xlf", "-o", "review.html", cwd=tmp_path)
    data = report_of((tmp_path / "review.html").read_text())
    ids = [item[0] for segment in data["segments"] for item in segment[4]]
    first = next(item for segment in data["segments"] for item in segment[4])
    assert first[6:8] == [" ", ""]  # 'Jong -un'
    (tmp_path / "decisions.json").write_text(decisions_json(data, {ids[0]: "rejected"}))
    proc = run("apply", "--decisions", "decisions.json", "app.xlf", "-o", "applied.xlf", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cleaned = mtfix("clean", "app.xlf", "-o", "cleaned.xlf", cwd=tmp_path)
    assert cleaned.returncode == 3
    applied = (tmp_path / "applied.xlf").read_text()
    assert applied == (tmp_path / "cleaned.xlf").read_text().replace("Kim Jong-un left.", "Kim Jong -un left.")
