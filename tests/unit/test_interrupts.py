"""Runs stopped at every step of the change pipeline: SIGKILL, Ctrl-C, a full disk.

The fault-injection hook (perfproj.changes.faults, PERFPROJ_TEST_FAULT)
stops a real `perfproj` process at a named checkpoint. Whatever the point,
the project must end up either as it was or fully changed, never in between,
the next perfproj command must say which and finish the job, and no staging
or scratch folder may remain.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from helpers.cli import git_commit_all, private_tmp, run_perfproj, scratch_left, tree_snapshot
from perfproj.templates.source import stage_builtin_template

PROJECT_DIR = "{{cookiecutter.project_name}}"


def work_tree(root: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree_snapshot(root).items() if not path.startswith(".git/")}


@pytest.fixture
def outdated(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(project, its template, env): a committed project whose template has since changed in many files."""
    template = stage_builtin_template(tmp_path / "template", with_hooks=True)
    env = private_tmp(tmp_path)
    result = run_perfproj("new", "demo", "--no-input", "--template", template, "-o", tmp_path / "projects",
                          cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "projects" / "demo"
    source = template / PROJECT_DIR
    for module in ("PerfprojLTO.cmake", "PerfprojPGO.cmake", "PerfprojArch.cmake", "PerfprojLint.cmake"):
        path = source / "cmake/perfproj/modules" / module
        path.write_text(path.read_text() + "# improved\n")
    (source / "NEWS.md").write_text("# News for {{ cookiecutter.project_name }}\n")
    (source / ".clang-tidy").unlink()
    return project, template, env


def updated_reference(project: Path, tmp_path: Path, env: dict[str, str]) -> dict[str, bytes]:
    """What an uninterrupted update makes of a copy of `project`."""
    reference = tmp_path / "reference" / project.name
    shutil.copytree(project, reference, symlinks=True)
    result = run_perfproj("update", cwd=reference, env=env)
    assert result.returncode == 0, result.stderr
    return work_tree(reference)


@pytest.mark.parametrize("point", ["locked", "staged#3", "committed", "replaced#1", "replaced#4", "closing"])
def test_update_killed_at_any_point_is_finished_by_the_next_run(outdated, tmp_path: Path, point: str) -> None:
    project, _template, env = outdated
    expected = updated_reference(project, tmp_path, env)
    before = work_tree(project)

    killed = run_perfproj("update", cwd=project, env={**env, "PERFPROJ_TEST_FAULT": f"{point}:kill"})
    assert killed.returncode == -signal.SIGKILL
    state = work_tree(project)
    if point in ("locked", "staged#3", "committed"):  # no file of the project was replaced yet
        assert {p: d for p, d in state.items() if "/txn-" not in p} == before

    # Read-only runs do not guess: they point at the unfinished change.
    check = run_perfproj("update", "--check", cwd=project, env=env)
    if point not in ("locked",):
        assert check.returncode == 1 and "unfinished change" in check.stderr, check.stderr

    again = run_perfproj("update", cwd=project, env=env)
    assert again.returncode == 0, again.stderr
    if point in ("committed", "replaced#1", "replaced#4"):
        assert "completed the perfproj update interrupted at" in again.stderr
    if point == "closing":
        assert "cleaned up after the perfproj update interrupted at" in again.stderr
    if point in ("committed", "replaced#1", "replaced#4", "closing"):
        assert "up to date" in again.stdout  # not merged a second time
    elif point == "staged#3":
        assert "had not changed the project yet" in again.stderr
    assert work_tree(project) == expected
    assert not (project / ".perfproj").exists() or not list((project / ".perfproj").glob("txn-*"))
    assert scratch_left(env) == []


@pytest.mark.parametrize("point", ["staged#2", "replaced#2"])
def test_ctrl_c_stops_before_the_renames_or_waits_for_them(outdated, tmp_path: Path, point: str) -> None:
    project, _template, env = outdated
    expected = updated_reference(project, tmp_path, env)
    before = work_tree(project)
    result = run_perfproj("update", cwd=project, env={**env, "PERFPROJ_TEST_FAULT": f"{point}:interrupt"})
    if point.startswith("staged"):  # before the journal: stopped, nothing changed
        assert result.returncode == 1 and "interrupted; nothing was written" in result.stderr
        assert work_tree(project) == before
    else:  # during the renames: held back until the change is complete
        assert result.returncode == 0, result.stderr
        assert "an interrupt came after the change was complete" in result.stdout
        assert work_tree(project) == expected
    assert scratch_left(env) == []


def test_a_full_disk_during_the_renames_puts_every_file_back(outdated) -> None:
    project, _template, env = outdated
    before = work_tree(project)
    result = run_perfproj("update", cwd=project, env={**env, "PERFPROJ_TEST_FAULT": "replaced#3:enospc"})
    assert result.returncode == 1 and "every file was put back" in result.stderr, result.stderr
    assert work_tree(project) == before
    assert scratch_left(env) == []


def test_a_killed_undo_is_finished_by_the_next_run(outdated, tmp_path: Path) -> None:
    """ENOSPC at the 3rd rename starts an undo; SIGKILL half-way through it; the next run completes the undo."""
    project, _template, env = outdated
    expected = updated_reference(project, tmp_path, env)
    before = work_tree(project)
    fault = {"PERFPROJ_TEST_FAULT": "replaced#3:enospc,undone#1:kill"}
    killed = run_perfproj("update", cwd=project, env={**env, **fault})
    assert killed.returncode == -signal.SIGKILL
    assert work_tree(project) != before  # two files still new, one put back
    again = run_perfproj("update", cwd=project, env=env)
    assert again.returncode == 0, again.stderr
    assert "undid the perfproj update interrupted at" in again.stderr
    assert work_tree(project) == expected  # undone, then updated properly
    assert scratch_left(env) == []


@pytest.mark.parametrize("point", ["staged#3", "committed", "replaced#2", "closing"])
def test_adopt_killed_at_any_point_is_finished_by_the_next_run(tmp_path: Path, point: str) -> None:
    def repo(name: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        (path / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.25)\nproject(legacy CXX)\n")
        (path / "CMakePresets.json").write_text('{\n  "version": 6,\n  "configurePresets": []\n}\n')
        git_commit_all(path)
        return path

    env = private_tmp(tmp_path)
    reference = repo("reference")
    assert run_perfproj("adopt", reference, cwd=tmp_path, env=env).returncode == 0
    killed_repo = repo("killed")
    before = work_tree(killed_repo)
    killed = run_perfproj("adopt", killed_repo, cwd=tmp_path, env={**env, "PERFPROJ_TEST_FAULT": f"{point}:kill"})
    assert killed.returncode == -signal.SIGKILL
    if point == "staged#3":
        assert {p: d for p, d in work_tree(killed_repo).items() if "/txn-" not in p} == before
    again = run_perfproj("adopt", killed_repo, cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert work_tree(killed_repo) == work_tree(reference)
    assert scratch_left(env) == []


@pytest.mark.parametrize("point", ["staged#5", "published"])
def test_new_killed_leaves_no_staging_after_the_next_run(tmp_path: Path, point: str) -> None:
    env = private_tmp(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    killed = run_perfproj("new", "demo", "--no-input", cwd=work, env={**env, "PERFPROJ_TEST_FAULT": f"{point}:kill"})
    assert killed.returncode == -signal.SIGKILL
    assert list(work.glob(".demo.perfproj-*"))  # SIGKILL leaves the staging folder behind...
    name = "demo" if point == "staged#5" else "other"  # ("published": demo is complete already)
    result = run_perfproj("new", name, "--no-input", cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in work.iterdir()) == sorted({"demo", name})  # ...and the next run sweeps it
    assert (work / "demo" / ".perfproj.json").is_file()
    assert scratch_left(env) == []


def test_ctrl_c_once_the_new_project_is_in_place_keeps_it_and_says_so(tmp_path: Path) -> None:
    env = private_tmp(tmp_path)
    result = run_perfproj("new", "demo", "--no-input", cwd=tmp_path,
                          env={**env, "PERFPROJ_TEST_FAULT": "published:interrupt"})
    assert result.returncode == 0, result.stderr
    assert "an interrupt came after the change was complete: it is kept" in result.stderr
    assert "Created" in result.stdout and (tmp_path / "demo" / ".perfproj.json").is_file()
    assert not list(tmp_path.glob(".demo.perfproj-*")) and scratch_left(env) == []


@pytest.mark.parametrize("action", ["interrupt", "term"])
def test_ctrl_c_or_sigterm_while_staging_a_new_project_leaves_nothing(tmp_path: Path, action: str) -> None:
    env = private_tmp(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    result = run_perfproj("new", "demo", "--no-input", "-o", "out/sub", cwd=work,
                          env={**env, "PERFPROJ_TEST_FAULT": f"staged#10:{action}"})
    assert result.returncode == 1 and "interrupted; nothing was written" in result.stderr
    assert list(work.iterdir()) == []  # not even the output folders it created
    assert scratch_left(env) == []
