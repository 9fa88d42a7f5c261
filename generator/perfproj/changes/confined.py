"""File access that cannot leave a root folder.

Python's path functions follow symbolic links, so `root / "cmake/x"` lands
wherever a `cmake` link points. Here the root is opened once and every path
below it is walked one folder at a time with O_NOFOLLOW: a symbolic link on
the way, or as the file itself, is refused with a one-line error, never
followed and never replaced. Reads, writes, renames and deletions all go
through the folder descriptors the walk opened, so a link swapped in after a
check is refused too.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import Iterator

from perfproj.changes.plan import FileData
from perfproj.errors import PerfprojError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePath(PerfprojError):
    """A path that would leave the root or go through a symbolic link."""


def parts(path: str) -> tuple[str, ...]:
    """The components of a relative POSIX path that stays inside its root."""
    pieces = tuple(path.split("/"))
    if not path or path.startswith("/") or "\0" in path or "\\" in path or any(
            piece in ("", ".", "..") for piece in pieces):
        raise UnsafePath(f"refusing the path {path!r}: not a plain relative path inside the project")
    return pieces


def is_plain_relative(path: str) -> bool:
    try:
        parts(path)
    except UnsafePath:
        return False
    return True


def digest(content: bytes | None) -> str | None:
    return None if content is None else hashlib.sha256(content).hexdigest()


def umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


class Tree:
    """A root folder opened once; all access below it is confined to it."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        try:
            self.fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except NotADirectoryError as error:
            raise PerfprojError(f"{self.root} is not a directory") from error
        except FileNotFoundError as error:
            raise PerfprojError(f"{self.root} does not exist") from error

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Tree:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def show(self, path: str) -> str:
        return str(self.root / path)

    # ---- walking ----

    def _open_dir(self, parent: int, name: str, shown: str) -> int:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                info = os.stat(name, dir_fd=parent, follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode):
                    raise UnsafePath(f"{shown} is a symbolic link: perfproj never writes through a link "
                                     "(it could lead outside the project); nothing was written") from error
                raise PerfprojError(f"{shown} is not a directory; nothing was written") from error
            raise

    def _walk(self, pieces: tuple[str, ...], create: bool, created: list[str] | None) -> int:
        fd = os.dup(self.fd)
        try:
            for depth, name in enumerate(pieces):
                shown = "/".join(pieces[:depth + 1])
                try:
                    next_fd = self._open_dir(fd, name, self.show(shown))
                except FileNotFoundError:
                    if not create:
                        raise
                    try:
                        os.mkdir(name, dir_fd=fd)
                        if created is not None:
                            created.append(shown)
                    except FileExistsError:
                        pass  # made meanwhile by someone else: use it
                    next_fd = self._open_dir(fd, name, self.show(shown))
                os.close(fd)
                fd = next_fd
        except BaseException:
            os.close(fd)
            raise
        return fd

    def parent(self, path: str, create: bool = False, created: list[str] | None = None) -> int:
        """A descriptor of the folder holding `path` (the caller closes it).

        With `create`, missing folders are made (and appended to `created`);
        without, a missing folder raises FileNotFoundError.
        """
        return self._walk(parts(path)[:-1], create, created)

    def open_dir(self, path: str) -> int:
        """A descriptor of the folder `path` ("" is the root); the caller closes it."""
        return os.dup(self.fd) if not path else self._walk(parts(path), False, None)

    def lstat(self, path: str) -> os.stat_result | None:
        """The file's own status (a link is not followed); None when it or a folder on the way is missing."""
        try:
            fd = self.parent(path)
        except FileNotFoundError:
            return None
        try:
            return os.stat(parts(path)[-1], dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return None
        finally:
            os.close(fd)

    def check_writable(self, path: str) -> os.stat_result | None:
        """Refuse a path perfproj must not write: a link, a folder, a special file."""
        info = self.lstat(path)
        if info is None:
            return None
        if stat.S_ISLNK(info.st_mode):
            raise UnsafePath(f"{self.show(path)} is a symbolic link: perfproj never replaces a link with a file; "
                             "nothing was written")
        if not stat.S_ISREG(info.st_mode):
            raise PerfprojError(f"{self.show(path)} exists and is not a regular file; nothing was written")
        return info

    # ---- reading ----

    def read(self, path: str) -> bytes | None:
        """The file's bytes, None when absent; a link or a folder is an error."""
        try:
            fd = self.parent(path)
        except FileNotFoundError:
            return None
        try:
            # O_NONBLOCK: a FIFO planted where a file should be must not hang the read.
            file_fd = os.open(parts(path)[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UnsafePath(f"{self.show(path)} is a symbolic link; perfproj does not follow it") from error
            raise
        finally:
            os.close(fd)
        if not stat.S_ISREG(os.fstat(file_fd).st_mode):
            os.close(file_fd)
            raise PerfprojError(f"{self.show(path)} is not a regular file")
        with os.fdopen(file_fd, "rb") as stream:
            return stream.read()

    def is_dir(self, path: str) -> bool:
        info = self.lstat(path)
        return info is not None and stat.S_ISDIR(info.st_mode)

    def files(self, folder: str = "", skip: frozenset[str] = frozenset()) -> Iterator[str]:
        """Regular files below `folder` (relative paths, sorted), not entering links or `skip` top-level names."""
        pending = [folder]
        while pending:
            current = pending.pop()
            fd = self.open_dir(current)
            try:
                entries = sorted(os.scandir(fd), key=lambda entry: entry.name)
                for entry in entries:
                    relative = f"{current}/{entry.name}" if current else entry.name
                    if not current and entry.name in skip:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(relative)
                    elif entry.is_file(follow_symlinks=False):
                        yield relative
            finally:
                os.close(fd)

    def read_all(self, skip: frozenset[str] = frozenset()) -> dict[str, FileData]:
        """Every regular file below the root (links not followed, `skip` top-level names left out)."""
        result = {}
        for path in self.files(skip=skip):
            info = self.lstat(path)
            content = self.read(path)
            if info is not None and content is not None:
                result[path] = FileData(content, stat.S_IMODE(info.st_mode))
        return result

    # ---- writing (used by apply.py and the journal) ----

    def write_new(self, path: str, content: bytes, mode: int, created: list[str] | None = None) -> None:
        """Create `path` (it must not exist) with `content` and `mode`, folders included."""
        fd = self.parent(path, create=True, created=created)
        try:
            write_file(fd, parts(path)[-1], content, mode)
        finally:
            os.close(fd)


def write_file(dir_fd: int, name: str, content: bytes, mode: int, sync: bool = False) -> None:
    """Create the file `name` in the folder `dir_fd`, exclusively, with exactly `mode`."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        view = memoryview(content)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fchmod(fd, mode)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
