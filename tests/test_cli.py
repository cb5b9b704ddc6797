"""The command line, run as ``python -m mtfix`` in a subprocess (rules only: ``--no-model``)."""

from __future__ import annotations

import difflib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix import Change, apply_changes
from mtfix.io import InputError, parse_record

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_a531eb22376dc238.txt"
DAMAGED = "Kim Jong -un arrived.He left."
REPAIRED = "Kim Jong-un arrived. He left."


def mtfix(*args: str | Path, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mtfix ARGS --no-model`` in ``cwd``; stdout and stderr as text."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mtfix", *map(str, args), "--no-model"],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_help_and_version(tmp_path: Path) -> None:
    out = mtfix("--help", cwd=tmp_path)
    assert out.returncode == 0
    assert "examples:" in out.stdout and "exit status:" in out.stdout and "--in-place" in out.stdout
    out = mtfix("clean", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "--backup SUFFIX" in out.stdout and "exit status:" in out.stdout
    out = mtfix("--version", cwd=tmp_path)
    assert out.returncode == 0 and re.fullmatch(r"mtfix \d+\.\d+\.\d+\S*\n", out.stdout)


def test_seed_round_trip_with_log(tmp_path: Path) -> None:
    out = mtfix("clean", SEED, "-o", "clean.txt", "--log", "log.jsonl", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "clean.txt").read_text(encoding="utf-8")
    assert "Kim Jong-un" in text and "Kim Jong -un" not in text
    assert "North Korea. At the same time" in text
    assert re.search(r"mtfix: 1 file, 19 segments, \d+ changes", out.stderr)
    before = SEED.read_text(encoding="utf-8").split("\n")
    after = text.split("\n")
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [r["line"] for r in records] == list(range(1, len(before) + 1))  # one record per line
    assert {r["path"] for r in records} == {str(SEED)}
    for r in records:
        changes = [Change.from_dict(c) for c in r["changes"]]
        assert apply_changes(before[r["line"] - 1], changes) == after[r["line"] - 1]
    assert sum(len(r["changes"]) for r in records) > 5
    # standard input to standard output gives the same bytes; CRLF line ends survive
    piped = mtfix("clean", "-q", cwd=tmp_path, stdin=SEED.read_bytes())
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout == text
    crlf = mtfix("clean", "-", cwd=tmp_path, stdin=f"{DAMAGED}\r\nok\r\n".encode())
    assert crlf.stdout == f"{REPAIRED}\r\nok\r\n"


def test_explain_prints_a_readable_change_log(tmp_path: Path) -> None:
    out = mtfix("clean", "--explain", SEED, cwd=tmp_path)
    assert out.returncode == 0 and "Kim Jong-un" in out.stdout
    lines = [line for line in out.stderr.splitlines() if line.startswith(str(SEED)) and "(rule, " in line]
    assert len(lines) == 16  # the rule repairs; flags (e.g. a rejected grammar or model edit) follow as '(flag, ...)'
    assert f"{SEED}:1:56: spacing.hyphen (rule, 0.93) ' ' -> '': " in lines[0]


def test_jsonl_keeps_every_other_field_byte_for_byte(tmp_path: Path) -> None:
    rest = r'"n": {"a": [1e5, 1.10, -0.0, 123456789012345678901234567890], "b": null}, "s": "caf\u00e9 \"q\""'
    lines = [
        f'{{"id": 1.10, "text": "{DAMAGED}", {rest}}}',
        "",
        '{"text":"Already clean.","mtfix":{"stale":true},"z":[]}',
        f'  {{ "big" : 1E+400 , "text" : "\\u00e9t\\u00e9 {DAMAGED}" }}  ',
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = mtfix("clean", "in.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    got = (tmp_path / "out.jsonl").read_text(encoding="utf-8").split("\n")
    assert len(got) == 5 and got[1] == "" and got[4] == ""
    # record 1: the text value and the new log key are the only differences
    log = json.loads(got[0])["mtfix"]
    entry = json.dumps(log, ensure_ascii=False)
    assert got[0] == f'{{"id": 1.10, "text": "{REPAIRED}", {rest}, "mtfix": {entry}}}'
    assert apply_changes(DAMAGED, [Change.from_dict(c) for c in log["changes"]]) == REPAIRED
    assert log["flags"] == []
    # record 3: unchanged text, a stale log key replaced in place
    assert got[2] == '{"text":"Already clean.","mtfix":{"changes": [], "flags": []},"z":[]}'
    # record 4: odd spacing and an exponent kept; escapes of the cleaned text itself are re-encoded
    assert got[3].startswith('  { "big" : 1E+400 , "text" : "été Kim Jong-un arrived. He left.", "mtfix": ')
    assert got[3].endswith(" }  ")
    # text format forced on a .jsonl file treats each line as text
    forced = mtfix("clean", "-q", "--format", "text", "in.jsonl", cwd=tmp_path)
    assert forced.stdout.splitlines()[0] == lines[0].replace(DAMAGED, REPAIRED)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    obj=st.dictionaries(st.text(max_size=6), _json, max_size=5),
    text=st.text(),
    new=st.text(),
    ascii_only=st.booleans(),
    separators=st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]),
)
def test_record_splicing(
    obj: dict[str, object], text: str, new: str, ascii_only: bool, separators: tuple[str, str]
) -> None:
    """Splicing gives what json.loads would read, and touches nothing else."""
    obj = {**obj, "text": text}
    raw = json.dumps(obj, ensure_ascii=ascii_only, separators=separators)
    record = parse_record(raw, "text", "log")
    assert record.text == text
    assert record.render(None, "log", None) == raw
    assert record.render(text, "log", None) == raw
    spliced = record.render(new, "log", '{"changes": []}')
    assert json.loads(spliced) == {**obj, "text": new, "log": {"changes": []}}
    with pytest.raises(InputError):
        parse_record(raw[:-1], "text", "log")


