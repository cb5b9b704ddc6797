"""Evidence of machine translation, shared by the stages that weigh it (repair, grammar).

Two or more repairs on a line (a segment) are evidence of machine translation. A repair alone on its
line that mends a slip human writers make too is no such evidence: the evidence mode withholds it
(``Config.mode``), unless the detector also finds its sentence garbled (:func:`sentence_garble`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from mtfix.segment import sentences

#: How much evidence a repair needs before it is applied (see :class:`mtfix.Config`).
MODES = ("thorough", "standard", "strict")


def line_numbers(text: str, positions: Sequence[int]) -> list[int]:
    """The line number of each of ``positions`` (ascending) in ``text``, counting as we go."""
    if "\n" not in text:  # one line (a segment, or a long line of damage): no counting
        return [0] * len(positions)
    out: list[int] = []
    line, pos = 0, 0
    for p in positions:
        line += text.count("\n", pos, p)
        pos = p
        out.append(line)
    return out


def alone(text: str, positions: Sequence[int], others: Sequence[int] = ()) -> list[bool]:
    """For each of ``positions`` (ascending), whether it is the only one on its line of ``text``,
    counting ``others`` (ascending: earlier changes on the same text) too."""
    lines = line_numbers(text, positions)
    per_line = Counter(lines) + Counter(line_numbers(text, others))
    return [per_line[n] == 1 for n in lines]


def sentence_garble(text: str, positions: Sequence[int], detector: Any) -> list[float | None]:
    """The detector's garble score of the sentence of ``text`` around each of ``positions``, as it
    stands (the slip included); None where there is no such sentence or the detector cannot judge it."""
    found: dict[int, str] = {}
    for i, p in enumerate(positions):
        line_start = text.rfind("\n", 0, p) + 1
        line_end = text.find("\n", p)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        pos = p - line_start
        sent = next((s for s in sentences(line) if s.start <= pos < s.end), None)
        if sent is not None and detector.judges(sent.text):
            found[i] = sent.text
    scores: list[float | None] = [None] * len(positions)
    for i, (garble, _) in zip(found, detector.garble(list(found.values())), strict=True):
        scores[i] = garble
    return scores


def confirmation(score: float) -> str:
    """What a withheld repair's message says when the detector confirms it."""
    return f"Applied though alone on its line: the model, too, finds the sentence garbled (score {score:.2f})."
