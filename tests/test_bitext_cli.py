"""Bitext on the command line: TSV with source and target columns, JSON Lines with --source-field,
and ``mtfix filter`` (kept and dropped pairs, each dropped one with its reasons; nothing lost)."""

from __future__ import annotations

import json
from pathlib import Path

from mtfix import Change, apply_changes
from tests.test_cli import mtfix

TSV = (
    "id\tsource\ttarget\n"  # a header is a pair like any other: 'target' is clean
    "1\tKim Jong-un est parti.\tKim Jong -un left.He said ,, no .\n"
    "2\tBonjour {0} !\tHello {0}!\n"
    "3\tIl a 3 pommes.\tHe has %1$s apples ,,\n"
    "4\tfragment\n"  # too few columns: passed through, named on stderr
    "\n"
    "5\tCafé\tthe cafÃ© is open\r\n"
)


def test_tsv_cleans_the_target_column_and_keeps_every_other_byte(tmp_path: Path) -> None:
    (tmp_path / "b.tsv").write_text(TSV, newline="")
    proc = mtfix("clean", "b.tsv", "--source-column", "2", "--target-column", "3", "--log", "log.jsonl", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr  # complete, but one line could not be cleaned
    assert "b.tsv: line 5: 2 column(s), but the target is column 3" in proc.stderr
    out = proc.stdout.split("\n")
    assert out[0] == "id\tsource\ttarget"
    assert out[1] == "1\tKim Jong-un est parti.\tKim Jong-un left. He said, no."
    assert out[2] == "2\tBonjour {0} !\tHello {0}!"  # the source column is never cleaned
    assert out[3] == "3\tIl a 3 pommes.\tHe has %1$s apples,"
    assert out[4:] == ["4\tfragment", "", "5\tCafé\tthe café is open\r", ""]
    # the log's offsets count in the line: replayed on the input line they give the output line
    inputs = TSV.split("\n")
    for record in map(json.loads, (tmp_path / "log.jsonl").read_text().splitlines()):
        if record.get("changes"):
            line = inputs[record["line"] - 1].rstrip("\r")
            changes = [Change(**c) for c in record["changes"]]
            assert apply_changes(line, changes) == out[record["line"] - 1].rstrip("\r")


def test_tsv_target_only_and_check_columns(tmp_path: Path) -> None:
    (tmp_path / "t.tsv").write_text("Jong -un\tx ,, y\n")
    proc = mtfix("clean", "t.tsv", cwd=tmp_path)  # no source: the target is column 1
    assert proc.stdout == "Jong-un\tx ,, y\n"
    proc = mtfix("check", "t.tsv", "--target-column", "2", cwd=tmp_path)
    assert proc.stdout.startswith("t.tsv:1:11: spacing.tokenized")  # the column counts in the line
    same = mtfix("clean", "t.tsv", "--source-column", "1", "--target-column", "1", cwd=tmp_path)
    assert same.returncode == 2 and "name the same column" in same.stderr


def test_jsonl_source_field(tmp_path: Path) -> None:
    lines = [
        {"src": "Kim Jong-un est parti.", "text": "Kim Jong -un left.He said ,, no ."},
        {"text": "no source here ,, ok"},
        {"src": 3, "text": "x"},
    ]
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    proc = mtfix("clean", "b.jsonl", "--source-field", "src", cwd=tmp_path)
    assert proc.returncode == 3
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert out[0]["text"] == "Kim Jong-un left. He said, no." and out[0]["src"] == lines[0]["src"]
    assert out[1:] == lines[1:]  # records without a usable source pass through
    assert "no 'src' field" in proc.stderr and "the 'src' field (the source) is not a string" in proc.stderr


def test_filter_sorts_pairs_and_loses_nothing(tmp_path: Path) -> None:
    pairs = [
        ("Le rapport a été publié.", "The report was published ,, today."),
        ("Le rapport a été publié.", ""),  # empty target
        ("Il y a 120 morts.", "There are 12 dead."),  # a number lost
        ("Bonjour {0}.", "Hello."),  # a placeholder lost
        ("Das ist ein sehr gutes Ergebnis für alle.", "Das ist ein sehr gutes Ergebnis für alle."),  # untranslated
    ]
    text = "".join(f"{s}\t{t}\n" for s, t in pairs) + "broken line\n"
    (tmp_path / "b.tsv").write_text(text)
    proc = mtfix("filter", "b.tsv", "--source-column", "1", "--kept", "k.tsv", "--dropped", "d.tsv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    kept = (tmp_path / "k.tsv").read_text().splitlines()
    dropped = (tmp_path / "d.tsv").read_text().splitlines()
    assert kept == ["Le rapport a été publié.\tThe report was published, today."]
    assert len(kept) + len(dropped) == len(pairs) + 1  # every pair is in one of the two
    reasons = {line.split("\t")[0]: line.split("\t")[-1] for line in dropped}
    assert "qa.number" in reasons["Il y a 120 morts."] and "'120'" in reasons["Il y a 120 morts."]
    assert "qa.placeholder" in reasons["Bonjour {0}."]
    assert "qa.untranslated" in reasons["Das ist ein sehr gutes Ergebnis für alle."]
    assert "record.invalid" in reasons["broken line"]
    for line in dropped:  # the dropped pair as it came in, then its reasons
        assert any(line.startswith(f"{s}\t{t}\t") for s, t in pairs) or line.startswith("broken line\t")
    assert "kept 1 pairs, dropped 5" in proc.stderr
    # --drop chooses the kinds: dropping only on empty targets keeps the rest
    proc = mtfix(
        "filter",
        "b.tsv",
        "--source-column",
        "1",
        "--kept",
        "k2.tsv",
        "--dropped",
        "d2.tsv",
        "--drop",
        "qa.empty",
        cwd=tmp_path,
    )
    assert len((tmp_path / "k2.tsv").read_text().splitlines()) == 4


def test_filter_jsonl_reasons_are_a_field_and_outputs_must_differ(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text(
        json.dumps({"src": "Il y a 120 morts.", "text": "There are 12 dead."}) + "\n" + '{"text": oops}\n'
    )
    proc = mtfix(
        "filter", "b.jsonl", "--source-field", "src", "--kept", "k.jsonl", "--dropped", "d.jsonl", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "k.jsonl").read_text() == ""
    first, second = (tmp_path / "d.jsonl").read_text().splitlines()
    record = json.loads(first)
    assert record["text"] == "There are 12 dead." and record["mtfix_dropped"][0]["kind"] == "qa.number"
    assert second.startswith('{"text": oops}\t') and "record.invalid" in second  # not JSON: annotated after a tab
    same = mtfix("filter", "b.jsonl", "--kept", "x.jsonl", "--dropped", "x.jsonl", cwd=tmp_path)
    assert same.returncode == 2 and "would overwrite" in same.stderr


def test_the_ray_engine_refuses_bitext(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text('{"src": "a", "text": "b"}\n')
    proc = mtfix("clean", "b.jsonl", "--source-field", "src", "--engine", "ray", cwd=tmp_path)
    assert proc.returncode == 2 and "no source beside the target" in proc.stderr


def test_a_word_the_target_copied_from_its_source_column_is_kept(tmp_path: Path) -> None:
    pairs = "Я сижу в likee.\tI sit in the likee, there are few subscribers.\nStăteam în apartament.\tWe sat in the appartment.\n"
    (tmp_path / "b.tsv").write_text(pairs)
    bilingual = mtfix("clean", "b.tsv", "--source-column", "1", "--target-column", "2", cwd=tmp_path)
    assert bilingual.returncode == 0, bilingual.stderr
    assert bilingual.stdout.split("\n")[:2] == [
        "Я сижу в likee.\tI sit in the likee, there are few subscribers.",  # an app's name, as the source writes it
        "Stăteam în apartament.\tWe sat in the apartment.",  # a typo of the translation's own
    ]
    alone = mtfix("clean", "b.tsv", "--target-column", "2", cwd=tmp_path)  # no source: a typo to Harper
    assert alone.stdout.split("\n")[0] == "Я сижу в likee.\tI sit in the like, there are few subscribers."
