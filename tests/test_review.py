"""The review report and ``mtfix apply``: change ids, decisions applied exactly, and the HTML escaping
everything it shows (the browser itself is driven in test_report_browser.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mtfix
from mtfix.report import report_html
from mtfix.review import Decisions, ReviewError, Segment, change_id, decisions_json, report_data

from .test_invariants import MT_TEXT

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_a531eb22376dc238.txt"
RULES = mtfix.Cleaner(model=None, grammar=False, mode="thorough")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m mtfix ARGS`` in ``cwd`` (report and clean get ``--no-model``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    extra = ["--no-model"] if args[0] in ("report", "clean") else []
    proc = subprocess.run(
        [sys.executable, "-m", "mtfix", *map(str, args), *extra], cwd=cwd, env=env, capture_output=True, timeout=120
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def report_of(html: str) -> dict:
    """The data block of a report page."""
    blob = re.search(r'<script type="application/json" id="mtfix-data">(.*?)</script>', html, re.S)
    assert blob is not None
    return json.loads(blob.group(1))


def expected_text(path: Path, name: str, rejected: set[str]) -> str:
    """``path`` cleaned by the default pipeline, without the changes ``rejected`` names."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        r = mtfix.clean(line, model=None)
        ids = Segment(name, n, 0, r).ids()
        out.append(r.apply([c for c, i in zip(r.changes, ids, strict=True) if i not in rejected]))
    return "\n".join(out)


def test_a_change_id_names_the_change_and_the_text_it_was_made_on() -> None:
    r = mtfix.clean("Kim Jong -un arrived.")
    c = r.changes[0]
    cid = change_id("a.txt", 3, r.original, c)
    assert cid.startswith(f"a.txt:3:{c.start}-{c.end}:{c.kind}:")
    assert cid == change_id("a.txt", 3, r.original, c)  # stable
    assert cid != change_id("a.txt", 3, r.original + " More.", c)  # the line was edited elsewhere
    assert cid != change_id("a.txt", 4, r.original, c) != change_id("b.txt", 3, r.original, c)


@settings(max_examples=150, deadline=None)
@given(st.lists(MT_TEXT, min_size=1, max_size=5), st.data())
def test_applying_decisions_gives_the_text_with_exactly_the_changes_kept(texts: list[str], data: st.DataObject) -> None:
    results = [RULES.clean(t) for t in texts]
    segments = [Segment("c.txt", i, 0, r) for i, r in enumerate(results, 1) if r.changes or r.flags]
    report = report_data(segments, title="t", inputs=["c.txt"], limit=10**6)
    ids = [c[0] for s in report["segments"] for c in s[4]]
    decided = {i: data.draw(st.sampled_from(["pending", "accepted", "rejected"])) for i in ids}
    decisions = Decisions.from_data(json.loads(decisions_json(report, decided)))
    for pending in ("accept", "reject"):
        for n, (text, r) in enumerate(zip(texts, results, strict=True), 1):
            seg = Segment("c.txt", n, 0, r)
            states = dict(zip(seg.ids(), (decided[i] for i in seg.ids()), strict=True))
            kept = [
                c
                for c, i in zip(r.changes, seg.ids(), strict=True)
                if states[i] == "accepted" or (states[i] == "pending" and pending == "accept")
            ]
            got = decisions.result("c.txt", n, 0, text, pending=pending)
            assert got.text == r.apply(kept) == got.apply()
            assert [(c.start, c.end, c.after) for c in got.changes] == [(c.start, c.end, c.after) for c in kept]


def test_a_decisions_file_is_checked() -> None:
    with pytest.raises(ReviewError, match="not a decisions file"):
        Decisions.from_data({"changes": []})
    with pytest.raises(ReviewError, match="version 9"):
        Decisions.from_data({"format": "mtfix-decisions", "version": 9})
    r = mtfix.clean("Kim Jong -un arrived.")
    data = json.loads(decisions_json(report_data([Segment("a.txt", 1, 0, r)], title="", inputs=[], limit=9)))
    data["changes"][0]["decision"] = "maybe"
    with pytest.raises(ReviewError, match="'maybe' is not one of pending, accepted, rejected"):
        Decisions.from_data(data)
    data["changes"][0]["decision"] = "rejected"
    data["changes"].append(dict(data["changes"][0]))
    with pytest.raises(ReviewError, match="listed twice"):
        Decisions.from_data(data)
    del data["changes"][1]
    decisions = Decisions.from_data(data, "d.json")
    assert decisions.result("a.txt", 1, 0, r.original).text == r.original  # the one change rejected
    with pytest.raises(ReviewError, match=r"a.txt:1: the change ' ' -> '' \(spacing.hyphen\) of d.json was not made"):
        decisions.result("a.txt", 1, 0, "Kim Jong -un left.")


