"""The Python package stays typed and lint-clean: mypy (strict, configured in pyproject.toml) and flake8."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from helpers.paths import REPO

MAX_LINE_LENGTH = "120"


@pytest.mark.parametrize("tool", ["flake8", "mypy"])
def test_the_package_is_clean(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed (tests/run.sh installs it from Debian)")
    args = {
        "flake8": [sys.executable, "-m", "flake8", "--max-line-length", MAX_LINE_LENGTH, "generator", "tests"],
        "mypy": [sys.executable, "-m", "mypy"],  # files and strictness from pyproject.toml
    }[tool]
    result = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
