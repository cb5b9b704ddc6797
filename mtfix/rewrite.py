"""The rewrite stage (seq2seq model). Placeholder until the model lands."""

from __future__ import annotations

from typing import Any


def load_rewriter(config: Any) -> Any:
    return None
