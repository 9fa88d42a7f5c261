"""Change many files in a directory, all or nothing.

`perfproj update` writes, merges and deletes files across a project. Every
new content is computed before this runs; here each file is replaced through
a temporary file and os.replace, and the old content is kept in memory. Any
failure (disk full, permissions, Ctrl-C, SIGTERM) puts every file back as it
was and removes the directories this created.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from perfproj.atomic import _make_parents, _signals_interrupt


@dataclass(frozen=True)
class Write:
    content: bytes
    mode: int | None = None  # permission bits for a new file (None: 0o644); existing files keep theirs


@dataclass(frozen=True)
class _Backup:
    content: bytes | None  # None: the file did not exist
    mode: int


def _write(path: Path, content: bytes, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.perfproj-tmp")
    temporary.write_bytes(content)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _remove_empty_parents(path: Path, root: Path) -> None:
    current = path.parent
    while current != root and root in current.parents:
        try:
            current.rmdir()  # fails (and stops) when the directory is not empty
        except OSError:
            return
        current = current.parent


def apply(root: Path, changes: Mapping[str, Write | None]) -> None:
    """Write (Write) or delete (None) each relative path below `root`, atomically as a set."""
    backups: dict[Path, _Backup] = {}
    created: list[Path] = []
    with _signals_interrupt():
        try:
            for relative, change in changes.items():
                path = root / relative
                if path.is_file():
                    backups[path] = _Backup(path.read_bytes(), path.stat().st_mode & 0o7777)
                else:
                    backups[path] = _Backup(None, 0)
                if change is None:
                    path.unlink(missing_ok=True)
                    continue
                created += _make_parents(path.parent)
                existing = backups[path]
                mode = existing.mode if existing.content is not None else (change.mode or 0o644)
                _write(path, change.content, mode)
        except BaseException:
            for path, backup in backups.items():
                with contextlib.suppress(OSError):
                    path.with_name(f".{path.name}.perfproj-tmp").unlink(missing_ok=True)
                    if backup.content is None:
                        path.unlink(missing_ok=True)
                    else:
                        _write(path, backup.content, backup.mode)
            for directory in reversed(created):
                with contextlib.suppress(OSError):
                    directory.rmdir()
            raise
    for relative, change in changes.items():
        if change is None:
            _remove_empty_parents(root / relative, root)