def test_the_report_shows_everything_as_text_never_as_markup() -> None:
    hostile = "<script>alert(1)</script> North Korea.At last </textarea> {{css}} </script><!-- &amp; \u2028"
    html = report_html([Segment("<b>x</b>.jsonl", 1, 0, mtfix.clean(hostile))], title="<i>t</i> {{data}}")
    assert html.count("<script") == 2 and html.count("</script>") == 2  # the data block and the code
    assert "<b>x</b>" not in html and "<i>t</i>" not in html and "alert(1)</script>" not in html
    assert "<title>&lt;i&gt;t&lt;/i&gt; {{data}}</title>" in html
    data = report_of(html)
    assert data["segments"][0][3] == hostile and data["paths"] == ["<b>x</b>.jsonl"]
    assert not re.search(r"https?://", html.replace("http://www.w3.org", ""))  # nothing fetched


def test_report_and_apply_round_trip_a_text_file(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    out = run("report", "seed.txt", "-o", "review/r.html", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "report written to review/r.html" in out.stderr
    data = report_of((tmp_path / "review" / "r.html").read_text(encoding="utf-8"))
    changes = [(s[1], c) for s in data["segments"] for c in s[4]]
    assert len(changes) == 16
    # reject one change and every change of one kind
    one = changes[0][1][0]
    kind = data["kinds"].index("spacing.sentence")
    decided = {c[0]: "rejected" for _, c in changes if c[3] == kind} | {one: "rejected"}
    (tmp_path / "d.json").write_text(decisions_json(data, decided))
    out = run("apply", "--decisions", "d.json", "seed.txt", "-o", "out.txt", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == expected_text(SEED, "seed.txt", set(decided))
    assert f"left out: {len(decided)} changes (rejected {len(decided)})" in out.stderr
    # nothing decided: apply writes what clean writes; --pending reject: the input
    (tmp_path / "all.json").write_text(decisions_json(data))
    assert run("apply", "--decisions", "all.json", "seed.txt", "-o", "a.txt", cwd=tmp_path).returncode == 0
    assert run("clean", "seed.txt", "-o", "c.txt", cwd=tmp_path).returncode == 0
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "c.txt").read_bytes()
    args = ("apply", "--decisions", "all.json", "--pending", "reject", "seed.txt", "-o", "none.txt")
    assert run(*args, cwd=tmp_path).returncode == 0
    assert (tmp_path / "none.txt").read_bytes() == SEED.read_bytes()


def test_apply_refuses_decisions_made_on_another_text_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    assert run("report", "seed.txt", "-o", "r.html", cwd=tmp_path).returncode == 0
    data = report_of((tmp_path / "r.html").read_text(encoding="utf-8"))
    (tmp_path / "d.json").write_text(decisions_json(data))
    text = SEED.read_text(encoding="utf-8").split("\n")
    text[2] = text[2].replace("official media", "official  media")  # edited since the report
    (tmp_path / "seed.txt").write_text("\n".join(text[:9]), encoding="utf-8")  # and cut short
    (tmp_path / "out").mkdir()
    out = run("apply", "--decisions", "d.json", "seed.txt", "-o", "out/seed.txt", cwd=tmp_path)
    assert out.returncode == 2
    assert "seed.txt:3: the change ' ' -> '' (spacing.hyphen) of d.json was not made on this text" in out.stderr
    assert "nothing was written" in out.stderr and not list((tmp_path / "out").iterdir())
    (tmp_path / "seed.txt").write_text("\n".join(SEED.read_text(encoding="utf-8").split("\n")[:9]), encoding="utf-8")
    out = run("apply", "--decisions", "d.json", "seed.txt", "-o", "out/seed.txt", cwd=tmp_path)
    assert out.returncode == 2
    assert "seed.txt:13: d.json lists a change on this line, which the input does not have" in out.stderr
    assert "nothing was written" in out.stderr and not list((tmp_path / "out").iterdir())
    out = run("apply", "--decisions", "missing.json", "seed.txt", cwd=tmp_path)
    assert out.returncode == 2 and "cannot read missing.json" in out.stderr
    (tmp_path / "bad.json").write_text("{")
    out = run("apply", "--decisions", "bad.json", "seed.txt", cwd=tmp_path)
    assert out.returncode == 2 and "bad.json: not a decisions file" in out.stderr
    out = run("apply", "--decisions", "d.json", cwd=tmp_path)
    assert out.returncode == 2 and "not standard input" in out.stderr


def test_report_and_apply_a_jsonl_corpus_with_long_lines(tmp_path: Path) -> None:
    long_line = " ".join(["Kim Jong -un arrived.He left."] * 300)  # cleaned in pieces with --max-line 4096
    records = [
        {"id": 1, "text": "<script>alert(1)</script> North Korea.At last"},
        {"id": 2, "text": "Nothing to do here."},
        {"id": 3, "text": None},  # cannot be cleaned: passes through
        {"id": 4, "text": long_line},
    ]
    raw = "\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    (tmp_path / "c.jsonl").write_text(raw, encoding="utf-8")
    (tmp_path / "l.txt").write_text(long_line + "\n", encoding="utf-8")
    out = run("report", "c.jsonl", "l.txt", "-o", "r.html", "--max-line", "4096", cwd=tmp_path)
    assert out.returncode == 3, out.stderr  # the null record, as clean says
    data = report_of((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert data["paths"] == ["c.jsonl", "l.txt"]
    assert not [s for s in data["segments"] if s[1] == 4]  # a record that long passes through, unparsed
    assert len({s[2] for s in data["segments"] if s[0] == 1}) > 1  # the long text line: in pieces, by column
    assert {(data["paths"][s[0]], s[1]) for s in data["segments"]} >= {("c.jsonl", 1), ("l.txt", 1)}
    ids = [c[0] for s in data["segments"] for c in s[4]]
    rejected = set(ids[::3])
    (tmp_path / "d.json").write_text(decisions_json(data, dict.fromkeys(rejected, "rejected")))
    out = run("apply", "--decisions", "d.json", "c.jsonl", "l.txt", "-o", "out", "--max-line", "4096", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert run("clean", "c.jsonl", "l.txt", "-o", "full", "--max-line", "4096", cwd=tmp_path).returncode == 3
    got = (tmp_path / "out" / "c.jsonl").read_text(encoding="utf-8")
    assert got.startswith("\ufeff") and got.splitlines()[2] == json.dumps(records[2])  # BOM and null record kept
    for name in ("c.jsonl", "l.txt"):
        kept = (tmp_path / "out" / name).read_text(encoding="utf-8")
        full = (tmp_path / "full" / name).read_text(encoding="utf-8")
        assert kept != full  # some changes left out ...
    # ... exactly those: each left-out change restores its 'before' in the cleaned line
    text = json.loads(got.splitlines()[0].lstrip("\ufeff"))["text"]
    first = [c for s in data["segments"] if (data["paths"][s[0]], s[1]) == ("c.jsonl", 1) for c in s[4]]
    expected = mtfix.Result(
        records[0]["text"],
        "",
        [mtfix.Change(c[1], c[2], c[6], c[7], "", "", 1.0, "") for c in first if c[0] not in rejected],
    ).apply()
    assert text == expected
    line = (tmp_path / "out" / "l.txt").read_text(encoding="utf-8").rstrip("\n")
    pieces = [s for s in data["segments"] if data["paths"][s[0]] == "l.txt"]
    kept_changes = [
        mtfix.Change(s[2] + c[1], s[2] + c[2], c[6], c[7], "", "", 1.0, "")
        for s in pieces
        for c in s[4]
        if c[0] not in rejected
    ]
    assert line == mtfix.apply_changes(long_line, kept_changes)


def test_the_report_stops_at_its_limit_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    out = run("report", "seed.txt", "-o", "r.html", "--report-limit", "5", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = report_of((tmp_path / "r.html").read_text(encoding="utf-8"))
    shown = sum(len(s[4]) + len(s[5]) for s in data["segments"])
    assert shown <= 5 and data["truncated"]["items"] == 16 - shown and data["truncated"]["limit"] == 5
    assert f"{data['truncated']['segments']} more segments from seed.txt:" in out.stderr
    assert run("report", "seed.txt", "-o", "r.html", "--report-limit", "0", cwd=tmp_path).returncode == 2


def test_clean_writes_a_report_beside_its_output(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    out = run("clean", "seed.txt", "-o", "out.txt", "--report", "r.html", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert len([c for s in report_of((tmp_path / "r.html").read_text())["segments"] for c in s[4]]) == 16
    assert (tmp_path / "out.txt").exists()
    (tmp_path / "in").mkdir()
    out = run("clean", "in", "-o", "o", "--report", "in/r.html", cwd=tmp_path)
    assert out.returncode == 2 and "inside the input folder" in out.stderr
