"""The one change pipeline of every command that writes files.

A command first computes a Plan (plan.py): every file it will create, change or
delete, with the bytes it read. `apply(plan)` (apply.py) then writes it:

  confined.py  every path is reached through directory descriptors that never
               follow a symbolic link, so nothing is written outside the root
               and no link is ever replaced by a file;
  session.py   an exclusive lock on the project for the whole command, and the
               recovery of a change an earlier, killed run left unfinished;
  journal.py   the write-ahead journal that makes that recovery possible;
  scratch.py   temporary and staging folders that remove themselves, and the
               stale ones of killed runs;
  signals.py   Ctrl-C and SIGTERM stop a run cleanly, but never half-way
               through the renames;
  diff.py      the one unified-diff renderer (--dry-run);
  faults.py    the fault-injection hook the interrupt tests use.
"""

from perfproj.changes.diff import unified_diff
from perfproj.changes.plan import Change, Plan
from perfproj.changes.session import open_project

__all__ = ["Change", "Plan", "open_project", "unified_diff"]
