"""Write a new directory all at once, or not at all.

The project is rendered into a hidden staging directory next to its final
place (same filesystem) and renamed at the end. A failure, Ctrl-C, SIGTERM or
SIGHUP removes the staging directory and any parent directory this created.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Iterator

from perfproj.errors import PerfprojError


def check_destination(final: Path) -> None:
    """Refuse an existing file or non-empty directory (nothing in it is touched)."""
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise PerfprojError(f"{final} already exists and is not a directory")
    if final.is_dir() and any(final.iterdir()):
        raise PerfprojError(f"{final} already exists and is not empty; choose another name or --output-dir")


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt so cleanup code runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _make_parents(directory: Path) -> list[Path]:
    """mkdir -p, returning the directories it created (outermost first)."""
    missing = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    created = []
    for path in reversed(missing):
        path.mkdir()
        created.append(path)
    return created


@contextlib.contextmanager
def atomic_directory(final: Path) -> Iterator[Path]:
    """Yield a staging directory; its child named `final.name` becomes `final` on success."""
    final = final.absolute()
    check_destination(final)
    with _signals_interrupt():
        created = _make_parents(final.parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.perfproj-", dir=final.parent))
        try:
            yield staging
            check_destination(final)  # still free after the work?
            os.rename(staging / final.name, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            for path in reversed(created):
                with contextlib.suppress(OSError):
                    path.rmdir()
            raise
        shutil.rmtree(staging, ignore_errors=True)
