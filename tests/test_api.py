"""The public API: clean(), Cleaner, Config, Result; bad input."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

import mtfix

from .conftest import SEED


def test_rules_only_path_never_imports_torch() -> None:
    code = (
        "import sys, mtfix\n"
        "r = mtfix.clean('Kim Jong -un left.He said so.', model=None)\n"
        "assert r.text == 'Kim Jong-un left. He said so.', r.text\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("bad", [b"bytes", None, 42, ["list"]])
def test_non_str_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="expects str"):
        mtfix.clean(bad, model=None)  # type: ignore[arg-type]


def test_batch_names_the_bad_item(rules: mtfix.Cleaner) -> None:
    with pytest.raises(TypeError, match="item 1"):
        rules.clean_batch(["fine", b"not fine"])  # type: ignore[list-item]


def test_empty_text(rules: mtfix.Cleaner) -> None:
    r = rules.clean("")
    assert (r.text, r.changes, r.flags) == ("", [], [])


def test_config_is_immutable_and_validated() -> None:
    cfg = mtfix.Config(model=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.model = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="unknown fixer"):
        mtfix.Config(disabled={"no.such.fixer"})
    assert cfg.replace(disabled=["words.doubled"]).disabled == frozenset({"words.doubled"})


def test_each_fixer_can_be_turned_off_by_name() -> None:
    text = "Kim Jong -un said the the plan.Works"
    kinds = ["spacing.hyphen", "words.doubled", "spacing.sentence"]  # one repair of each, in this order
    assert set(mtfix.fixer_names()) >= set(kinds)
    assert [c.kind for c in mtfix.Cleaner(model=None).clean(text).changes] == kinds
    for name in kinds:
        r = mtfix.Cleaner(model=None, disabled={name}).clean(text)
        assert [c.kind for c in r.changes] == [k for k in kinds if k != name]  # the others still run


def test_reviewer_can_reject_changes(rules: mtfix.Cleaner) -> None:
    text = "Kim Jong -un arrived.He left ,, quickly."
    r = rules.clean(text)
    kinds = [c.kind for c in r.changes]
    assert kinds == ["spacing.hyphen", "spacing.sentence", "spacing.tokenized", "punctuation.doubled"]
    kept = [c for c in r.changes if c.kind != "spacing.hyphen"]
    assert r.apply(kept) == "Kim Jong -un arrived. He left, quickly."
    assert r.apply([]) == text and r.apply() == r.text
    # rejecting any one change puts back its original text, where it was, and keeps all the others
    shift = 0  # where a change lands in the output: its start, moved by the changes before it
    for c in r.changes:
        at = c.start + shift
        assert r.text[at : at + len(c.after)] == c.after
        others = [o for o in r.changes if o is not c]
        assert r.apply(others) == r.text[:at] + c.before + r.text[at + len(c.after) :]
        shift += len(c.after) - len(c.before)


def test_result_to_dict_round_trip(rules: mtfix.Cleaner) -> None:
    r = rules.clean("June , Pétain said ( c ) 北京 .")
    again = mtfix.Result.from_json(r.to_json())
    assert again == r
    assert r.flags and r.flags[0].kind == "untranslated"


def test_flags_point_into_the_original(rules: mtfix.Cleaner) -> None:
    text = "He said , in 北京 , that 東京 is far ."
    r = rules.clean(text)
    spans = {text[f.start : f.end] for f in r.flags}
    assert spans == {"北京", "東京"}


def test_large_text_runs_in_bounded_memory() -> None:
    """10 MB of MT text (the seed article, repeated): bounded peak memory, every fault fixed
    (the output is the article cleaned on its own, copy after copy)."""
    code = f"""
import resource, mtfix
seed = open({str(SEED)!r}, encoding="utf-8").read() + "\\n"
copies = 10_000_000 // len(seed)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = mtfix.Cleaner(model=None).clean(seed * copies)
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
one = mtfix.Cleaner(model=None).clean(seed)
assert len(one.changes) == 16 and len(r.changes) == 16 * copies, len(r.changes)
assert r.text == one.text * copies
print(grew // 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    grew_mb = int(out.stdout.strip())
    assert grew_mb < 500, f"peak memory grew by {grew_mb} MB for a 10 MB text"


def test_strict_mode_withholds_lone_repairs_as_flags() -> None:
    strict = mtfix.Cleaner(model=None, mode="strict")
    lone, several, hyphen = strict.clean_batch(
        ["He said the the plan works.", "Kim Jong -un and six -day", "Kim Jong -un"]
    )
    assert lone.text == lone.original and lone.changes == []
    assert [f.kind for f in lone.flags] == ["rule.withheld"]
    assert lone.original[lone.flags[0].start : lone.flags[0].end] == " the"
    assert "repeated word" in lone.flags[0].message and "strict mode" in lone.flags[0].message
    assert several.text == "Kim Jong-un and six-day" and len(several.changes) == 2
    assert hyphen.text == "Kim Jong -un" and len(hyphen.flags) == 1
    # mojibake is damage no typist makes: applied even alone
    assert strict.clean("The cafÃ© opened.").text == "The café opened."


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("He said the the plan works.", "He said the plan works."),
        ("It cannot just be forgotten. .", "It cannot just be forgotten."),
        ("On the other , satellite navigation improved.", "On the other, satellite navigation improved."),
        ("An accident in Ahlen (NRW ) today.", "An accident in Ahlen (NRW) today."),
        ("Ethnic and tribal- related killings.", "Ethnic and tribal-related killings."),
    ],
)
def test_standard_mode_withholds_a_lone_human_slip(text: str, repaired: str) -> None:
    """Alone on its line, a slip human writers make as often as MT does is a flag, not a change;
    with any other repair on the line, or in thorough mode, it is applied."""
    r = mtfix.clean(text, model=None)
    assert (r.text, r.changes, [f.kind for f in r.flags]) == (text, [], ["rule.withheld"])
    assert "mode='thorough'" in r.flags[0].message
    assert mtfix.clean(text, model=None, mode="thorough").text == repaired
    both = mtfix.clean(text + " Kim Jong -un came.", model=None)
    assert both.text == repaired + " Kim Jong-un came." and both.flags == []


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("Kim Jong -un arrived.", "Kim Jong-un arrived."),  # a hyphen split MT's way
        ("North Korea.At the same time", "North Korea. At the same time"),
        ("the Ministry of People 's Armed Forces", "the Ministry of People's Armed Forces"),
        ("It will cost $ 6 billion.", "It will cost $6 billion."),
        ("The disks are called 4 MB disks .", "The disks are called 4 MB disks."),  # Moses-tokenised
        ("director general, John TA,, he said", "director general, John TA, he said"),
        ('He said ""Long Twin Tail"""', 'He said "Long Twin Tail"'),
    ],
)
def test_standard_mode_applies_a_lone_mt_artifact(text: str, repaired: str) -> None:
    """Damage that MT leaves far more often than human writers do is repaired even when alone."""
    r = mtfix.clean(text, model=None)
    assert r.text == repaired and r.flags == []


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mode 'lenient'"):
        mtfix.Config(mode="lenient")
