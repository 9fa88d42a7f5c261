"""Generated C++ is clang-format clean whatever the project's name and namespace."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers.cli import generate

LONGEST_NAME = "a" + "-bcdefghi" * 7  # 64 characters, the maximum
LONG_NAMESPACE = "acme::perf_tools_with_a_rather_long_namespace_name_for_tests"


@pytest.mark.parametrize(("name", "args"), [
    ("x", ()),
    ("demo", ()),
    (LONGEST_NAME, ("--namespace", LONG_NAMESPACE)),
])
def test_generated_sources_are_clang_format_clean(tmp_path: Path, name: str, args: tuple[str, ...]) -> None:
    assert len(LONGEST_NAME) == 64
    project = generate(tmp_path, name, *args)
    sources = sorted(str(p) for p in project.rglob("*") if p.suffix in (".cpp", ".hpp", ".h", ".c"))
    result = subprocess.run(["clang-format", "--dry-run", "-Werror", *sources], cwd=project,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[:3000]
