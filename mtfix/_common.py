"""What the command line (:mod:`mtfix.cli`) and the Ray engine (:mod:`mtfix.integrations.ray`) share.

The errors that stop a run, the walk of an input folder, the JSON change log of one result and the
torch thread count of one worker among several.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from mtfix import Config, Result


class UsageError(ValueError):
    """A problem with the command line or the arguments as a whole: one line on stderr, exit status 2."""


class SetupError(Exception):
    """The cleaner could not be built (e.g. the model failed to load): the run stops, exit status 2."""


def walk(root: Path, globs: Sequence[str], exclude: Path | None, errors: list[OSError] | None = None) -> Iterator[Path]:
    """The files under ``root`` whose names match one of ``globs``, sorted, folder by folder.

    Hidden files and folders are skipped, and so is the folder ``exclude`` (a resolved path: the
    output folder). A folder that cannot be read is appended to ``errors`` (without it, passed over).
    """
    for dirpath, dirnames, filenames in os.walk(root, onerror=None if errors is None else errors.append):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (exclude is None or Path(dirpath, d).resolve() != exclude)
        )
        for name in sorted(filenames):
            if not name.startswith(".") and any(fnmatch(name, g) for g in globs):
                yield Path(dirpath, name)


def within(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it, ``folder`` being an input folder ("-": none)."""
    if str(folder) == "-" or not os.path.isdir(folder):
        return False
    root, target = os.path.realpath(folder), os.path.realpath(path)
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def log_entry(result: Result | None, before: Mapping[str, Any] | None = None, **after: Any) -> str:
    """The change log of one result as one line of JSON: ``{**before, "changes", "flags", **after}``.

    The changes and flags are those of :meth:`mtfix.Change.to_dict` / :meth:`mtfix.Flag.to_dict`
    (``result`` ``None``: none); non-ASCII characters are written as they are.
    """
    changes = [c.to_dict() for c in result.changes] if result is not None else []
    flags = [f.to_dict() for f in result.flags] if result is not None else []
    return json.dumps({**(before or {}), "changes": changes, "flags": flags, **after}, ensure_ascii=False)


def threads_per_worker(config: Config, cpus: float) -> Config:
    """``config`` with torch held to ``cpus`` threads (at least one) where it runs a model and sets no
    thread count of its own: workers that share a machine must not each start a thread per core."""
    if config.model is None or config.threads is not None:
        return config
    return config.replace(threads=max(1, int(cpus)))