def test_jsonl_custom_field_and_no_log_key(tmp_path: Path) -> None:
    line = json.dumps({"body": DAMAGED, "text": DAMAGED})
    args = ("clean", "-q", "--format", "jsonl", "--field", "body", "--log-key", "")
    out = mtfix(*args, cwd=tmp_path, stdin=(line + "\n").encode())
    assert out.returncode == 0, out.stderr
    assert out.stdout == json.dumps({"body": REPAIRED, "text": DAMAGED}) + "\n"


def test_malformed_jsonl(tmp_path: Path) -> None:
    """A record that cannot be cleaned passes through unchanged, named on stderr and counted; exit 3."""
    good = json.dumps({"text": DAMAGED})
    (tmp_path / "in.jsonl").write_text(f'{good}\n{{"text": oops}}\n[1]\n{good}\n', encoding="utf-8")
    out = mtfix("clean", "in.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    assert "in.jsonl: line 2: malformed JSON" in out.stderr and "(passed through unchanged)" in out.stderr
    assert "in.jsonl: line 3: not a JSON object" in out.stderr
    assert "2 records not cleaned (passed through unchanged): malformed JSON 1, not a JSON object 1" in out.stderr
    kept = (tmp_path / "out.jsonl").read_text().splitlines()
    assert kept[1:3] == ['{"text": oops}', "[1]"]
    assert [json.loads(kept[i])["text"] for i in (0, 3)] == [REPAIRED, REPAIRED]
    # the old switch drops nothing any more, and says so
    out = mtfix("clean", "in.jsonl", "-o", "old.jsonl", "--skip-bad-lines", cwd=tmp_path)
    assert out.returncode == 3 and "--skip-bad-lines is deprecated" in out.stderr
    assert (tmp_path / "old.jsonl").read_bytes() == (tmp_path / "out.jsonl").read_bytes()


def test_invalid_utf8_fails_that_file_only(tmp_path: Path) -> None:
    good = "ok line\n" * 5
    (tmp_path / "a.txt").write_text(DAMAGED + "\n", encoding="utf-8")
    # the bad byte sits in the third block of two lines: offsets count from the start of the file
    (tmp_path / "b.txt").write_bytes(good.encode() + b"caf\xe9\n" + good.encode())
    (tmp_path / "c.txt").write_text(DAMAGED, encoding="utf-8")
    out = mtfix("clean", "a.txt", "b.txt", "c.txt", "-o", "out", "--batch-size", "2", cwd=tmp_path)
    assert out.returncode == 2
    assert f"b.txt: line 6: invalid UTF-8 at byte offset {len(good) + 3}" in out.stderr
    assert "failed: b.txt" in out.stderr and "2 files" in out.stderr
    assert files_in(tmp_path / "out") == {"a.txt", "c.txt"}
    assert (tmp_path / "out" / "c.txt").read_text() == REPAIRED


def test_folder_mirror_glob_and_binary_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub" / "deeper").mkdir(parents=True)
    (src / ".hidden").mkdir()
    (src / "a.txt").write_text(DAMAGED)
    (src / "sub" / "deeper" / "b.txt").write_text(DAMAGED + "\n")
    (src / "sub" / "c.jsonl").write_text(json.dumps({"text": DAMAGED}) + "\n")
    (src / "sub" / "bin.txt").write_bytes(b"PK\x03\x04\x00\x00" + b"x" * 100)
    (src / "notes.md").write_text(DAMAGED)
    (src / ".hidden" / "h.txt").write_text(DAMAGED)
    out = mtfix("clean", "src", "-o", "out", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "bin.txt: skipped: binary file" in out.stderr
    assert files_in(tmp_path / "out") == {"a.txt", "sub/deeper/b.txt", "sub/c.jsonl"}
    assert (tmp_path / "out" / "sub" / "deeper" / "b.txt").read_text() == REPAIRED + "\n"
    assert json.loads((tmp_path / "out" / "sub" / "c.jsonl").read_text())["text"] == REPAIRED
    # --glob picks other names; an explicitly named binary file is an error
    out = mtfix("clean", "src", "--glob", "*.md", "-o", "md", cwd=tmp_path)
    assert files_in(tmp_path / "md") == {"notes.md"}
    out = mtfix("clean", "src/sub/bin.txt", cwd=tmp_path)
    assert out.returncode == 2 and "binary file" in out.stderr


def test_several_files_mirror_relative_to_common_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "one.txt").write_text(DAMAGED)
    (tmp_path / "two.txt").write_text(DAMAGED)
    out = mtfix("clean", "x/one.txt", "two.txt", "-o", "out", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert files_in(tmp_path / "out") == {"x/one.txt", "two.txt"}


def test_refusals_and_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(DAMAGED)
    (tmp_path / "blocker").write_text("a file, not a folder")
    cases = {
        ("clean", "a.txt", "-o", "a.txt"): "would overwrite its input",
        ("clean", ".", "-o", "."): "is inside the input folder",
        ("clean", "a.txt", "-o", "blocker/out.txt"): "cannot create output folder blocker",
        ("clean", "a.txt", "-o", "out.txt", "--log", "a.txt"): "would overwrite an input",
        ("clean", "--in-place", "-"): "--in-place needs files",
        ("clean", "a.txt", "--backup", ".orig"): "--backup needs --in-place",
        ("clean", "a.txt", "--disable", "no.such.fixer"): "invalid choice",
        ("clean", "a.txt", "--diff", "--in-place"): "not allowed with",
    }
    for args, message in cases.items():
        out = mtfix(*args, cwd=tmp_path)
        assert out.returncode == 2, args
        assert message in out.stderr, (args, out.stderr)
    assert (tmp_path / "a.txt").read_text() == DAMAGED
    assert files_in(tmp_path) == {"a.txt", "blocker"}


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="needs /dev/stdout")
def test_special_files_are_written_directly(tmp_path: Path) -> None:
    """A device or pipe cannot be replaced by renaming: it is written to, and left in place."""
    kinds = [os.lstat(p).st_mode for p in ("/dev/null", "/dev/stdout")]
    out = mtfix("clean", "-q", "-o", "/dev/null", "--log", "/dev/stdout", cwd=tmp_path, stdin=DAMAGED.encode())
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert (record["path"], record["line"], len(record["changes"])) == ("-", 1, 2)
    assert [os.lstat(p).st_mode for p in ("/dev/null", "/dev/stdout")] == kinds
    assert files_in(tmp_path) == set()


def test_missing_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(DAMAGED)
    out = mtfix("clean", "missing.txt", "a.txt", cwd=tmp_path)
    assert out.returncode == 2
    errors = [line for line in out.stderr.splitlines() if "error" in line]
    assert errors == ["mtfix: error: missing.txt: No such file or directory"]
    assert out.stdout == REPAIRED


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(DAMAGED)
    secret.chmod(0)
    out = mtfix("clean", "secret.txt", cwd=tmp_path)
    assert out.returncode == 2 and "secret.txt: Permission denied" in out.stderr


def test_in_place_with_backup(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(DAMAGED + "\n")
    (tmp_path / "clean.txt").write_text(REPAIRED + "\n")
    (tmp_path / "target.txt").write_text(DAMAGED)
    (tmp_path / "link.txt").symlink_to("target.txt")
    os.chmod(tmp_path / "a.txt", 0o640)
    stamp = os.stat(tmp_path / "clean.txt").st_mtime_ns
    args = ("a.txt", "clean.txt", "link.txt")
    out = mtfix("clean", "--in-place", "--backup", ".orig", *args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "a.txt").read_text() == REPAIRED + "\n"
    assert (tmp_path / "a.txt.orig").read_text() == DAMAGED + "\n"
    assert os.stat(tmp_path / "a.txt").st_mode & 0o777 == 0o640
    assert os.stat(tmp_path / "clean.txt").st_mtime_ns == stamp  # untouched: nothing to change
    assert (tmp_path / "link.txt").is_symlink() and (tmp_path / "target.txt").read_text() == REPAIRED
    assert files_in(tmp_path) == {
        "a.txt",
        "a.txt.orig",
        "clean.txt",
        "link.txt",
        "link.txt.orig",
        "target.txt",
    }


def _corpus(folder: Path) -> None:
    shared = Path(os.environ.get("MTFIX_SHARED_DATA", ROOT.parent / "shared" / "data"))
    data = shared / "wmt21" / "system-outputs"
    sources = sorted(data.glob("*.en"))[:2] if data.is_dir() else []
    text = SEED.read_text(encoding="utf-8")
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("\n".join([text] * 20) + "\n", encoding="utf-8")
    (folder / "b.jsonl").write_text(
        "".join(json.dumps({"i": i, "text": line}) + "\n" for i, line in enumerate(text.split("\n") * 5))
    )
    for i, source in enumerate(sources):
        (folder / "sub" / f"{i}.txt").write_bytes(source.read_bytes())


def test_workers_give_identical_output(tmp_path: Path) -> None:
    _corpus(tmp_path / "src")
    runs = {}
    for workers in ("1", "2"):
        args = ["src", "-o", f"out{workers}", "--log", f"log{workers}.jsonl", "--workers", workers]
        out = mtfix("clean", *args, "--batch-size", "37", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        runs[workers] = {name: (tmp_path / f"out{workers}" / name).read_bytes() for name in files_in(tmp_path / "src")}
        runs[workers]["log"] = (tmp_path / f"log{workers}.jsonl").read_bytes()
    assert runs["1"] == runs["2"]
    assert b"Kim Jong-un" in runs["1"]["a.txt"]


def test_check(tmp_path: Path) -> None:
    (tmp_path / "clean.txt").write_text(REPAIRED + "\n")
    (tmp_path / "bad.txt").write_text("fine\n" + DAMAGED + "\n")
    out = mtfix("check", "clean.txt", cwd=tmp_path)
    assert (out.returncode, out.stdout) == (0, "")
    out = mtfix("check", "-q", "clean.txt", "bad.txt", cwd=tmp_path)
    assert out.returncode == 1 and out.stderr == ""
    assert out.stdout.splitlines() == [
        "bad.txt:2:9: spacing.hyphen: Removed the space before the hyphen in 'Jong -un'.",
        "bad.txt:2:22: spacing.sentence: Added the missing space after '.' in 'arrived.He'.",
    ]
    out = mtfix("check", "-q", "--report", "json", "bad.txt", cwd=tmp_path)
    findings = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 1 and len(findings) == 2
    first = findings[0]
    assert (first["path"], first["line"], first["column"], first["type"]) == ("bad.txt", 2, 9, "change")
    assert DAMAGED[first["start"] : first["end"]] == first["before"]
    # errors win over findings
    out = mtfix("check", "bad.txt", "missing.txt", cwd=tmp_path)
    assert out.returncode == 2 and "bad.txt:2:9:" in out.stdout


def test_format_is_the_input_format_in_every_command(tmp_path: Path) -> None:
    """--format (alias --input-format) names the input format for clean and check alike."""
    record = json.dumps({"text": DAMAGED})
    (tmp_path / "records.txt").write_text(record + "\n")
    for command in ("clean", "check"):
        for option in ("--format", "--input-format"):
            as_text = mtfix(command, "-q", option, "text", "records.txt", cwd=tmp_path)
            as_jsonl = mtfix(command, "-q", option, "jsonl", "records.txt", cwd=tmp_path)
            assert (as_text.stderr, as_jsonl.stderr) == ("", ""), (command, option)
            if command == "clean":
                assert as_text.stdout == record.replace(DAMAGED, REPAIRED) + "\n"  # a line, no change log
                assert json.loads(as_jsonl.stdout).keys() == {"text", "mtfix"}
            else:  # the column counts characters of the line, or of the record's text
                assert as_text.stdout.startswith("records.txt:1:19: spacing.hyphen:")
                assert as_jsonl.stdout.startswith("records.txt:1:9: spacing.hyphen:")
    # the format of the findings is --report's; --format json says so
    out = mtfix("check", "--format", "json", "records.txt", cwd=tmp_path)
    assert out.returncode == 2 and "--report json" in out.stderr and out.stdout == ""


def test_diff_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "seed.txt"
    target.write_bytes(SEED.read_bytes())
    out = mtfix("clean", "--diff", "seed.txt", cwd=tmp_path)
    assert out.returncode == 1, out.stderr  # like check: something to change
    assert files_in(tmp_path) == {"seed.txt"} and target.read_bytes() == SEED.read_bytes()
    assert "\x1b[" not in out.stdout
    cleaned = mtfix("clean", "-q", "seed.txt", cwd=tmp_path).stdout
    expected = difflib.unified_diff(
        SEED.read_text().split("\n"), cleaned.split("\n"), "seed.txt", "seed.txt", lineterm=""
    )
    # difflib leaves out the marker of a last line without a line break
    marker = "\\ No newline at end of file\n"
    assert out.stdout.replace(marker, "") == "".join(line + "\n" for line in expected)
    assert out.stdout.count(marker) == 2
    coloured = mtfix("clean", "--diff", "--color", "always", "seed.txt", cwd=tmp_path)
    assert "\x1b[31m-" in coloured.stdout and "\x1b[32m+" in coloured.stdout


def test_diff_exit_status(tmp_path: Path) -> None:
    """--diff exits 0 when nothing would change, 1 when something would, 2 on an error (as check does)."""
    (tmp_path / "clean.txt").write_text(REPAIRED + "\n")
    (tmp_path / "withheld.txt").write_text("He said the the plan works.\n")  # a flag, no change
    (tmp_path / "bad.txt").write_text(DAMAGED + "\n")
    out = mtfix("clean", "--diff", "clean.txt", "withheld.txt", cwd=tmp_path)
    assert (out.returncode, out.stdout) == (0, ""), out.stderr
    out = mtfix("clean", "--diff", "-q", "clean.txt", "bad.txt", cwd=tmp_path)
    assert out.returncode == 1 and out.stdout.startswith("--- bad.txt\n") and out.stderr == ""
    out = mtfix("clean", "--diff", "bad.txt", "missing.txt", cwd=tmp_path)
    assert out.returncode == 2 and "--- bad.txt" in out.stdout
    # a record that cannot be cleaned passes through: nothing to show
    (tmp_path / "in.jsonl").write_text(json.dumps({"text": REPAIRED}) + "\n[1]\n")
    out = mtfix("clean", "--diff", "in.jsonl", cwd=tmp_path)
    assert (out.returncode, out.stdout) == (3, ""), out.stderr
    assert files_in(tmp_path) == {"clean.txt", "withheld.txt", "bad.txt", "in.jsonl"}


@pytest.mark.parametrize(("sig", "in_place"), [(signal.SIGINT, False), (signal.SIGTERM, True)])
def test_interrupt_leaves_no_partial_file(tmp_path: Path, sig: signal.Signals, in_place: bool) -> None:
    big = tmp_path / "big.txt"
    big.write_text((SEED.read_text() + "\n") * 3000, encoding="utf-8")  # ~6 MB: many seconds of work
    original = big.read_bytes()
    args = ["--in-place"] if in_place else ["-o", "out.txt"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "mtfix", "clean", "--no-model", "big.txt", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background shell ignores it
    )
    deadline = time.monotonic() + 60
    while not any(name.endswith(".tmp") for name in os.listdir(tmp_path)):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert os.listdir(tmp_path) == ["big.txt"]
    assert big.read_bytes() == original


def test_strict_leaves_lone_repairs_to_the_reviewer(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("He said the the plan works.\n" + DAMAGED + "\n")
    out = mtfix("clean", "--strict", "-q", "a.txt", "-o", "out", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out").read_text() == "He said the the plan works.\n" + REPAIRED + "\n"
    out = mtfix("check", "--strict", "-q", "a.txt", cwd=tmp_path)
    assert "a.txt:1:12: rule.withheld:" in out.stdout
    # the default withholds the lone doubled word too (a slip human writers make); --thorough applies it
    out = mtfix("clean", "-q", "--no-model", "a.txt", "-o", "std", cwd=tmp_path)
    assert (tmp_path / "std").read_text() == "He said the the plan works.\n" + REPAIRED + "\n"
    out = mtfix("clean", "--mode", "thorough", "-q", "--no-model", "a.txt", "-o", "all", cwd=tmp_path)
    assert (tmp_path / "all").read_text() == "He said the plan works.\n" + REPAIRED + "\n"


def test_model_thresholds_and_partial_rewrites_reach_the_config(tmp_path: Path) -> None:
    from mtfix import Config, cli

    args = ["clean", "--garble-threshold", "0.3", "--min-confidence", "0.6", "--partial-rewrites", "a.txt"]
    config = cli._config(cli.build_parser().parse_args(args))
    assert (config.garble_threshold, config.min_confidence, config.partial_rewrites) == (0.3, 0.6, True)
    config = cli._config(cli.build_parser().parse_args(["clean", "a.txt"]))
    default = Config()
    assert (config.garble_threshold, config.min_confidence, config.partial_rewrites) == (
        default.garble_threshold,
        default.min_confidence,
        False,
    )
    (tmp_path / "a.txt").write_text(DAMAGED + "\n")
    for option, value in (("--min-confidence", "1.5"), ("--garble-threshold", "high")):
        out = mtfix("clean", option, value, "a.txt", cwd=tmp_path)
        assert out.returncode == 2 and option in out.stderr, out.stderr
