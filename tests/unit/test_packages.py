"""One list of Debian packages (generator/debian-packages.txt) for the bootstrap and the suite."""

from __future__ import annotations

import subprocess

from helpers.packages import PACKAGE_LIST, installed, listed
from helpers.paths import REPO


def test_the_bootstrap_installs_exactly_the_listed_packages() -> None:
    script = f'source "{REPO}/generator/bootstrap.sh"; perfproj_packages demo; perfproj_packages test'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == list(listed())


def test_the_list_is_well_formed() -> None:
    lines = [line.split() for line in PACKAGE_LIST.read_text().splitlines() if line and not line.startswith("#")]
    names = [fields[0] for fields in lines]
    assert len(names) == len(set(names)), "a package is listed twice"
    assert all(len(fields) >= 3 and fields[1] in ("demo", "test") for fields in lines), "package set why"


def test_every_listed_package_is_installed_here() -> None:
    """tests/run.sh ran its bootstrap first, so every package must be here (tests/fresh-machine.sh
    proves the same on a minimal Debian 12 root)."""
    assert [package for package in listed() if not installed(package)] == []
