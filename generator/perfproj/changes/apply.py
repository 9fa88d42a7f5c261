"""apply(plan): write a plan all or nothing, confined to its root.

Into an existing project (adopt, update) every change goes through a journal
(journal.py): staged first, then decided, then renamed into place with
interrupts held back, so a run stopped at any point, even by SIGKILL, leaves
the project either as it was or fully changed, and the next run tells which.

A new project (new, org init) is built complete in a hidden staging folder
beside its final place, committed there, and renamed into place in one step.

The dirty-tree rule, the same for every command: a plan that asks for it is
refused when git reports uncommitted changes to tracked files below the
root, so that what perfproj changed can be reviewed (and undone) with git on
its own. Untracked files do not count: perfproj never writes a file it has
not planned, and the plan was made from the bytes it read. Outside a git
work tree there is nothing to compare with, so there is no check.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from perfproj import git
from perfproj.changes import faults, signals
from perfproj.changes.confined import Tree, parts, umask
from perfproj.changes.journal import Transaction
from perfproj.changes.plan import Plan
from perfproj.changes.scratch import ScratchDir, sweep
from perfproj.errors import PerfprojError


def require_clean(root: Path) -> None:
    dirty = git.uncommitted_files(root)
    if dirty:
        shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
        raise PerfprojError(f"{root} has uncommitted changes ({len(dirty)} file(s): {shown}); "
                            "commit or stash them first, or pass --allow-dirty")


def apply(plan: Plan, tree: Tree | None = None) -> list[str]:
    """Write `plan` (into `tree`, the locked project, unless it makes a new root); return notes."""
    signals.held.clear()
    if plan.new_root:
        _create_root(plan)
    else:
        if tree is None:
            raise ValueError("a plan for an existing project needs its locked Tree")
        _change_tree(plan, tree)
    if signals.held:
        return ["an interrupt came after the change was complete: it is kept"]
    return []


# ---- an existing project ----

def preflight(plan: Plan, tree: Tree) -> tuple[dict[str, int], list[str]]:
    """Every check apply makes before it writes (so a command can refuse before it prints a summary).

    Each path must stay inside the root with no symbolic link on the way,
    hold the bytes the plan was made from, and the dirty-tree rule must
    hold. Returns each file's mode and the folders to create.
    """
    modes: dict[str, int] = {}
    folders: list[str] = []
    default_mode = 0o666 & ~umask()
    for change in plan.changes:
        pieces = parts(change.path)
        info = tree.check_writable(change.path)  # no link on the way, nor as the file
        if tree.read(change.path) != change.old:  # the bytes the plan was made from
            raise PerfprojError(f"{tree.show(change.path)} changed since perfproj read it; nothing was written "
                                "(run the command again)")
        if info is not None:
            modes[change.path] = stat.S_IMODE(info.st_mode)
        else:
            modes[change.path] = change.mode if change.mode is not None else default_mode
        for depth in range(1, len(pieces)):
            folder = "/".join(pieces[:depth])
            if folder not in folders and not tree.is_dir(folder):
                if tree.lstat(folder) is not None:
                    raise PerfprojError(f"{tree.show(folder)} is not a directory; nothing was written")
                folders.append(folder)
    if plan.require_clean and plan.changes:
        require_clean(tree.root)
    return modes, folders


def _change_tree(plan: Plan, tree: Tree) -> None:
    modes, folders = preflight(plan, tree)
    if not plan.changes:
        return
    transaction = Transaction.begin(tree, plan.command)
    try:
        transaction.stage(plan.changes, modes, folders)
    except BaseException as error:
        transaction.discard()
        if isinstance(error, OSError):
            raise PerfprojError(f"cannot write into {tree.root}: {error.strerror or error}; "
                                "nothing was changed") from error
        raise
    with signals.held_back():
        try:
            transaction.roll_forward()
        except Exception as error:
            reason = (error.strerror or str(error)) if isinstance(error, OSError) else str(error)
            try:
                transaction.roll_back()
            except Exception as undo_error:
                raise PerfprojError(f"writing failed ({reason}) and so did undoing it ({undo_error}); "
                                    "the next perfproj command in this project completes the undo") from error
            transaction.close()
            raise PerfprojError(f"writing failed ({reason}); every file was put back as it was") from error
        transaction.close()


# ---- a new project ----

def check_destination(final: Path) -> None:
    """Refuse an existing file, link or non-empty folder (nothing in it is touched)."""
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise PerfprojError(f"{final} already exists and is not a directory")
    if final.is_dir() and any(final.iterdir()):
        raise PerfprojError(f"{final} already exists and is not empty; choose another name or --output-dir")


def _make_parents(folder: Path) -> list[Path]:
    """mkdir -p that tolerates a concurrent mkdir; returns what it created, outermost first."""
    missing = []
    current = folder
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    created = []
    for path in reversed(missing):
        try:
            path.mkdir()
            created.append(path)
        except FileExistsError:
            if not path.is_dir():
                raise PerfprojError(f"cannot create {path}: something that is not a directory "
                                    "(a file or a broken link) has that name") from None
    return created


def _remove_parents(created: list[Path]) -> None:
    for path in reversed(created):
        try:
            path.rmdir()
        except OSError:
            return


def _create_root(plan: Plan) -> None:
    try:
        _build_and_publish(plan)
    except OSError as error:
        raise PerfprojError(f"cannot write {plan.root}: {error.strerror or error}; nothing was written") from error


def _build_and_publish(plan: Plan) -> None:
    final = plan.root
    check_destination(final)
    created = _make_parents(final.parent)
    staging: ScratchDir | None = None
    try:
        sweep(final.parent, ".*.perfproj-*")  # staging folders of killed runs
        staging = ScratchDir(f".{final.name}.perfproj-", final.parent)
        built = staging.path / final.name
        built.mkdir()
        default_mode = 0o666 & ~umask()
        with Tree(built) as tree:
            for change in plan.changes:
                mode = change.mode if change.mode is not None else default_mode
                tree.write_new(change.path, change.new or b"", mode)
                faults.checkpoint("staged")
        if plan.finish is not None:
            plan.finish(built)
        with signals.held_back():
            check_destination(final)
            try:
                os.rename(built, final)
            except OSError as error:
                if error.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                    raise PerfprojError(f"{final} appeared while perfproj was working; "
                                        "nothing was written") from error
                raise
            faults.checkpoint("published")
            staging.remove()
    except BaseException:
        if staging is not None:
            staging.remove()
        _remove_parents(created)
        raise
