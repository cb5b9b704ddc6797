"""A pipeline stage in one file, as a plug-in would write it: subject-verb agreement after 'he', 'she'
and 'it' ('he go' -> 'he goes'), proposed sentence by sentence and judged by the pipeline's guard.

Importing this module registers the stage; ``Config(stages=...)`` or the CLI's ``--agreement`` turns
it on, and ``--agreement-confidence`` sets the confidence of its proposals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mtfix.changes import Edit
from mtfix.pipeline import Document, GuardPolicy, Proposal, Resources, register
from mtfix.segment import sentences

_BARE = re.compile(r"\b([Hh]e|[Ss]he|[Ii]t) (go|do|have|say)\b")
_THIRD = {"go": "goes", "do": "does", "have": "has", "say": "says"}


@dataclass(frozen=True)
class AgreementOptions:
    confidence: float = field(default=0.9, metadata={"help": "confidence of each proposal (0-1)"})
    min_confidence: float = field(default=0.5, metadata={"help": "confidence the guard asks for (0-1)"})


@register("agreement", options=AgreementOptions, order=30, default=False)
def _build(options: AgreementOptions, resources: Resources) -> AgreementStage:
    """Subject-verb agreement after he/she/it (a test plug-in)."""
    return AgreementStage(options)


class AgreementStage:
    name = "agreement"
    source = "agreement"

    def __init__(self, options: AgreementOptions) -> None:
        self.options = options
        self.guard = GuardPolicy(options.min_confidence, max_edit_ratio=0.5, rejected_kind="grammar.rejected")

    def propose(self, doc: Document) -> Proposal:
        edits = []
        for s in sentences(doc.text):
            fixed = _BARE.sub(lambda m: f"{m.group(1)} {_THIRD[m.group(2)]}", s.text)
            if fixed != s.text:
                edits.append(Edit(s.start, s.end, fixed, "grammar.agreement", "", self.options.confidence))
        return Proposal(edits)
