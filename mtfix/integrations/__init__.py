"""Integrations of mtfix with other systems, each in its own module with its own optional dependencies.

- :mod:`mtfix.integrations.ray`: clean a corpus on a Ray cluster with Ray Data
  (``pip install 'mtfix[ray]'``).

No optional dependency is imported here: ``import mtfix`` and ``import mtfix.integrations`` work
without any of them; importing a module of this package without its dependency raises an
:class:`ImportError` that says what to install.
"""

#: What to tell a user who lacks Ray (the command line says it too).
RAY_INSTALL_HINT = "install it with: pip install 'mtfix[ray]'"


def settle_fsspec_http() -> bool:
    """Make a failing ``import fsspec.implementations.http`` fail the same way every time.

    Returns whether fsspec is installed but that import fails (and the Ray workers need this too).
    Ray Data (2.60) resolves the paths of a read in several threads, each of which tries that import
    and takes a ``ModuleNotFoundError`` to mean "no HTTP filesystem". Where fsspec is installed without
    aiohttp (as transformers installs it) the concurrent failing imports race, one thread gets
    ``ImportError: cannot import name 'HTTPFileSystem'`` instead, and a read of several files fails,
    now and then. Marking the module as absent makes every later attempt raise ``ModuleNotFoundError``.

    :mod:`mtfix.integrations.ray` does this in the driver on import and, where needed, in every worker
    of :func:`~mtfix.integrations.ray.clean_files`. Elsewhere install aiohttp, or start Ray with
    ``runtime_env={"worker_process_setup_hook": "mtfix.integrations.settle_fsspec_http"}``.
    (Kept here, without Ray imports, so that the hook costs a worker next to nothing.)
    """
    import sys

    try:
        import fsspec
    except ImportError:
        return False  # no fsspec: every import fails at once, no race
    try:
        import fsspec.implementations.http  # noqa: F401
    except ImportError:
        sys.modules.setdefault("fsspec.implementations.http", None)  # type: ignore[assignment]
        return True
    return False
