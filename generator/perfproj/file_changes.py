"""A set of file creations and edits inside an existing tree: shown as a diff, applied all or nothing.

`perfproj new` can build a whole directory aside and rename it into place
(atomic.py); `adopt` writes into a repository that already exists, so each
file is written to a temporary sibling first and only then renamed over its
target. If anything fails, the files already replaced get their old bytes
back and the files and directories created are removed.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from perfproj.errors import PerfprojError


@dataclass(frozen=True)
class Change:
    path: str  # POSIX path relative to the tree
    old: bytes | None  # None: the file is created
    new: bytes


def unified_diff(changes: list[Change]) -> str:
    """`git diff`-style text of every change (new files against /dev/null)."""
    chunks = []
    for change in changes:
        old = change.old.decode("utf-8", "replace").splitlines(keepends=True) if change.old is not None else []
        new = change.new.decode("utf-8", "replace").splitlines(keepends=True)
        lines = difflib.unified_diff(
            old, new, "/dev/null" if change.old is None else f"a/{change.path}", f"b/{change.path}"
        )
        chunks.append("".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                              for line in lines))
    return "".join(chunks)


def _make_parents(directory: Path, created: list[Path]) -> None:
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir()
        created.append(path)


def apply(root: Path, changes: list[Change]) -> None:
    """Write every change, or (on any error, Ctrl-C included) leave the tree as it was."""
    created_dirs: list[Path] = []
    staged: list[tuple[Path, Path, Change]] = []
    done: list[tuple[Path, Change]] = []
    try:
        for change in changes:
            target = root / change.path
            _make_parents(target.parent, created_dirs)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".perfproj-tmp", dir=target.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(change.new)
            mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
            os.chmod(temporary, mode)
            staged.append((Path(temporary), target, change))
        for temporary, target, change in staged:
            current = target.read_bytes() if target.exists() else None
            if current != change.old:  # changed under our feet since the plan was made
                raise PerfprojError(f"{change.path} changed while perfproj was writing; nothing was written")
            os.replace(temporary, target)
            done.append((target, change))
    except BaseException:
        for target, change in reversed(done):
            with contextlib.suppress(OSError):
                if change.old is None:
                    target.unlink()
                else:
                    target.write_bytes(change.old)
        for temporary, _target, _change in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        for directory in reversed(created_dirs):
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
