"""The generated project's CI: valid GitHub Actions, and every job's commands
really run here on a generated project (minus the steps that only prepare a
GitHub runner).

Each job replays in its own clone of the project, as on a fresh runner. The
suite's ccache directory stands in for the actions/cache restore, so the
replays share hits the way CI runs share the restored cache. By default one
matrix cell per job runs (the commands of the other cells differ only in the
compiler or preset name, and those presets are tested elsewhere);
PERFPROJ_CI_MATRIX=full replays every cell.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import workflow
from helpers.cli import run_perfproj
from helpers.paths import CCACHE_DIR, REPO, TEMPLATE

WORKFLOW = TEMPLATE / "{{cookiecutter.project_name}}" / ".github" / "workflows" / "ci.yml"
DEFAULT_CELLS = {
    "lint", "build-and-test[gcc-dev]", "build-and-test[clang-release]", "sanitizers[asan]", "fuzz", "pgo[gcc]",
    "bench-gate", "bench-history",
}
GITHUB = {"github.workspace": "", "github.base_ref": "main"}  # workspace: set per clone


def _all_runs() -> list[workflow.JobRun]:
    return workflow.job_runs(workflow.load(WORKFLOW), GITHUB)


def _selected_labels() -> list[str]:
    labels = [run.label for run in _all_runs()]
    if os.environ.get("PERFPROJ_CI_MATRIX") == "full":
        return labels
    missing = DEFAULT_CELLS - set(labels)
    assert not missing, f"the default replay names cells the workflow no longer has: {missing}"
    return [label for label in labels if label in DEFAULT_CELLS]


def _validator() -> str:
    validator = os.environ.get("PERFPROJ_ACTION_VALIDATOR_BIN") or str(
        REPO / ".cache" / "npm" / "node_modules" / ".bin" / "action-validator")
    assert Path(validator).is_file(), "action-validator is missing: run the suite with tests/run.sh"
    return validator


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project in git: the 'remote' every job clones from."""
    where = tmp_path_factory.mktemp("ci-origin")
    result = run_perfproj("new", "demo", "--no-input", "-o", where, cwd=where,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    assert result.returncode == 0, result.stderr
    project = where / "demo"
    subprocess.run(["git", "branch", "-M", "main"], cwd=project, check=True)
    return project


def test_workflows_pass_the_github_actions_schema(origin: Path, tmp_path: Path) -> None:
    files = sorted((origin / ".github" / "workflows").glob("*.yml"))
    assert files
    for path in files:
        result = subprocess.run([_validator(), str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{path.name}: {result.stdout}{result.stderr}"
    # The validator really validates: a misspelt key fails.
    broken = tmp_path / "broken.yml"
    broken.write_text(files[0].read_text().replace("runs-on:", "runs_on:", 1))
    assert subprocess.run([_validator(), str(broken)], capture_output=True).returncode != 0


def test_every_job_runs_a_preset_or_a_shipped_script() -> None:
    for run in _all_runs():
        work = [script for name, script in run.steps if "preset" in script or "cmake/perfproj/" in script]
        assert work, f"{run.label} has no step that runs a preset or a perfproj script"
        names = [name for name, _ in run.steps]
        assert names[0] == "Reset the compiler cache counters" and names[-1] == "Compiler cache hit rate", run.label
    raw = WORKFLOW.read_text()
    for job in workflow.load(WORKFLOW)["jobs"].values():  # cache restored before, saved after
        uses = [step.get("uses", "") for step in job["steps"]]
        assert any(u.startswith("actions/cache/restore") for u in uses)
        assert uses[-1].startswith("actions/cache/save")
    assert "pull_request" in raw and "github.event_name == 'pull_request'" in raw


@pytest.mark.parametrize("label", _selected_labels())
def test_job_commands_succeed_locally(origin: Path, tmp_path: Path, label: str) -> None:
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(origin), str(checkout)], check=True)
    run = next(r for r in workflow.job_runs(workflow.load(WORKFLOW), {**GITHUB, "github.workspace": str(checkout)})
               if r.label == label)
    summary = tmp_path / "step-summary.md"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CMAKE_", "CCACHE_")) and key not in ("CC", "CXX")}
    env.update(run.env)
    env["CCACHE_DIR"] = CCACHE_DIR
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = "2"
    if "PERFPROJ_FUZZ_SECONDS" in env:  # the job's bound is the runner's budget; the commands are the same
        env["PERFPROJ_FUZZ_SECONDS"] = "10"

    outputs = {}
    for name, script in run.steps:
        result = subprocess.run(["bash", "-e", "-c", script], cwd=checkout, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=1800)
        outputs[name] = result.stdout
        assert result.returncode == 0, f"{label}: step '{name}' failed:\n{result.stdout[-6000:]}"

    assert re.search(r"Hits:\s+\d+", outputs["Compiler cache hit rate"]), outputs["Compiler cache hit rate"]
    if run.job == "build-and-test":
        build = checkout / "build" / f"ci-{run.matrix['preset']}"
        cache = (build / "CMakeCache.txt").read_text()
        assert f"CMAKE_CXX_COMPILER:FILEPATH={shutil.which(run.matrix['cxx'])}" in cache
        assert "-Werror" in (build / "compile_commands.json").read_text()
        # The launcher is on the build lines, with the path-independence settings.
        rules = (build / "CMakeFiles" / "rules.ninja").read_text()
        assert f"CCACHE_BASEDIR={checkout}" in rules and "CCACHE_NOHASHDIR=true" in rules
        assert f"-ffile-prefix-map={checkout}/=./" in (build / "build.ninja").read_text()
    elif run.job == "pgo":
        cache = (checkout / "build" / "ci-release-pgo" / "CMakeCache.txt").read_text()
        assert "PERFPROJ_PGO:STRING=USE" in cache
        assert any(path.stat().st_size for path in (checkout / "build" / "ci-release-pgo-profile").rglob("*")
                   if path.is_file())
    elif run.job == "bench-gate":
        report = summary.read_text()
        assert "| benchmark" in report.lower() and "BM_" in report, report
    elif run.job == "bench-history":
        report = summary.read_text()
        assert "### Benchmark history" in report and "| BM_" in report, report
        records = list((checkout / ".bench-history").glob("*.json"))
        assert len(records) == 1 and "instructions" in records[0].read_text()
        assert list((checkout / ".bench-history" / "plots").glob("BM_*.svg"))
    elif run.job == "fuzz":
        assert "100% tests passed" in outputs["Configure, build, replay the fuzz inputs under the sanitizers"]
        assert re.search(r"_compile_fuzzer: no crash in 10 s", outputs["Fuzz each target for PERFPROJ_FUZZ_SECONDS"])
    elif run.job == "sanitizers":
        commands = (checkout / "build" / f"ci-{run.matrix['sanitizer']}" / "compile_commands.json").read_text()
        assert "-fsanitize=" in commands
