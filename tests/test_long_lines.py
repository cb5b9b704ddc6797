"""Bounded memory for any line: a line longer than ``--max-line`` is read and cleaned in pieces cut after a
sentence end or a space (``mtfix.io.raw_windows``); a piece with no space, and a JSON Lines record that long,
pass through unchanged, named and counted. The pieces give the output, the change log (counted from the
start of the line), the diff and the findings of the whole line. (Peak memory: benchmarks/bench_memory.py.)"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mtfix.io import raw_windows

from .test_cli import mtfix

DAMAGED = [
    "North Korea.At the same time",
    "Kim Jong -un said",
    "June , Pétain",
    "the the cat",
    "cafÃ© au lait",
    "M&amp;C Saatchi",
    "plain words here",
    "“ quoted ” words",
    "a six -day visit",
]


def _long_line(n: int, seed: int = 0) -> str:
    r = random.Random(seed)
    return " ".join(r.choice(DAMAGED) + r.choice([".", ",", "", "!"]) for _ in range(n))


def _log(path: Path) -> list[tuple[int, int, int, str, str]]:
    return sorted(
        (e["line"], c["start"], c["end"], c["before"], c["after"])
        for e in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        for c in e["changes"]
    )


def test_a_long_line_in_pieces_gives_what_the_whole_line_gives(tmp_path: Path) -> None:
    line = _long_line(1500)
    (tmp_path / "in.txt").write_text(f"short , line\n{line}\r\n{_long_line(400, 1)}\nend", encoding="utf-8")
    args = ("--mode", "thorough", "--no-grammar")
    whole = mtfix("clean", "in.txt", "-o", "whole.txt", "--log", "whole.log", "--max-line", "0", *args, cwd=tmp_path)
    cut = mtfix("clean", "in.txt", "-o", "cut.txt", "--log", "cut.log", "--max-line", "4096", *args, cwd=tmp_path)
    assert whole.returncode == cut.returncode == 0, cut.stderr
    assert "mtfix: 1 file, 4 segments," in cut.stderr  # a line in pieces is one segment
    assert (tmp_path / "cut.txt").read_bytes() == (tmp_path / "whole.txt").read_bytes()
    assert (tmp_path / "cut.txt").read_bytes() != (tmp_path / "in.txt").read_bytes()
    assert len((tmp_path / "cut.log").read_text().splitlines()) > 4  # the long lines came in pieces
    assert _log(tmp_path / "cut.log") == _log(tmp_path / "whole.log")  # offsets in the line, not the piece
    for extra in (["--diff"], ["--explain", "-o", "x.txt"]):
        a = mtfix("clean", "in.txt", "--max-line", "0", *args, *extra, cwd=tmp_path)
        b = mtfix("clean", "in.txt", "--max-line", "4096", *args, *extra, cwd=tmp_path)
        assert (a.stdout, a.stderr.split("mtfix: 1 file")[0]) == (b.stdout, b.stderr.split("mtfix: 1 file")[0])
    a = mtfix("check", "in.txt", "--max-line", "0", *args, cwd=tmp_path)
    b = mtfix("check", "in.txt", "--max-line", "4096", *args, cwd=tmp_path)
    assert a.stdout == b.stdout and a.stdout.count("\n") > 100


def test_a_piece_with_no_space_passes_through_named_and_counted(tmp_path: Path) -> None:
    blob = "A" * 9000 + "&amp;" + "b" * 3000
    (tmp_path / "in.txt").write_text(f"{blob} the the end , x\nNorth Korea.At last\n", encoding="utf-8")
    out = mtfix("clean", "in.txt", "-o", "out.txt", "--log", "log.jsonl", "--max-line", "4096", cwd=tmp_path)
    assert out.returncode == 3, out.stderr  # passed through unchanged: the status of a record not cleaned
    text = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert text.startswith(blob)  # the entity in the blob is not decoded: the blob is no text
    assert text == f"{blob} the end, x\nNorth Korea. At last\n"  # the text after the word is cleaned
    note = "a word longer than --max-line (4,096 bytes): passed through unchanged"
    assert f"in.txt: line 1, column 1: {note}" in out.stderr
    assert f"in.txt: line 1, column 8193: {note}" in out.stderr  # the rest of the word, up to its space
    assert "3 records not cleaned (passed through unchanged): a word longer than --max-line 3" in out.stderr
    logged = [json.loads(x) for x in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [(e["line"], e.get("column"), e.get("action")) for e in logged if "error" in e] == [
        (1, 1, "passed through unchanged"),
        (1, 4097, "passed through unchanged"),
        (1, 8193, "passed through unchanged"),
    ]


def test_a_jsonl_record_over_the_limit_comes_out_byte_for_byte_or_goes_to_rejects(tmp_path: Path) -> None:
    big = json.dumps({"text": _long_line(800), "id": 1}).encode()
    good = json.dumps({"text": "North Korea.At last"}).encode()
    data = b"\xef\xbb\xbf" + big + b"\r\n" + good + b"\n" + big
    (tmp_path / "in.jsonl").write_bytes(data)
    out = mtfix("clean", "in.jsonl", "-o", "out.jsonl", "--max-line", "4096", "--log", "log.jsonl", cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines(keepends=True)
    assert lines[0] == b"\xef\xbb\xbf" + big + b"\r\n" and lines[2] == big
    assert json.loads(lines[1])["text"] == "North Korea. At last"
    assert "line 1: record longer than --max-line (4,096 bytes) (passed through unchanged)" in out.stderr
    assert "2 records not cleaned (passed through unchanged): record longer than --max-line 2" in out.stderr
    errors = [json.loads(x) for x in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [e["line"] for e in errors if "error" in e] == [1, 3]  # one entry a record, not one a piece
    out = mtfix("clean", "in.jsonl", "-o", "kept.jsonl", "--max-line", "4096", "--rejects", "rj.jsonl", cwd=tmp_path)
    assert (tmp_path / "rj.jsonl").read_bytes() == big + b"\r\n" + big + b"\n"
    assert (tmp_path / "kept.jsonl").read_bytes().count(b"\n") == 1


def test_max_line_must_be_large_enough(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("x\n")
    out = mtfix("clean", "in.txt", "--max-line", "100", cwd=tmp_path)
    assert out.returncode == 2 and "--max-line must be 0 (no limit) or at least 4096 bytes" in out.stderr


PIECES = st.sampled_from([b"word", b" ", b". ", b"? ", b"\xc3\xa9", b"\xe3\x80\x82", b"\xf0\x9f\x98\x80", b"\r", b"\n"])


@settings(max_examples=300, deadline=None)
# found by bench_memory.py: a piece whose only space was its last byte was taken for a word cut inside
@example(b"a" * 15 + b" bbbb\n", 16, True)
# found by CI: the rest of a cut word ended its line, and the next line was read into the same piece
@example(b"wordwordwordword. \nword", 16, True)
@given(st.lists(PIECES, max_size=400).map(b"".join), st.sampled_from([16, 17, 64]), st.booleans())
def test_windows_cover_the_stream_exactly_within_the_limit(data: bytes, limit: int, at_spaces: bool) -> None:
    windows = list(raw_windows(io.BytesIO(data), limit, cut_at_spaces=at_spaces))
    assert b"".join(w.raw for w in windows) == data
    assert all(0 < len(w.raw) <= limit for w in windows)
    lines = re.findall(rb"[^\n]*\n|[^\n]+\Z", data)  # not splitlines: a lone CR ends no line
    by_line: dict[int, list[bytes]] = {}
    for w in windows:
        by_line.setdefault(w.number, []).append(w.raw)
        assert w.continues == (b"\n" not in w.raw and w is not windows[-1] and windows[windows.index(w) + 1].part > 0)
    assert [b"".join(parts) for _, parts in sorted(by_line.items())] == [x for x in lines if x]
    offset = 0
    for w, after in zip(windows, [*windows[1:], None][: len(windows)], strict=True):
        assert not w.broken or not re.search(rb"[ \t]", w.raw)  # only a word longer than the limit is cut inside
        assert w.offset == offset
        offset += len(w.raw)
        if at_spaces and w.continues:
            w.raw.decode("utf-8")  # a cut never falls inside a character
            # after a space, or before the space that ends a word cut in pieces, or said it was not
            assert w.broken or w.raw.endswith((b" ", b"\t", "。".encode()))
            assert not (w.raw.endswith(b"\r") and after is not None and after.raw.startswith(b"\n"))  # CRLF whole
