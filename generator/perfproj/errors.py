"""Errors the CLI turns into a one-line message and an exit code."""

from __future__ import annotations


class PerfprojError(Exception):
    """A failure the user can act on (exit code 1)."""

    exit_code = 1


class UsageError(PerfprojError):
    """Bad input on the command line: an argument, an answer, a config file (exit code 2)."""

    exit_code = 2


def os_error_text(error: OSError, action: str = "") -> str:
    """`cannot write /x/y: Read-only file system`: what failed, on which path, and why."""
    reason = error.strerror or str(error)
    paths = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
    if action and paths:
        return f"cannot {action} {paths}: {reason}"
    if paths:
        return f"{paths}: {reason}"
    return f"cannot {action}: {reason}" if action else reason
