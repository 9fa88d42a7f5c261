"""`perfproj tune` on a generated project: it measures, keeps a winner that computes the right
thing, and the `tuned` preset rebuilds that winner, profile and all, from a clean checkout."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from helpers.build import Project, build_env
from helpers.cli import git_commit_all, one_line_error, run_perfproj, their_repository


def _project(tmp_path: Path, tmp_path_factory) -> Project:
    env = build_env("gcc", tmp_path_factory.getbasetemp())
    assert run_perfproj("new", "demo", "--no-input", cwd=tmp_path, env=env).returncode == 0
    return Project(tmp_path / "demo", env)


def test_the_winner_is_kept_and_its_preset_rebuilds_it_from_a_clean_checkout(tmp_path: Path, tmp_path_factory) -> None:
    project = _project(tmp_path, tmp_path_factory)
    result = run_perfproj("tune", "--candidates", "compiler=gcc;opt=pgo;arch=portable;alloc=system,mimalloc",
                          "--rounds", "7", cwd=project.path, env=project.env, timeout=3000)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "tune [1 compiler x PGO] building gcc-pgo" in result.stderr
    # The allocator is measured on the PGO build itself, its library preloaded: no second build or chain.
    assert re.search(r"tune \[4 allocator\] gcc-pgo-mimalloc: gcc-pgo with \S+libmimalloc\S+ preloaded", result.stderr)
    data = json.loads((project.path / ".perfproj/tune/results.json").read_text())
    rows = {row["candidate"]: row for row in data["candidates"]}
    assert data["winner"] in ("gcc-pgo", "gcc-pgo-mimalloc") and rows[data["winner"]]["status"] == "winner"
    assert rows["gcc-pgo-mimalloc"]["stale_profile_warnings"] == 0 and rows["gcc-pgo"]["rounds"] >= 7
    assert "| gcc-pgo |" in (project.path / ".perfproj/tune/results.md").read_text()
    assert list((project.path / ".perfproj/tune/profile").glob("*.gcda"))
    assert ".perfproj/tune/presets.json" in (project.path / "CMakePresets.json").read_text()

    git_commit_all(project.path, "tuned")
    clean = tmp_path / "clean"
    subprocess.run(["git", "clone", "-q", str(project.path), str(clean)], check=True)
    checkout = Project(clean, project.env)
    workflow = checkout.workflow("tuned")
    assert "tests passed" in workflow.stdout
    commands = (clean / "build/tuned/compile_commands.json").read_text()
    assert "-fprofile-use=" in commands and str(clean / ".perfproj/tune/profile") in commands
    assert "profile count data file not found" not in workflow.stdout  # every object found its profile
    cache = (clean / "build/tuned/CMakeCache.txt").read_text()
    assert f"PERFPROJ_ALLOCATOR:STRING={data['winner'].endswith('mimalloc') and 'mimalloc' or 'system'}" in cache


def test_a_candidate_that_fails_the_check_cannot_win(tmp_path: Path, tmp_path_factory) -> None:
    project = _project(tmp_path, tmp_path_factory)
    # The stand-in for a miscompile: any program running with mimalloc "computes the wrong thing". The check
    # runs with the candidate's allocator preloaded, as its workload does.
    check = "! grep -q libmimalloc /proc/$$/maps"
    result = run_perfproj("tune", "--candidates", "compiler=gcc;opt=lto;arch=portable;alloc=system,mimalloc",
                          "--check", check, "--rounds", "7", cwd=project.path, env=project.env, timeout=3000)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {row["candidate"]: row for row in json.loads(
        (project.path / ".perfproj/tune/results.json").read_text())["candidates"]}
    assert rows["gcc-lto-mimalloc"]["status"] == "rejected: --check failed (exit 1)"
    assert rows["gcc-lto"]["status"] == "winner"
    # How it was measured is kept, so the workload can time the winner again.
    request = json.loads((project.path / ".perfproj/tune/results.json").read_text())["request"]
    assert request == {"workload": None, "check": check, "output_varies": False, "train_command": None}


def test_dry_run_budget_and_usage_errors(tmp_path: Path, tmp_path_factory) -> None:
    project = _project(tmp_path, tmp_path_factory)
    dry = run_perfproj("tune", "--dry-run", cwd=project.path, env=project.env)
    plan = [line for line in dry.stdout.splitlines() if not line.startswith("note: ")]  # notes depend on the machine
    assert dry.returncode == 0 and plan[0].startswith("stage 1, compiler x PGO: gcc-lto"), dry.stdout
    assert "Dry run: nothing was built." in dry.stdout and not (project.path / "build").exists()
    one_line_error(run_perfproj("tune", "--candidates", "compiler=icc", cwd=project.path), 2, "compiler=icc")
    one_line_error(run_perfproj("tune", "--rounds", "2", cwd=project.path), 2, "--rounds must be at least 7")
    one_line_error(run_perfproj("tune", "--budget", "soon", cwd=project.path), 2, "--budget")
    # A budget that covers no candidate build: every one is skipped, and tune says so in one line.
    tight = run_perfproj("tune", "--budget", "1s", "--candidates", "compiler=gcc;opt=lto;alloc=system",
                         cwd=project.path, env=project.env, timeout=1200)
    assert tight.returncode == 1, tight.stderr
    assert "gcc-lto: skipped, the budget would not cover its build" in tight.stderr
    last = tight.stderr.strip().splitlines()[-1]  # progress lines first, then the one-line error
    assert last.startswith("perfproj: error: tune: no candidate could be built"), last


WORDS = {
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.16)\nproject(words CXX)\n"
                      "add_executable(words words.cpp)\nenable_testing()\n"
                      "add_test(NAME words COMMAND words 1000)\n",
    "words.cpp": "#include <cstdio>\n#include <cstdlib>\n#include <string>\n#include <unordered_map>\n"
                 "int main(int argc, char** argv) {\n  long n = argc > 1 ? std::atol(argv[1]) : 1000;\n"
                 "  std::unordered_map<std::string, long> seen;\n"
                 "  for (long i = 0; i < n; ++i) seen[std::to_string(i * 7919 % n) + \"-word\"] += i;\n"
                 "  unsigned long sum = 0;\n  for (const auto& [word, value] : seen) sum += word.size() * value;\n"
                 "  std::printf(\"%zu %lu\\n\", seen.size(), sum);\n}\n",
}
LINKS_ALLOCATOR = "if(COMMAND perfproj_link_allocator)\n  perfproj_link_allocator(words)\nendif()\n"


def _tune_adopted(tmp_path: Path, tmp_path_factory, files: dict[str, str]) -> tuple[Project, dict]:
    repo = their_repository(tmp_path / "words", files)
    assert run_perfproj("adopt", repo, cwd=tmp_path).returncode == 0
    git_commit_all(repo, "adopt perfproj")
    project = Project(repo, build_env("gcc", tmp_path_factory.getbasetemp()))
    result = run_perfproj("tune", "--candidates", "compiler=gcc;opt=lto;arch=portable;alloc=system,mimalloc",
                          "--workload", "{build}/words 300000", "--rounds", "7", cwd=repo, env=project.env,
                          timeout=3000)
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads((repo / ".perfproj/tune/results.json").read_text())
    return project, {"log": result.stderr, "data": data,
                     "rows": {row["candidate"]: row for row in data["candidates"]}}


def test_an_adopted_repository_is_not_offered_an_allocator_its_executables_never_link(
        tmp_path: Path, tmp_path_factory) -> None:
    project, tuned = _tune_adopted(tmp_path, tmp_path_factory, WORDS)
    # Adopt links PERFPROJ_ALLOCATOR into no executable of theirs: a mimalloc build would be the same program.
    assert tuned["rows"]["gcc-lto-mimalloc"]["status"].startswith(
        "left out: PERFPROJ_ALLOCATOR reaches no executable of this project"), tuned["rows"]
    assert tuned["rows"]["gcc-lto-mimalloc"]["rounds"] == 0 and tuned["data"]["winner"] == "gcc-lto"
    # Nothing left to compare it with, yet the winner is timed against plain Release for the table.
    assert tuned["rows"]["gcc-lto"]["rounds"] >= 5 and tuned["rows"]["gcc-lto"]["speed_vs_plain"] > 0
    assert "- allocators left out: PERFPROJ_ALLOCATOR reaches no executable" in (
        project.path / ".perfproj/tune/results.md").read_text()
    git_commit_all(project.path, "tuned")
    assert "100% tests passed" in project.workflow("tuned").stdout
    # docs/tune.md's chart command, as printed there.
    subprocess.run(["sh", "-c", "python3 cmake/perfproj/scripts/bench_history.py tune "
                    "--results .perfproj/tune/results.json --out tune.svg"], cwd=project.path, check=True)
    chart = (project.path / "tune.svg").read_text()
    assert "(winner: gcc-lto)" in chart and "gcc-lto-mimalloc" not in chart  # left out: no bar


def test_an_adopted_executable_that_links_the_allocator_gets_it_measured_preloaded_and_built_linked(
        tmp_path: Path, tmp_path_factory) -> None:
    files = dict(WORDS, **{"CMakeLists.txt": WORDS["CMakeLists.txt"] + LINKS_ALLOCATOR})
    project, tuned = _tune_adopted(tmp_path, tmp_path_factory, files)
    library = re.search(r"tune \[4 allocator\] gcc-lto-mimalloc: gcc-lto with (\S+) preloaded", tuned["log"])
    assert library and "libmimalloc.so" in library.group(1), tuned["log"][-3000:]
    row = tuned["rows"]["gcc-lto-mimalloc"]
    assert row["rounds"] >= 5 and not row["status"].startswith(("left out", "rejected")), row  # timed
    git_commit_all(project.path, "tuned")
    project.workflow("tuned")
    needed = subprocess.run(["readelf", "-d", str(project.path / "build/tuned/words")], capture_output=True,
                            text=True, check=True).stdout
    # The tuned build links what was measured: mimalloc when it won, glibc's malloc when it did not.
    assert ("libmimalloc.so" in needed) == (tuned["data"]["winner"] == "gcc-lto-mimalloc"), needed
