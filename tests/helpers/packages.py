"""The Debian packages the suite needs: generator/debian-packages.txt, the bootstrap's own list.

A test that needs a tool calls require("<package>") first: it fails (never
skips) when the package is missing from the list, so tests/run.sh would not
install it on a fresh machine, or when it is not installed here.
"""

from __future__ import annotations

import functools
import subprocess

import pytest

from helpers.paths import REPO

PACKAGE_LIST = REPO / "generator" / "debian-packages.txt"


@functools.lru_cache(maxsize=None)
def listed() -> dict[str, str]:
    """package -> set ("demo" or "test"), in the file's order."""
    packages = {}
    for line in PACKAGE_LIST.read_text().splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#") and len(fields) >= 2:
            packages[fields[0]] = fields[1]
    return packages


@functools.lru_cache(maxsize=None)
def installed(package: str) -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return result.returncode == 0 and "install ok installed" in result.stdout


def require(*packages: str) -> None:
    for package in packages:
        if package not in listed():
            pytest.fail(f"{package} is not in {PACKAGE_LIST.relative_to(REPO)}: add it there so that "
                        "tests/run.sh installs it on a fresh machine")
        if not installed(package):
            pytest.fail(f"{package} is not installed (tests/run.sh installs it: run it once)")
