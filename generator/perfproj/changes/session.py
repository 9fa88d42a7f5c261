"""One command at a time per project, and no command over an unfinished change.

Every command that reads a project to change it holds an exclusive lock on
the project folder (flock on the folder itself: no lock file is left behind)
from before it reads anything until it has written everything. A second
command meanwhile stops at once with a one-line message instead of planning
from files that are about to change.

Before anything else, the lock holder looks for transactions a killed run
left in .perfproj/ and completes or undoes them (journal.py), saying which.
A read-only run (--dry-run, --check) does not write, so it refuses instead.
"""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path
from typing import Callable, Iterator

from perfproj.changes import faults, journal
from perfproj.changes.confined import Tree
from perfproj.errors import PerfprojError


@contextlib.contextmanager
def open_project(root: Path, *, writing: bool, report: Callable[[str], None]) -> Iterator[Tree]:
    """The project folder `root`, locked for this command, with no unfinished change left in it."""
    tree = Tree(root)
    try:
        try:
            fcntl.flock(tree.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise PerfprojError(f"another perfproj command is working in {tree.root}; "
                                "run this one when it has finished") from error
        left = journal.pending(tree)
        if left and not writing:
            raise PerfprojError(f"an interrupted perfproj run left an unfinished change in "
                                f"{tree.show(journal.STATE_DIR + '/' + left[0])}; run the command again "
                                "without --dry-run or --check to complete it first")
        for name in left:
            report(f"perfproj: {journal.recover(tree, name)}")
        faults.checkpoint("locked")
        yield tree
    finally:
        tree.close()
