"""`perfproj adopt` on small repositories written here: the presets build, flags land, nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.build import Project, assert_all_have, assert_none_have, build_env, flags_of
from helpers.cli import run_perfproj, their_repository
from helpers.elf import section_names

LIB_CMAKELISTS = """cmake_minimum_required(VERSION 3.16)
project(shapes VERSION 1.0 LANGUAGES CXX)
add_library(shapes src/area.cpp)
target_include_directories(shapes PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                         $<INSTALL_INTERFACE:include>)
target_compile_features(shapes PUBLIC cxx_std_17)
install(TARGETS shapes EXPORT shapesTargets ARCHIVE DESTINATION lib)
install(DIRECTORY include/ DESTINATION include)
install(EXPORT shapesTargets NAMESPACE shapes:: DESTINATION lib/cmake/shapes)
enable_testing()
add_executable(area_test tests/area_test.cpp)
target_link_libraries(area_test PRIVATE shapes)
add_test(NAME area COMMAND area_test)
"""

# The repository's own presets, including a `release` that perfproj also has.
LIB_PRESETS = """{
  "version": 6,
  "cmakeMinimumRequired": {"major": 3, "minor": 25, "patch": 0},
  "configurePresets": [
    {
      "name": "release",
      "generator": "Ninja",
      "binaryDir": "${sourceDir}/build/theirs-release",
      "cacheVariables": {"CMAKE_BUILD_TYPE": "Release", "CMAKE_EXPORT_COMPILE_COMMANDS": "ON"}
    }
  ],
  "buildPresets": [{"name": "release", "configurePreset": "release"}],
  "testPresets": [{"name": "release", "configurePreset": "release"}]
}
"""

LIB_FILES = {
    "CMakeLists.txt": LIB_CMAKELISTS,
    "CMakePresets.json": LIB_PRESETS,
    "include/shapes/area.hpp": "#pragma once\nnamespace shapes { double square(double side); }\n",
    "src/area.cpp": '#include "shapes/area.hpp"\nnamespace shapes { double square(double s) { return s * s; } }\n',
    "tests/area_test.cpp": '#include "shapes/area.hpp"\nint main() { return shapes::square(3.0) == 9.0 ? 0 : 1; }\n',
}

C_FILES = {
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.10)\nproject(csum C)\nadd_library(csum sum.c)\n"
                      "enable_testing()\nadd_executable(sum_test sum_test.c)\n"
                      "target_link_libraries(sum_test csum)\nadd_test(NAME sum COMMAND sum_test)\n",
    "sum.c": "int sum(const int *v, int n) { int s = 0; for (int i = 0; i < n; ++i) s += v[i]; return s; }\n",
    "sum_test.c": "int sum(const int *v, int n);\nint main(void) { int v[] = {1, 2, 3}; return sum(v, 3) != 6; }\n",
}


def _write_repo(root: Path, files: dict[str, str], tmp_factory: pytest.TempPathFactory) -> Project:
    return Project(their_repository(root, files), build_env("gcc", tmp_factory.getbasetemp()))


def _assert_only_additions(project: Project, files: dict[str, str]) -> None:
    """git sees no deleted line, and every original file other than the presets is byte-identical."""
    numstat = project.run("git", "diff", "--numstat").stdout.split()
    assert all(numstat[i + 1] == "0" for i in range(0, len(numstat), 3)), numstat
    for relative, text in files.items():
        if relative != "CMakePresets.json":
            assert (project.path / relative).read_text() == text


def test_adopting_a_library_with_its_own_release_preset(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = _write_repo(tmp_path / "shapes", LIB_FILES, tmp_path_factory)
    result = run_perfproj("adopt", project.path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "perfproj-release" in result.stdout
    _assert_only_additions(project, LIB_FILES)
    presets = json.loads((project.path / "CMakePresets.json").read_text())
    assert presets.pop("include") == ["cmake/perfproj/presets/perfproj.json"]
    assert presets == json.loads(LIB_PRESETS)

    # perfproj's release for x86-64-v3: LTO and the arch level on every compile and link line
    project.configure("perfproj-release-v3")
    build = "build/perfproj-release-v3"
    project.build(build)
    commands = project.own_compile_commands(build)  # perfproj's CPU guard is built for any x86-64 on purpose
    assert len(commands) == 2
    assert_all_have(commands, "-flto=auto", "-march=x86-64-v3", "-O3")
    links = project.link_commands(build)
    assert_all_have(links, "-flto=auto", "-march=x86-64-v3")
    project.ctest(build)

    # their own release preset is unchanged: a plain Release build, no perfproj flags
    project.configure("release")
    project.build("build/theirs-release")
    assert_none_have(project.compile_commands("build/theirs-release"), "-flto=auto", "-march=x86-64-v3")
    project.ctest("build/theirs-release")

    # what the library installs and exports carries none of the whole-program flags
    project.run("cmake", "--install", build, "--prefix", str(tmp_path / "installed"))
    exported = "".join(p.read_text() for p in (tmp_path / "installed/lib/cmake/shapes").glob("*.cmake"))
    assert "shapes::shapes" in exported
    for flag in ("-flto", "-march", "-fprofile", "-fsanitize"):
        assert flag not in exported


def test_adopting_a_c_project_without_presets(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = _write_repo(tmp_path / "csum", C_FILES, tmp_path_factory)
    assert run_perfproj("adopt", project.path, cwd=tmp_path).returncode == 0
    assert json.loads((project.path / "CMakePresets.json").read_text())["include"] == [
        "cmake/perfproj/presets/perfproj.json"
    ]
    _assert_only_additions(project, C_FILES)
    untracked = project.run("git", "status", "--porcelain").stdout.split("\n")
    assert {line[3:].rstrip("/") for line in untracked if line} == {
        ".perfproj.json", ".perfproj", "CMakePresets.json", "cmake"}

    workflow = project.workflow("release")  # configure, build, the repo's own ctest
    assert "100% tests passed" in workflow.stdout
    build = "build/release"
    assert_all_have(project.compile_commands(build), "-flto=auto", "-O3")
    sum_link = project.link_command(build, "sum_test")
    assert "-flto=auto" in flags_of(sum_link)
    # The debug info is split off their binaries too, with no call in their CMakeLists.txt.
    assert_all_have(project.compile_commands(build), "-gdwarf-4")  # see PerfprojSplitDebug.cmake
    binary = project.path / build / "sum_test"
    assert ".gnu_debuglink" in section_names(binary)
    assert not any(name.startswith(".debug_") for name in section_names(binary))
    assert ".debug_info" in section_names(binary.with_name("sum_test.debug"))

    asan = project.workflow("asan")
    assert "100% tests passed" in asan.stdout
    assert_all_have(project.compile_commands("build/asan"), "-fsanitize=address,undefined")
    assert "Nothing to change" in run_perfproj("adopt", project.path, cwd=tmp_path).stdout
