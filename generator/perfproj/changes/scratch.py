"""Scratch folders that remove themselves, and the stale ones of killed runs.

perfproj renders templates, clones them and stages new projects in folders
of its own. Each holds a marker file and stays locked (flock) while its run
lives; on any exit, interrupts included, the run removes it. A run killed
with SIGKILL cannot, so every command first sweeps: a folder with perfproj's
prefix and marker whose lock nobody holds belongs to a dead run and goes.
Folders without the marker, or still locked, are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

MARKER = ".perfproj-scratch"
MARKER_TEXT = b"perfproj scratch folder: removed when its run ends, or by the next run if that one was killed\n"
TEMP_PREFIX = "perfproj-"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class ScratchDir:
    """A new locked, marked folder `parent/prefixXXXX`; remove() it when done."""

    def __init__(self, prefix: str, parent: Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        self._fd = -1
        try:
            self._fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # locked before it is marked: never swept while alive
            (self.path / MARKER).write_bytes(MARKER_TEXT)
        except BaseException:
            self.remove()
            raise

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


@contextlib.contextmanager
def scratch_dir(prefix: str, parent: Path | None = None) -> Iterator[Path]:
    """A ScratchDir for the length of a `with` block."""
    scratch = ScratchDir(prefix, parent)
    try:
        yield scratch.path
    finally:
        scratch.remove()


def temp_dir(purpose: str) -> contextlib.AbstractContextManager[Path]:
    """A scratch folder in the system's temporary folder, e.g. perfproj-template-XXXX."""
    return scratch_dir(f"{TEMP_PREFIX}{purpose}-")


def _is_stale(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        marker = path / MARKER
        if marker.is_symlink() or not marker.is_file() or marker.read_bytes() != MARKER_TEXT:
            return False
        return _try_lock(fd)  # nobody holds it: its run is gone
    except OSError:
        return False
    finally:
        os.close(fd)


def sweep(parent: Path, pattern: str) -> list[Path]:
    """Remove the stale scratch folders matching `pattern` in `parent`; return them."""
    removed: list[Path] = []
    try:
        candidates = sorted(parent.glob(pattern))
    except OSError:
        return removed
    for path in candidates:
        if not path.is_symlink() and path.is_dir() and _is_stale(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def sweep_temp() -> list[Path]:
    """Remove stale perfproj-* folders of killed runs from the system's temporary folder."""
    return sweep(Path(tempfile.gettempdir()), f"{TEMP_PREFIX}*")
