"""The pipeline: stages in order, each one file; the pipeline applies, guards and maps their edits."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mtfix
from mtfix import pipeline
from mtfix.changes import Edit, Flag
from mtfix.pipeline import Document, Finding, Proposal
from tests.stages.agreement import AgreementOptions

WITH_AGREEMENT = ("repair", "detect", "agreement")


def test_default_stages_run_in_the_documented_order() -> None:
    assert mtfix.default_stages() == ("qa", "repair", "detect", "grammar", "rewrite")
    # no model: no rewrite; the qa stage does nothing without a source
    assert mtfix.Cleaner(model=None).pipeline.names == ["qa", "repair", "detect", "grammar"]
    assert mtfix.Cleaner(model=None, grammar=False).pipeline.names == ["qa", "repair", "detect"]
    doc = mtfix.__doc__ or ""
    order = [doc.index(f"``{name}``") for name in ("qa", "repair", "detect", "grammar", "rewrite")]
    assert order == sorted(order)


def test_a_plug_in_stage_logs_its_changes_with_its_own_source() -> None:
    text = "Kim Jong -un said he go home.He have left."
    r = mtfix.clean(text, model=None, stages=WITH_AGREEMENT)  # (no grammar stage: it knows 'he go' too)
    assert r.text == "Kim Jong-un said he goes home. He has left."
    assert r.apply() == r.text
    by_source = {(c.source, c.kind, c.before, c.after) for c in r.changes}
    assert by_source == {
        ("rule", "spacing.hyphen", " ", ""),
        ("rule", "spacing.sentence", "", " "),
        ("agreement", "grammar.agreement", "", "es"),  # logged as small as the edit: 'go' + 'es'
        ("agreement", "grammar.agreement", "ve", "s"),
    }
    assert "Rewrote 'go' as 'goes' (agreement confidence 0.90)." in [c.message for c in r.changes]
    # offsets are in the original text, though the stage saw the text the rules left
    for c in r.changes:
        assert text[c.start : c.end] == c.before
    # without the stage, the same text gets only the rule repairs
    rules = mtfix.clean(text, model=None, grammar=False)
    assert [c for c in r.changes if c.source == "rule"] == rules.changes


def test_the_pipeline_guard_turns_a_rejected_edit_into_a_flag() -> None:
    text = "He said he go home."
    r = mtfix.clean(text, model=None, stages=WITH_AGREEMENT, options={"agreement": {"confidence": 0.2}})
    assert r.text == text and r.changes == []
    (flag,) = r.flags
    # the flag covers the word the edit would change, and shows it in context
    assert flag.kind == "grammar.rejected" and text[flag.start : flag.end] == "go"
    assert flag.message.startswith("Agreement suggests 'said he [go → goes] home.'; not applied because")
    assert "0.20 is below 0.50" in flag.message
    # the options are the stage's frozen dataclass, validated by name
    assert dict(mtfix.Config(options={"agreement": {"confidence": 0.2}}).options)["agreement"] == (("confidence", 0.2),)
    assert mtfix.pipeline.stage_options(
        mtfix.pipeline.REGISTRY["agreement"], mtfix.Config(), {"agreement": {"confidence": 0.2}}
    ) == AgreementOptions(0.2)
    with pytest.raises(TypeError):
        mtfix.Config(options={"agreement": {"confidence": 0.2, "colour": "red"}})
    with pytest.raises(FrozenInstanceError):
        AgreementOptions().confidence = 1.0  # type: ignore[misc]


def test_a_plug_in_stage_gets_its_cli_switches_from_its_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mtfix import cli

    with pytest.raises(SystemExit):
        cli.main(["clean", "--help"])
    help_text = capsys.readouterr().out
    assert "--agreement " in help_text and "--agreement-confidence" in help_text and "--garble-threshold" in help_text
    src = tmp_path / "in.txt"
    src.write_text("Kim Jong -un said he go home.\n", encoding="utf-8")
    assert cli.main(["clean", "--no-model", "--no-grammar", "-q", str(src)]) == 0
    assert capsys.readouterr().out == "Kim Jong-un said he go home.\n"  # the stage is off by default
    assert cli.main(["clean", "--no-model", "--no-grammar", "-q", "--agreement", str(src)]) == 0
    assert capsys.readouterr().out == "Kim Jong-un said he goes home.\n"
    # its option, from the command line, reaches the stage: too little confidence, and the guard flags it
    log = tmp_path / "log.jsonl"
    args = ["clean", "--no-model", "--no-grammar", "-q", "--agreement", "--agreement-confidence", "0.2"]
    args += ["--log", str(log), str(src)]
    assert cli.main(args) == 0
    assert capsys.readouterr().out == "Kim Jong-un said he go home.\n"
    (entry,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [f["kind"] for f in entry["flags"]] == ["grammar.rejected"]
    assert "Agreement suggests" in entry["flags"][0]["message"]
    with pytest.raises(SystemExit):
        cli.main(["clean", "--agreement-confidence", "high", str(src)])


def test_unknown_stages_and_double_registration_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        mtfix.Config(stages=("repair", "spelling"))
    with pytest.raises(ValueError, match="registered twice"):
        pipeline.register("agreement", options=AgreementOptions, order=1)(lambda o, r: None)


class _Marker:
    """A stage that flags and marks every 'X' and reads what an earlier stage found."""

    name = "marker"
    source = "marker"
    guard = None

    def __init__(self) -> None:
        self.seen: list[list[Finding]] = []

    def propose(self, doc: Document) -> Proposal:
        self.seen.append(doc.findings("x"))
        xs = [i for i, ch in enumerate(doc.text) if ch == "X"]
        return Proposal(
            [Edit(i, i + 1, "Y", "test.mark", "X marked") for i in xs],
            [Flag(i, i + 1, "test.flag", "an X", 1.0) for i in xs],
            [Finding(i, i + 1, "x", 1.0) for i in xs],
        )


def test_flags_are_mapped_to_the_original_and_findings_move_with_later_edits() -> None:
    first, second = _Marker(), _Marker()
    (repair,) = [s for s in mtfix.Cleaner(model=None, mode="thorough").pipeline.stages if s.name == "repair"]
    run = pipeline.Pipeline([repair, first, second])
    text = "He left , then X today ."
    r = run.run(text)
    assert r.text == "He left, then Y today."
    # the flag of the X is at the X of the original, though the stage saw it one character earlier
    assert [(f.kind, f.start, f.end) for f in r.flags] == [("test.flag", 15, 16)]
    assert [(c.source, c.kind, c.before, c.after) for c in r.changes] == [
        ("rule", "spacing.tokenized", " ", ""),
        ("marker", "test.mark", "X", "Y"),
        ("rule", "spacing.tokenized", " ", ""),
    ]
    # the second marker sees the first one's finding, where the first one's edit left it
    assert second.seen == [[Finding(14, 15, "x", 1.0)]]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("he go it have Kim -un .,;\n\"'(XY")), max_size=80))
def test_any_stage_sequence_replays_exactly(text: str) -> None:
    r = mtfix.clean(text, model=None, stages=WITH_AGREEMENT, mode="thorough")
    assert mtfix.apply_changes(text, r.changes) == r.text
    # changes are disjoint and in order, flags lie inside the text
    assert all(a.end <= b.start for a, b in zip(r.changes, r.changes[1:], strict=False))
    assert all(0 <= f.start <= f.end <= len(text) for f in r.flags)
