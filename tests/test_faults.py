"""Fault injection: a run killed with SIGKILL at a random moment leaves its input intact, never a partial
output, and nothing behind once the next run has finished (issue: nothing lost).

The default suite kills once in each of four configurations (text and JSON Lines, with and without
``--in-place``, one and two workers); with MTFIX_SLOW=1, at 24 random points in each of all eight
combinations (about ten minutes).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_cli import ROOT, files_in

SLOW = os.environ.get("MTFIX_SLOW") == "1"
ALL = [(fmt, in_place, workers) for fmt in ("txt", "jsonl") for in_place in (False, True) for workers in ("1", "2")]
CONFIGS = ALL if SLOW else [("txt", False, "1"), ("txt", True, "2"), ("jsonl", False, "2"), ("jsonl", True, "1")]
POINTS = 24 if SLOW else 1


def _corpus(fmt: str, lines: int = 30_000) -> bytes:
    rng = random.Random(7)
    words = "Kim Jong -un met him , then left.At the same time the the plan of six -day talks".split()
    texts = [" ".join(rng.choice(words) for _ in range(14)) for _ in range(lines)]
    if fmt == "jsonl":
        return "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)).encode()
    return ("\n".join(texts) + "\n").encode()


def _command(name: str, in_place: bool, workers: str) -> list[str]:
    args = [sys.executable, "-m", "mtfix", "clean", name, "--no-model", "--no-grammar", "-q", "--workers", workers]
    return args + (["--in-place"] if in_place else ["-o", f"out.{name.rsplit('.', 1)[1]}"])


def _run(cwd: Path, cmd: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes, bytes, float]]:
    """Per format: the input, its complete cleaned output, that output cleaned again in place (a JSON
    Lines record's change log is then rewritten, empty) and how long a full run takes."""
    out = {}
    for fmt in ("txt", "jsonl"):
        folder = tmp_path_factory.mktemp(f"ref-{fmt}")
        data = _corpus(fmt)
        (folder / f"in.{fmt}").write_bytes(data)
        started = time.perf_counter()
        _run(folder, _command(f"in.{fmt}", False, "1"))
        seconds = time.perf_counter() - started
        cleaned = (folder / f"out.{fmt}").read_bytes()
        (folder / f"in.{fmt}").write_bytes(cleaned)
        _run(folder, _command(f"in.{fmt}", True, "1"))
        out[fmt] = (data, cleaned, (folder / f"in.{fmt}").read_bytes(), seconds)
    return out


def _points(seed: int, seconds: float) -> list[float]:
    rng = random.Random(seed)
    # from the start-up to a little past the end: mostly while the output is being written
    return [rng.uniform(0.3, max(0.6, seconds * (1.1 if SLOW else 0.8))) for _ in range(POINTS)]


@pytest.mark.parametrize(("fmt", "in_place", "workers"), CONFIGS)
def test_sigkill_at_any_moment_loses_nothing(
    tmp_path: Path, reference: dict[str, tuple[bytes, bytes, bytes, float]], fmt: str, in_place: bool, workers: str
) -> None:
    data, cleaned, again, seconds = reference[fmt]
    name = f"in.{fmt}"
    output = tmp_path / (name if in_place else f"out.{fmt}")
    cmd = _command(name, in_place, workers)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for n, delay in enumerate(_points(hash((fmt, in_place, workers)) & 0xFFFF, seconds)):
        (tmp_path / name).write_bytes(data)
        if not in_place and output.exists() and n % 2:
            output.unlink()  # sometimes an old complete output is there, sometimes none
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)  # fmt: skip
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):  # it may have finished
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, at once
        proc.wait()
        # the input is intact (in place: the old file or the complete new one), an output never partial
        now = (tmp_path / name).read_bytes()
        assert now == data or (in_place and now == cleaned), f"input damaged after a kill at {delay:.2f}s"
        if not in_place and output.exists():
            assert output.read_bytes() == cleaned, f"partial output after a kill at {delay:.2f}s"
        # the next run finishes and leaves only the input and the output: no temporary file of the killed one
        _run(tmp_path, cmd)
        assert output.read_bytes() == (again if in_place and now == cleaned else cleaned)
        assert files_in(tmp_path) == ({name} if in_place else {name, output.name}), files_in(tmp_path)


def test_workers_end_quietly_when_the_parent_is_killed(
    tmp_path: Path, reference: dict[str, tuple[bytes, bytes, bytes, float]]
) -> None:
    """SIGKILL to the parent alone (as `kill -9` of the command gives): its worker processes end with it,
    without a traceback or a resource-tracker warning on stderr."""
    data, _, _, seconds = reference["txt"]
    (tmp_path / "in.txt").write_bytes(data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(tmp_path / "err.txt", "wb") as err:
        proc = subprocess.Popen(_command("in.txt", False, "2"), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)  # fmt: skip
        time.sleep(max(1.5, seconds * 0.6))  # the workers are up and cleaning
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(1.5)  # what the workers and the tracker print on their way out
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left, so that nothing outlives the test
    assert (tmp_path / "err.txt").read_text() == ""


def test_a_worker_whose_parent_died_while_it_started_ends_at_once() -> None:
    """The parent's id comes from the parent: a worker that finds another (it was adopted while it was still
    importing) ends silently instead of waiting on a pipe nobody writes to."""
    code = "from mtfix.cli.stream import _die_with_parent; _die_with_parent(PARENT); print('alive')"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for parent, alive in ((os.getpid(), True), (1, False)):
        done = subprocess.run(
            [sys.executable, "-c", code.replace("PARENT", str(parent))], env=env, capture_output=True, text=True
        )
        assert (done.stdout == "alive\n") is alive and done.stderr == "", (parent, done)
