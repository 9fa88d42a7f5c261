"""A plan: every file a command will write, decided before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class FileData:
    """A file's bytes and permission bits, as a template or a tree holds it."""

    content: bytes
    mode: int


@dataclass(frozen=True)
class Change:
    path: str  # POSIX path relative to the plan's root
    old: bytes | None  # the bytes the plan was computed from (None: the file is absent)
    new: bytes | None  # what the file becomes (None: it is deleted)
    mode: int | None = None  # permission bits of a created file (None: 0o666 minus the umask)

    @property
    def verb(self) -> str:
        if self.old is None:
            return "create"
        return "delete" if self.new is None else "change"


@dataclass
class Plan:
    command: str  # "new", "adopt", "update", "org init": named in the journal and in messages
    root: Path  # absolute; for a new root, the folder to create
    changes: list[Change] = field(default_factory=list)
    new_root: bool = False  # the root does not exist yet: built aside, then renamed into place
    require_clean: bool = False  # refuse over uncommitted changes (the dirty-tree rule, apply.py)
    finish: Callable[[Path], None] | None = None  # runs on a complete new root before it appears (git commit)

    def paths(self, verb: str) -> list[str]:
        return [change.path for change in self.changes if change.verb == verb]


def creations(files: dict[str, FileData]) -> list[Change]:
    """A new tree's changes: every file created, in path order."""
    return [Change(path, None, files[path].content, files[path].mode) for path in sorted(files)]
