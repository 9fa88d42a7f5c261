"""Interrupts: stop cleanly anywhere, except in the middle of the renames.

While a command runs, SIGTERM and SIGHUP raise KeyboardInterrupt like Ctrl-C
does, so every `finally` and context manager cleans up. Once apply.py has
decided a change (the journal is written, or a new project is about to be
renamed into place), interrupts are held back until the change is complete:
stopping half-way would leave some files new and some old.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from types import FrameType
from typing import Iterator

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# Signals received while held back, in the order they came.
held: list[int] = []


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _hold(signum: int, _frame: FrameType | None) -> None:
    held.append(signum)


@contextlib.contextmanager
def _handlers(handler: signal.Handlers | object) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {sig: signal.signal(sig, handler) for sig in STOPPING}  # type: ignore[arg-type]
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP raise KeyboardInterrupt (for a whole command)."""
    with _handlers(_raise_interrupt):
        yield


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """Interrupts wait until the block is done; `held` says which came."""
    with _handlers(_hold):
        yield
