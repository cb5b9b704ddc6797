"""One record policy: a JSON Lines record that cannot be cleaned comes out exactly as it went in (or goes to
--rejects), named on stderr, counted in the summary and logged with its reason; a BOM and CRLF survive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import DAMAGED, REPAIRED, files_in, mtfix

GOOD = json.dumps({"text": DAMAGED, "id": 1})
# every kind of record that cannot be cleaned, with the reason the summary counts it under
BAD: list[tuple[bytes, str]] = [
    (b'{"text": oops}', "malformed JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"text": null}', "the 'text' field is not a string"),
    (b'{"text": 42}', "the 'text' field is not a string"),
    (b'{"body": "x"}', "no 'text' field"),
    (b"42", "not a JSON object"),
    (b'{"text": "a"} trailing', "malformed JSON"),
    (b'{"text": "caf\xff"}', "invalid UTF-8"),
]


def _corpus(path: Path) -> list[bytes]:
    """A JSONL file with a BOM, CRLF line ends, every bad kind, a blank line and no final line break;
    returns its lines (terminators included)."""
    lines = [b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n"]
    for raw, _ in BAD:
        lines += [raw + b"\r\n", GOOD.encode() + b"\n"]
    lines += [b"\r\n", GOOD.encode()]
    path.write_bytes(b"".join(lines))
    return lines


def _split(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_every_bad_record_comes_out_as_it_went_in(tmp_path: Path, workers: str) -> None:
    lines = _corpus(tmp_path / "in.jsonl")
    out = mtfix("clean", "in.jsonl", "-o", "out.jsonl", "--log", "log.jsonl", "--workers", workers, cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    got = _split((tmp_path / "out.jsonl").read_bytes())
    assert len(got) == len(lines)
    bad = {raw for raw, _ in BAD}
    for before, after in zip(lines, got, strict=True):
        if before.rstrip(b"\r\n") in bad or not before.strip():
            assert after == before  # byte for byte, CRLF and invalid UTF-8 included
        else:
            assert after.startswith(before[:3] if before.startswith(b"\xef\xbb\xbf") else b"{")
            assert after.endswith(b"\r\n" if before.endswith(b"\r\n") else b"\n" if before.endswith(b"\n") else b"}")
            record = json.loads(after.decode("utf-8-sig"))
            assert (record["text"], record["id"]) == (REPAIRED, 1) and record["mtfix"]["changes"]
    assert got[0].startswith(b"\xef\xbb\xbf{")  # the BOM is kept
    for n, (_, reason) in enumerate(BAD):
        assert f"in.jsonl: line {2 + 2 * n}: {reason}" in out.stderr
    assert f"{len(BAD)} records not cleaned (passed through unchanged)" in out.stderr
    log = [json.loads(x) for x in (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = {e["line"]: e for e in log if "error" in e}
    assert sorted(errors) == [2 + 2 * n for n in range(len(BAD))]
    assert all(e["action"] == "passed through unchanged" and e["changes"] == [] for e in errors.values())
    assert len(log) == len(errors) + len(BAD) + 2  # one entry for every record cleaned, too


def test_rejects_file_takes_the_bad_records(tmp_path: Path) -> None:
    lines = _corpus(tmp_path / "in.jsonl")
    out = mtfix("clean", "in.jsonl", "-o", "out.jsonl", "--rejects", "rejects.jsonl", cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    assert "(written to rejects.jsonl)" in out.stderr
    rejected = _split((tmp_path / "rejects.jsonl").read_bytes())
    assert rejected == [raw + b"\r\n" for raw, _ in BAD]
    kept = _split((tmp_path / "out.jsonl").read_bytes())
    assert len(kept) + len(rejected) == len(lines)  # nothing lost
    assert files_in(tmp_path) == {"in.jsonl", "out.jsonl", "rejects.jsonl"}
    out = mtfix("clean", "--diff", "in.jsonl", "--rejects", "r.jsonl", cwd=tmp_path)
    assert out.returncode == 2 and "drop --rejects" in out.stderr


def test_check_reports_records_it_cannot_check(tmp_path: Path) -> None:
    _corpus(tmp_path / "in.jsonl")
    out = mtfix("check", "in.jsonl", cwd=tmp_path)
    assert out.returncode == 1
    assert "in.jsonl:2:1: record.invalid: malformed JSON" in out.stdout
    out = mtfix("check", "--report", "json", "in.jsonl", cwd=tmp_path)
    invalid = [json.loads(x) for x in out.stdout.splitlines() if '"record.invalid"' in x]
    assert len(invalid) == len(BAD) and invalid[0]["line"] == 2


def test_text_file_with_a_bom_keeps_it(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_bytes(b"\xef\xbb\xbf" + DAMAGED.encode() + b"\r\nok\r\n")
    out = mtfix("clean", "in.txt", "-o", "out.txt", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out.txt").read_bytes() == b"\xef\xbb\xbf" + REPAIRED.encode() + b"\r\nok\r\n"
    out = mtfix("clean", "--in-place", "in.txt", cwd=tmp_path)
    assert (tmp_path / "in.txt").read_bytes() == (tmp_path / "out.txt").read_bytes()


def test_output_inside_the_input_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "c2").mkdir()
    (tmp_path / "c2" / "a.txt").write_text(DAMAGED + "\n", encoding="utf-8")
    for args in (["-o", "c2/sub"], ["-o", "out", "--log", "c2/log.jsonl"], ["-o", "c2"]):
        out = mtfix("clean", "c2", *args, cwd=tmp_path)
        assert out.returncode == 2 and "is inside the input folder c2" in out.stderr, args
    assert files_in(tmp_path) == {"c2/a.txt"}
    out = mtfix("clean", "c2/a.txt", "-o", "c2/b.txt", cwd=tmp_path)  # a file beside a file input is fine
    assert out.returncode == 0 and (tmp_path / "c2" / "b.txt").read_text() == REPAIRED + "\n"
