"""Adopted repositories as they really come: no tests, their own `format` target, the project in a
subfolder. Every command adopt prints runs as printed; release and the PGO chain (GCC and Clang)
finish with exit 0 and a summary."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers.build import Project, build_env
from helpers.cli import git_commit_all, one_line_error, run_perfproj, their_repository

# A small tool with real work to profile, no tests at all, and targets named
# like the ones perfproj adds in generated projects.
TOOL_CMAKELISTS = """cmake_minimum_required(VERSION 3.16)
project(wordfreq CXX)
add_executable(wordfreq main.cpp)
target_compile_features(wordfreq PRIVATE cxx_std_17)
add_custom_target(format COMMAND ${CMAKE_COMMAND} -E echo "wordfreq's own format target" VERBATIM)
add_custom_target(bench COMMAND ${CMAKE_COMMAND} -E echo "wordfreq's own bench target" VERBATIM)
"""
TOOL_MAIN = """#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

// Counts pseudo-words of a deterministic text: branchy, allocation-heavy work to train on.
int main(int argc, char **argv) {
  const long words = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1000;
  std::map<std::string, long> counts;
  unsigned state = 7;
  for (long i = 0; i < words; ++i) {
    std::string word;
    for (int letters = 1 + static_cast<int>(state % 5); letters > 0; --letters) {
      state = state * 1103515245u + 12345u;
      word += static_cast<char>('a' + (state >> 16) % 6);
    }
    ++counts[word];
  }
  std::printf("distinct=%zu\\n", counts.size());
  return 0;
}
"""


def _repo(root: Path, files: dict[str, str], toolchain: str, tmp_factory: pytest.TempPathFactory) -> Project:
    return Project(their_repository(root, files), build_env(toolchain, tmp_factory.getbasetemp()))


def _printed_commands(output: str) -> list[str]:
    """The commands under adopt's "Next, in REPO:" line (indented lines that are not notes)."""
    lines = output.split("Next, in ", 1)[1].splitlines()[1:]
    return [line.strip() for line in lines if line.startswith("  ") and not line.strip().startswith("(")]


def _run_shell(project: Project, command: str) -> subprocess.CompletedProcess[str]:
    return project.run("bash", "-c", command, check=False)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_a_repository_without_tests_and_with_its_own_format_target(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, toolchain: str) -> None:
    project = _repo(tmp_path / "wordfreq", {"CMakeLists.txt": TOOL_CMAKELISTS, "main.cpp": TOOL_MAIN},
                    toolchain, tmp_path_factory)
    adopted = run_perfproj("adopt", project.path, cwd=tmp_path, env=project.env)
    assert adopted.returncode == 0, adopted.stderr
    assert "no tests found" in adopted.stdout
    git_commit_all(project.path, "adopted")

    # Every command adopt printed runs as printed, in the repository.
    commands = _printed_commands(adopted.stdout)
    assert any("--workflow --preset release" in command for command in commands), commands
    for command in commands:
        result = _run_shell(project, command)
        assert result.returncode == 0, (command, result.stdout[-3000:])
        if "--help" in command:
            assert "--train-command CMD" in result.stdout

    # perfproj's targets never take the repository's names.
    own = project.run("cmake", "--build", "build/release", "--target", "format").stdout
    assert "wordfreq's own format target" in own
    listing = project.run("cmake", "--build", "build/release", "--target", "help").stdout
    assert "perfproj-format-check: phony" in listing and "perfproj-format: phony" in listing
    assert "wordfreq's own bench target" in project.run("cmake", "--build", "build/release", "--target",
                                                        "bench").stdout

    # PGO without a training command: refused before anything is built.
    pgo = project.run("cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", "release", check=False)
    assert pgo.returncode != 0 and "no tests to train with" in pgo.stdout
    assert "--train-command" in pgo.stdout
    generate_dir = project.path / "build/release-pgo-generate"
    assert not (generate_dir / "wordfreq").exists(), "it built before refusing"
    assert not list((generate_dir / "CMakeFiles/wordfreq.dir").glob("*.o")), "it compiled before refusing"

    # With one (a `;` in it, passed through intact), the chain finishes and says the tests were skipped.
    train = "{build}/wordfreq 20000 > /dev/null; {build}/wordfreq 3000"
    pgo = project.run("cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", "release", "--train-command", train,
                      timeout=1500)
    assert "tests on the optimized build: skipped, this build has no tests" in pgo.stdout
    assert "perfproj pgo: done in" in pgo.stdout and "functions with profile data" in pgo.stdout
    assert re.search(r"\[[0-9]+/[0-9]+\] Building CXX object", pgo.stdout), "no build progress shown"
    script = (project.path / "build/release-pgo-logs/train.sh").read_text()
    assert script.strip() == train
    assert project.run(str(project.path / "build/release-pgo/wordfreq"), "10").stdout.startswith("distinct=")


