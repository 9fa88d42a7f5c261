"""Errors the CLI turns into a one-line message and an exit code."""

from __future__ import annotations


class PerfprojError(Exception):
    """A failure the user can act on (exit code 1)."""

    exit_code = 1


class UsageError(PerfprojError):
    """Bad input on the command line: an argument, an answer, a config file (exit code 2)."""

    exit_code = 2
