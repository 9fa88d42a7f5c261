#!/usr/bin/env python3
"""The compiler launcher of GCC build-profile builds: keeps what -ftime-report prints.

    build_profile_launcher.py [LAUNCHER...] COMPILER ARGS...

PerfprojBuildProfile.cmake puts it first in CMAKE_<LANG>_COMPILER_LAUNCHER.
GCC prints its -ftime-report table on stderr, where Ninja would show it under
every compile. This runs the command (the rest of the launcher chain, then the
compiler), writes the table to <object>.time-report.txt next to the object
(-o), and passes the rest of stderr (warnings, errors) through unchanged.
The exit status is the command's. build_profile.py reads the tables.
(Standard library only: it runs once per compile.)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Sequence

sys.dont_write_bytecode = True

REPORT_SUFFIX = ".time-report.txt"
_REPORT_START = re.compile(rb"^Time variable\s")  # the header line of GCC's table
_REPORT_END = re.compile(rb"^ TOTAL\s*:")  # its last line


def object_file(command: Sequence[str]) -> str | None:
    """The output of a compile command (the last -o FILE or -oFILE), if it has one."""
    found = None
    for index, word in enumerate(command):
        if word == "-o" and index + 1 < len(command):
            found = command[index + 1]
        elif word.startswith("-o") and len(word) > 2:
            found = word[2:]
    return found


def split_report(stderr: bytes) -> tuple[bytes, bytes]:
    """(the rest of stderr, the time report tables): each table runs from GCC's
    "Time variable" header through its TOTAL line, with the blank line before it."""
    lines = stderr.splitlines(keepends=True)
    rest: list[bytes] = []
    report: list[bytes] = []
    inside = False
    for line in lines:
        if not inside and _REPORT_START.match(line):
            inside = True
            if rest and not rest[-1].strip():
                rest.pop()
        if inside:
            report.append(line)
            inside = not _REPORT_END.match(line)
        else:
            rest.append(line)
    return b"".join(rest), b"".join(report)


def run(command: Sequence[str]) -> int:
    output = object_file(command)
    report_path = Path(output + REPORT_SUFFIX) if output else None
    if report_path is not None:
        report_path.unlink(missing_ok=True)  # a failed compile must not leave an old report behind
    result = subprocess.run(list(command), stderr=subprocess.PIPE)
    rest, report = split_report(result.stderr)
    if report and report_path is not None:
        report_path.write_bytes(report)
    elif report:
        rest += report  # no object to keep it next to: show it
    sys.stderr.buffer.write(rest)
    sys.stderr.buffer.flush()
    return result.returncode if result.returncode >= 0 else 128 - result.returncode


def main(argv: Sequence[str] | None = None) -> int:
    command = list(sys.argv[1:] if argv is None else argv)
    if not command or command[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if command else 2
    try:
        return run(command)
    except OSError as error:
        print(f"build_profile_launcher: error: {command[0]}: {error.strerror or error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
