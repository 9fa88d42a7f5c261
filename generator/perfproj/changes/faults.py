"""Fault injection for the pipeline's own tests.

`PERFPROJ_TEST_FAULT=POINT[#N]:ACTION[,...]` makes the Nth time (default:
first) the pipeline passes the checkpoint POINT do ACTION:

  kill       SIGKILL this process (nothing runs after it, like a power cut
             for everything but the page cache)
  interrupt  send this process SIGINT (as Ctrl-C does) and carry on
  term       send this process SIGTERM (as `kill` does) and carry on
  enospc     raise OSError "No space left on device"
  stop       SIGSTOP this process (the test resumes it with SIGCONT), e.g.
             to hold the project lock while a second run starts

The points, in the order a change meets them: `locked` (a project's lock is
held, nothing read yet), `staged` (after each file is
staged), `committed` (the journal is written), `replaced` (after each file is
renamed into place), `published` (a new project is in place), `closing` (the
journal is about to be removed), and `undone` (after each file an undo put
back). The variable is meant for tests; nothing
else reads it.
"""

from __future__ import annotations

import errno
import os
import signal
from collections import Counter

VARIABLE = "PERFPROJ_TEST_FAULT"
_passes: Counter[str] = Counter()
_seen_spec: list[str] = [""]  # a new spec starts counting afresh (tests run in one process)


def checkpoint(point: str) -> None:
    spec = os.environ.get(VARIABLE)
    if not spec:
        return
    if spec != _seen_spec[0]:
        _seen_spec[0] = spec
        _passes.clear()
    _passes[point] += 1
    for fault in spec.split(","):
        where, _, action = fault.partition(":")
        name, _, count = where.partition("#")
        if name == point and _passes[point] == int(count or 1):
            _act(action)


def _act(action: str) -> None:
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "interrupt":
        os.kill(os.getpid(), signal.SIGINT)
    elif action == "term":
        os.kill(os.getpid(), signal.SIGTERM)
    elif action == "stop":
        os.kill(os.getpid(), signal.SIGSTOP)
    elif action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
