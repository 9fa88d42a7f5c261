"""The write-ahead journal: a change that a killed run can always finish or undo.

A change to an existing project is staged in `.perfproj/txn-XXXX/` first:

  new/<i>        the bytes each changed file will have, with its final mode
  old/<i>        a copy of each file as it was (for undoing)
  journal.json   written last, atomically: the change is decided
  done.json      the decision, renamed once carried out (only cleanup is left)

Then each file is renamed into place (a rename needs no disk space and is
atomic). If the run dies before journal.json exists, nothing in the project
was touched and the folder is just removed. If it dies after, the next
perfproj command in the project finishes the renames (roll forward). If a
rename fails (an error, not a signal), the journal is renamed to
rollback.json and every file put back; a run dying then is undone by the
next one. Every step checks the file's current bytes against the journal's
hashes, so a file somebody edited in between is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from perfproj import __version__
from perfproj.changes import faults
from perfproj.changes.confined import Tree, digest, parts, write_file
from perfproj.changes.plan import Change
from perfproj.errors import PerfprojError

STATE_DIR = ".perfproj"
PREFIX = "txn-"
FORWARD = "journal.json"  # decided: complete it
BACKWARD = "rollback.json"  # failed half-way: undo it
DONE = "done.json"  # completed or undone: only the folder is left to remove
FORMAT = 1
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


@dataclass
class Entry:
    path: str
    old: str | None  # sha256 of the file before (None: absent)
    new: str | None  # sha256 after (None: deleted)


@dataclass
class Journal:
    command: str
    perfproj_version: str
    started: str
    entries: list[Entry]
    folders: list[str] = field(default_factory=list)  # created by the change, outermost first

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, **asdict(self)}
        return (json.dumps(data, indent=1) + "\n").encode()


class JournalDamaged(PerfprojError):
    pass


def _parse(data: bytes, where: str) -> Journal:
    try:
        raw: Any = json.loads(data)
        if raw.get("format") != FORMAT:
            raise ValueError(f"unknown format {raw.get('format')!r}")
        entries = []
        for item in raw["entries"]:
            parts(item["path"])
            for key in ("old", "new"):
                if item[key] is not None and not _HEX64.match(item[key]):
                    raise ValueError(f"bad hash for {item['path']}")
            entries.append(Entry(item["path"], item["old"], item["new"]))
        folders = [str(folder) for folder in raw.get("folders", [])]
        for folder in folders:
            parts(folder)
        return Journal(str(raw["command"]), str(raw["perfproj_version"]), str(raw["started"]), entries, folders)
    except (ValueError, KeyError, TypeError, AttributeError, PerfprojError) as error:
        raise JournalDamaged(f"{where} is damaged ({error}); the files it names were not touched by this run: "
                             "check them with `git status`, then delete that folder") from error


class Transaction:
    """One change, staged in .perfproj/txn-XXXX of the project `tree`."""

    def __init__(self, tree: Tree, name: str, journal: Journal) -> None:
        self.tree = tree
        self.name = name
        self.folder = f"{STATE_DIR}/{name}"
        self.journal = journal

    # ---- creating ----

    @classmethod
    def begin(cls, tree: Tree, command: str) -> Transaction:
        name = PREFIX + secrets.token_hex(4)
        fd = tree.parent(f"{STATE_DIR}/{name}/x", create=True)
        os.close(fd)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        return cls(tree, name, Journal(command, __version__, started, []))

    def stage(self, changes: list[Change], modes: dict[str, int], folders: list[str]) -> None:
        """Copy every new and old content into the transaction folder, then decide (journal.json)."""
        for side in ("new", "old"):
            os.close(self.tree.parent(f"{self.folder}/{side}/x", create=True))
        for index, change in enumerate(changes):
            for side, content in (("new", change.new), ("old", change.old)):
                if content is not None:
                    fd = self.tree.open_dir(f"{self.folder}/{side}")
                    try:
                        write_file(fd, str(index), content, modes[change.path], sync=True)
                    finally:
                        os.close(fd)
            self.journal.entries.append(Entry(change.path, digest(change.old), digest(change.new)))
            faults.checkpoint("staged")
        self.journal.folders = folders
        self._write_decision(FORWARD)
        faults.checkpoint("committed")

    def _write_decision(self, name: str) -> None:
        fd = self.tree.open_dir(self.folder)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{name}.tmp", dir_fd=fd)  # from a run killed while writing it
            write_file(fd, f"{name}.tmp", self.journal.to_bytes(), 0o644, sync=True)
            os.replace(f"{name}.tmp", name, src_dir_fd=fd, dst_dir_fd=fd)
            os.fsync(fd)
        finally:
            os.close(fd)

    # ---- completing and undoing ----

    def _conflict(self, path: str) -> PerfprojError:
        return PerfprojError(
            f"{self.tree.show(path)} changed while an interrupted perfproj {self.journal.command} was being "
            f"completed; both versions are kept in {self.tree.show(self.folder)}/ (new/, old/): take what you "
            "need, then delete that folder")

    def _current(self, path: str) -> str | None:
        self.tree.check_writable(path)
        return digest(self.tree.read(path))

    def _move_in(self, side: str, index: int, path: str) -> None:
        source = self.tree.open_dir(f"{self.folder}/{side}")
        target = self.tree.parent(path, create=True)
        try:
            os.replace(str(index), parts(path)[-1], src_dir_fd=source, dst_dir_fd=target)
        finally:
            os.close(source)
            os.close(target)

    def _remove(self, path: str) -> None:
        fd = self.tree.parent(path)
        try:
            os.unlink(parts(path)[-1], dir_fd=fd)
        finally:
            os.close(fd)

    def roll_forward(self) -> None:
        for index, entry in enumerate(self.journal.entries):
            current = self._current(entry.path)
            if current == entry.new:
                continue  # done before the interruption
            if current != entry.old:
                raise self._conflict(entry.path)
            if entry.new is None:
                self._remove(entry.path)
                self._prune_empty_folders(entry.path)
            else:
                self._move_in("new", index, entry.path)
            faults.checkpoint("replaced")

    def roll_back(self) -> None:
        self._write_decision(BACKWARD)
        with contextlib.suppress(FileNotFoundError):
            fd = self.tree.open_dir(self.folder)
            try:
                os.unlink(FORWARD, dir_fd=fd)
            finally:
                os.close(fd)
        for index in reversed(range(len(self.journal.entries))):
            entry = self.journal.entries[index]
            current = self._current(entry.path)
            if current == entry.old:
                continue
            if current != entry.new:
                raise self._conflict(entry.path)
            if entry.old is None:
                self._remove(entry.path)
            else:
                self._move_in("old", index, entry.path)
            faults.checkpoint("undone")
        for folder in reversed(self.journal.folders):
            self._rmdir(folder)

    def _rmdir(self, folder: str) -> bool:
        try:
            fd = self.tree.parent(folder)
        except (FileNotFoundError, PerfprojError):
            return False
        try:
            os.rmdir(parts(folder)[-1], dir_fd=fd)
            return True
        except OSError:
            return False  # not empty (or gone): leave it
        finally:
            os.close(fd)

    def _prune_empty_folders(self, deleted: str) -> None:
        """Remove the folders a deletion left empty, up to (not including) the root."""
        pieces = parts(deleted)[:-1]
        while pieces and pieces[0] != STATE_DIR and self._rmdir("/".join(pieces)):
            pieces = pieces[:-1]

    def close(self) -> None:
        """Mark the decision carried out (one rename), then remove the folder."""
        fd = self.tree.open_dir(self.folder)
        try:
            for name in (BACKWARD, FORWARD):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(name, DONE, src_dir_fd=fd, dst_dir_fd=fd)
        finally:
            os.close(fd)
        faults.checkpoint("closing")
        self.discard()

    def discard(self) -> None:
        """Remove the transaction folder, and .perfproj/ when nothing else is in it."""
        state = self.tree.open_dir(STATE_DIR)
        try:
            shutil.rmtree(self.name, dir_fd=state)
        except FileNotFoundError:
            pass
        finally:
            os.close(state)
        self._rmdir(STATE_DIR)


def pending(tree: Tree) -> list[str]:
    """Names of the transaction folders left in the project (by killed runs, when the lock is held)."""
    if not tree.is_dir(STATE_DIR):
        return []
    fd = tree.open_dir(STATE_DIR)
    try:
        return sorted(entry.name for entry in os.scandir(fd)
                      if entry.name.startswith(PREFIX) and entry.is_dir(follow_symlinks=False))
    finally:
        os.close(fd)


def recover(tree: Tree, name: str) -> str:
    """Finish or undo the transaction `name`; return what was done, as one line."""
    folder = f"{STATE_DIR}/{name}"
    fd = tree.open_dir(folder)
    try:
        present = {entry.name for entry in os.scandir(fd)}
    finally:
        os.close(fd)
    decision = next((name for name in (BACKWARD, FORWARD, DONE) if name in present), None)
    if decision is None:
        Transaction(tree, name, Journal("", "", "", [])).discard()
        return "removed the staging of an interrupted perfproj run; it had not changed the project yet"
    data = tree.read(f"{folder}/{decision}")
    journal = _parse(data or b"", tree.show(f"{folder}/{decision}"))
    transaction = Transaction(tree, name, journal)
    what = f"the perfproj {journal.command} interrupted at {journal.started}"
    if decision == DONE:
        transaction.discard()
        return f"cleaned up after {what}: it had completed"
    if decision == FORWARD:
        transaction.roll_forward()
        transaction.close()
        return f"completed {what} ({len(journal.entries)} file(s))"
    transaction.roll_back()
    transaction.close()
    return f"undid {what}: the project is as it was before it"
