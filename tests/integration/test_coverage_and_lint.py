"""Coverage reports, clang-tidy and the format check, on the skeleton and
on seeded lint violations."""

from __future__ import annotations

import re
import shutil

import pytest

from helpers.build import Project
from helpers.paths import REPO
from helpers.packages import require


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_coverage_workflow_reports(make_project, toolchain: str) -> None:
    require("gcovr")
    project: Project = make_project(toolchain)
    out = project.workflow("coverage").stdout
    summary = re.search(r"perfproj coverage: lines ([0-9.]+)% \((\d+) of (\d+)\), report: (\S+)", out)
    assert summary, out[-3000:]
    assert 70 < float(summary.group(1)) <= 100
    html = "".join(path.read_text(errors="replace") for path in
                   (project.path / "build/coverage/coverage-report").rglob("*.html"))
    assert "vm.cpp" in html and "lexer.cpp" in html
    assert "calc_bench" not in html and "vm_test.cpp" not in html  # only the project's own code
    # A second run reports the same, not counts added up from the first.
    again = re.search(r"lines ([0-9.]+)%", project.workflow("coverage").stdout)
    assert again and again.group(1) == summary.group(1)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_lint_passes_the_skeleton_and_reports_seeded_violations(make_project, toolchain: str) -> None:
    require("clang-tidy", "clang-format")
    project: Project = make_project(toolchain)
    clean = project.workflow("lint").stdout
    assert "files are formatted" in clean
    assert "warning:" not in clean

    shutil.copy(REPO / "tests/data/seeded/lint_violations.cpp", project.path / "src/lib/lint_violations.cpp")
    with (project.path / "CMakeLists.txt").open("a") as cmake:
        cmake.write("\ntarget_sources(demo PRIVATE src/lib/lint_violations.cpp)\n")
    result = project.run("cmake", "--build", "--preset", "lint", "--", "-k", "0", check=False)
    assert result.returncode != 0
    for check in ("performance-unnecessary-value-param", "performance-inefficient-vector-operation",
                  "performance-unnecessary-copy-initialization"):
        assert check in result.stdout, check


def test_format_check_needs_no_configure(make_project) -> None:
    project: Project = make_project("gcc")
    assert "files are formatted" in project.run("cmake", "-P", "cmake/perfproj/scripts/format.cmake", "--check").stdout
    source = project.path / "src/lib/vm.cpp"
    source.write_text(source.read_text() + "int   badly( int x ){return x;}\n")
    result = project.run("cmake", "-P", "cmake/perfproj/scripts/format.cmake", "--check", check=False)
    assert result.returncode != 0 and "src/lib/vm.cpp" in result.stdout
    project.run("cmake", "-P", "cmake/perfproj/scripts/format.cmake")
    assert "int badly(int x) { return x; }" in source.read_text()