def test_pgo_help_and_arguments(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = _repo(tmp_path / "wordfreq", {"CMakeLists.txt": TOOL_CMAKELISTS, "main.cpp": TOOL_MAIN}, "gcc",
                    tmp_path_factory)
    assert run_perfproj("adopt", project.path, cwd=tmp_path, env=project.env).returncode == 0
    shown = project.run("cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", "--", "--help")
    assert shown.stdout.startswith("Profile-guided optimization in one command.")
    assert "--train-command CMD" in shown.stdout and not (project.path / "build").exists()
    bad = project.run("cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", "--frobnicate", check=False)
    assert bad.returncode != 0 and "unknown option --frobnicate" in bad.stdout and "usage:" in bad.stdout
    syntax = project.run("cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", "--train-command", "echo (", check=False)
    assert syntax.returncode != 0 and "is not a valid sh command" in syntax.stdout
    assert not (project.path / "build/release-pgo-generate").exists()


def test_a_project_in_a_subfolder_is_named(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    repo = tmp_path / "mono"
    project = _repo(repo, {"README.md": "a repository whose CMake project is not at the top\n",
                           "build/cmake/CMakeLists.txt": TOOL_CMAKELISTS.replace("main.cpp", "../../main.cpp"),
                           "main.cpp": TOOL_MAIN}, "gcc", tmp_path_factory)
    result = run_perfproj("adopt", repo, cwd=tmp_path)
    one_line_error(result, 1, "these subfolders have one: build/cmake")
    adopted = run_perfproj("adopt", repo / "build/cmake", cwd=tmp_path)
    assert adopted.returncode == 0, adopted.stderr
    sub = Project(repo / "build/cmake", project.env)
    for command in _printed_commands(adopted.stdout):
        if "asan" not in command:  # the release workflow is enough here; asan runs above
            result = _run_shell(sub, command)
            assert result.returncode == 0, (command, result.stdout[-3000:])


def test_explain_shows_what_really_applies_in_an_adopted_repository(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = _repo(tmp_path / "wordfreq", {"CMakeLists.txt": TOOL_CMAKELISTS, "main.cpp": TOOL_MAIN}, "gcc",
                    tmp_path_factory)
    assert run_perfproj("adopt", project.path, cwd=tmp_path, env=project.env).returncode == 0
    result = run_perfproj("explain", "release", "--project", project.path, cwd=tmp_path, env=project.env)
    assert result.returncode == 0, result.stderr
    hardening = next(line for line in result.stdout.splitlines() if "PERFPROJ_HARDENING" in line)
    assert "not applied" in hardening and "perfproj_target_defaults" in hardening
    allocator = next(line for line in result.stdout.splitlines() if "PERFPROJ_ALLOCATOR " in line)
    assert allocator.endswith("(not applied: no target calls perfproj_link_allocator() or "
                              "perfproj_target_defaults())"), allocator
    assert "-fstack-protector-strong" not in result.stdout
