"""`perfproj explain PRESET`: the real flags of a generated project, from a throw-away configure."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helpers.cli import generate, run_perfproj
from helpers.paths import CCACHE_DIR

C_COMPILER = {"g++": "gcc", "clang++": "clang"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return generate(tmp_path)


def _explain(project: Path, *args: str, cxx: str = "g++") -> subprocess.CompletedProcess[str]:
    # TMPDIR inside the test directory: the configure directory must be gone afterwards.
    temp = project.parent / "tmp"
    temp.mkdir(exist_ok=True)
    env = {"CC": C_COMPILER[cxx], "CXX": cxx, "TMPDIR": str(temp), "CCACHE_DIR": CCACHE_DIR}
    return run_perfproj("explain", *args, cwd=project, env=env)


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _nothing_left(project: Path) -> None:
    assert list((project.parent / "tmp").iterdir()) == []
    assert not (project / "build").exists()  # the preset's own binaryDir was never used


def test_release_with_gcc_has_lto_and_o3(project: Path) -> None:
    report = _json(_explain(project, "release", "--json"))
    cxx = report["compile"]["CXX"]
    assert "-O3" in cxx["common"] and "-flto=auto" in cxx["common"]
    assert "demo_app" in cxx["targets"] and "demo" in cxx["targets"]
    assert "GNU" in report["compilers"]["CXX"]
    link = report["link"]["executables"]
    assert "-flto=auto" in link["common"] and "-Wl,-z,now" in link["common"]
    assert report["options"]["PERFPROJ_LTO"] == "ON" and report["options"]["PERFPROJ_ARCH"] == "portable"
    _nothing_left(project)


def test_release_text_output(project: Path) -> None:
    result = _explain(project, "release")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("demo: preset release (Release)")
    assert "CXX compile:" in text and "Link, executables:" in text and "PERFPROJ_LTO" in text
    compile_section = text.split("CXX compile:")[1].split("Link, executables:")[0]
    assert "-flto=auto" in compile_section and "-O3" in compile_section
    # Values derived from the build folder read as in the real build, never the scratch folder's.
    assert 'PERFPROJ_BUILD_DIRECTORY_NAME="release"' in text and "perfproj-explain-" not in text
    hardening = next(line for line in text.splitlines() if "PERFPROJ_HARDENING" in line)
    assert "(on demo, demo_app" in hardening  # where the per-target settings really apply
    _nothing_left(project)


def test_defines_on_top_of_a_preset_and_what_they_change(project: Path) -> None:
    result = _explain(project, "release", "-D", "PERFPROJ_HARDENING=full", "-D", "PERFPROJ_ARCH=x86-64-v3")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("demo: preset release -DPERFPROJ_HARDENING=full -DPERFPROJ_ARCH=x86-64-v3 (Release)")
    changes = text.split("changes against the plain release preset:")[1]
    assert "+ " in changes and "-march=x86-64-v3" in changes and "-D_GLIBCXX_ASSERTIONS" in changes
    assert "- PERFPROJ_ARCH=portable" in changes or "PERFPROJ_ARCH=portable" in changes
    _nothing_left(project)
    bad = _explain(project, "release", "-D", "oops")
    assert bad.returncode == 2 and "NAME=VALUE" in bad.stderr


def test_release_with_clang_links_thinlto_with_matching_lld(project: Path) -> None:
    report = _json(_explain(project, "release", "--json", cxx="clang++"))
    assert "-flto=thin" in report["compile"]["CXX"]["common"]
    link = report["link"]["executables"]["common"]
    assert "-flto=thin" in link
    assert any(flag.startswith("--ld-path=") and "lld" in flag for flag in link), link
    # Clang passes each linker word with its own -Xlinker: the pairs stay whole and in order.
    assert "-Xlinker -z -Xlinker relro" in link and "-Xlinker -z -Xlinker now" in link


def test_asan_shows_the_sanitizer(project: Path) -> None:
    report = _json(_explain(project, "asan", "--json"))
    assert "-fsanitize=address,undefined" in report["compile"]["CXX"]["common"]
    assert "-fsanitize=address,undefined" in report["link"]["executables"]["common"]
    assert not any(flag.startswith("-flto") for flag in report["compile"]["CXX"]["common"])
    assert report["options"]["PERFPROJ_SANITIZERS"] == "address;undefined"
    _nothing_left(project)


def test_unknown_preset_exits_2_listing_the_presets(project: Path) -> None:
    result = _explain(project, "fastest")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown preset 'fastest'" in lines[0]
    assert "release" in lines[0] and "asan" in lines[0]
    _nothing_left(project)


def test_configure_failure_exits_1_with_the_cmake_error(project: Path) -> None:
    # GCC has no MemorySanitizer: perfproj stops the configure with one message.
    result = _explain(project, "msan")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "CMake Error" in lines[0] and "MemorySanitizer" in lines[0]
    _nothing_left(project)


def test_project_option_and_missing_presets(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_perfproj("explain", "dev", "--project", project, "--json", cwd=elsewhere,
                          env={"CCACHE_DIR": CCACHE_DIR, "CXX": "g++"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["build_type"] == "Debug"
    result = run_perfproj("explain", "dev", cwd=elsewhere)
    assert result.returncode == 2 and f"no CMakePresets.json in {elsewhere}:" in result.stderr
