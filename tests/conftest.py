"""Shared fixtures. Data under ../shared/data is optional: tests that need it skip without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import mtfix

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MTFIX_SHARED_DATA", ROOT.parent / "shared" / "data"))
SEED = ROOT / "seeds" / "000_a531eb22376dc238.txt"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "wmt21").is_dir():
        pytest.skip(f"shared data not found at {SHARED} (set MTFIX_SHARED_DATA); it is only in the dev/CI setup")
    return SHARED


@pytest.fixture(scope="session")
def rules() -> mtfix.Cleaner:
    """The rule layer alone (no grammar stage, no model, no torch)."""
    return mtfix.Cleaner(model=None, grammar=False)
