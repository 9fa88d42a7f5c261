"""Two perfproj runs at once: one waits for nothing and refuses; none mixes its writes with the other's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import git_commit_all, one_line_error, perfproj_env, private_tmp, run_perfproj, tree_snapshot
from perfproj.changes import apply as apply_module
from perfproj.templates.source import stage_builtin_template


def start_stopped(args: list[str], cwd: Path, env: dict[str, str], point: str) -> subprocess.Popen[str]:
    """Start perfproj; return once it has stopped itself (SIGSTOP) at checkpoint `point`."""
    process = subprocess.Popen([sys.executable, "-m", "perfproj", *args], cwd=cwd,
                               env=perfproj_env({**env, "PERFPROJ_TEST_FAULT": f"{point}:stop"}),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), status
    return process


def resume(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    os.kill(process.pid, signal.SIGCONT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_a_second_update_meanwhile_is_refused_and_the_first_merges_once(tmp_path: Path) -> None:
    template = stage_builtin_template(tmp_path / "template", with_hooks=True)
    env = private_tmp(tmp_path)
    assert run_perfproj("new", "demo", "--no-input", "--template", template, cwd=tmp_path, env=env).returncode == 0
    project = tmp_path / "demo"
    (project / "CMakeLists.txt").write_text((project / "CMakeLists.txt").read_text().replace(
        "VERSION 0.1.0", "VERSION 2.0.0"))
    git_commit_all(project, "mine")
    cmakelists = template / "{{cookiecutter.project_name}}" / "CMakeLists.txt"
    cmakelists.write_text(cmakelists.read_text().replace("VERSION 0.1.0", "VERSION 0.2.0"))

    first = start_stopped(["update"], project, env, "locked")  # holds the lock, has read nothing yet
    second = run_perfproj("update", cwd=project, env=env)
    one_line_error(second, 1, "another perfproj command is working in")
    finished = resume(first)
    assert finished.returncode == 1 and "1 conflicted file" in finished.stderr  # the conflict, once
    text = (project / "CMakeLists.txt").read_text()
    assert text.count("<<<<<<<") == 1 and text.count(">>>>>>>") == 1


def cmake_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.25)\nproject(r CXX)\n")
    git_commit_all(repo)
    return repo


def test_adopt_while_update_runs_in_the_same_repository_is_refused(tmp_path: Path) -> None:
    repo = cmake_repo(tmp_path)
    env = private_tmp(tmp_path)
    assert run_perfproj("adopt", repo, cwd=tmp_path, env=env).returncode == 0
    git_commit_all(repo, "adopted")
    first = start_stopped(["update"], repo, env, "locked")
    one_line_error(run_perfproj("adopt", repo, cwd=tmp_path, env=env), 1, "another perfproj command")
    assert resume(first).returncode == 0


def test_runs_that_only_read_are_refused_too_while_a_change_is_under_way(tmp_path: Path) -> None:
    repo = cmake_repo(tmp_path)
    env = private_tmp(tmp_path)
    first = start_stopped(["adopt", str(repo)], tmp_path, env, "committed")  # decided, nothing renamed yet
    one_line_error(run_perfproj("adopt", repo, "--dry-run", cwd=tmp_path, env=env), 1, "another perfproj command")
    assert resume(first).returncode == 0
    assert (repo / ".perfproj.json").is_file()


def test_new_projects_racing_for_the_same_missing_folder_all_succeed(tmp_path: Path) -> None:
    env = perfproj_env(private_tmp(tmp_path))
    processes = [subprocess.Popen([sys.executable, "-m", "perfproj", "new", f"p{index}", "--no-input", "--no-git",
                                   "-o", "shared/deeper"], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for index in range(4)]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert sorted(p.name for p in (tmp_path / "shared/deeper").iterdir()) == ["p0", "p1", "p2", "p3"]


def test_a_folder_made_by_someone_else_meanwhile_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race above, made certain: another process creates the folder between the check and the mkdir."""
    target = tmp_path / "a" / "b"
    real_mkdir = Path.mkdir

    def racing_mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self == tmp_path / "a":
            os.mkdir(self)  # the other process wins
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", racing_mkdir)
    created = apply_module._make_parents(target)
    assert target.is_dir() and created == [target]  # only what this run made is its to remove


def test_the_same_new_project_twice_at_once_one_wins_the_other_writes_nothing(tmp_path: Path) -> None:
    env = private_tmp(tmp_path)
    first = start_stopped(["new", "demo", "--no-input", "--no-git"], tmp_path, env, "staged#3")
    second = run_perfproj("new", "demo", "--no-input", "--no-git", cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    winner = tree_snapshot(tmp_path / "demo")
    finished = resume(first)
    one_line_error(finished, 1, "demo")
    assert tree_snapshot(tmp_path / "demo") == winner
    assert not list(tmp_path.glob(".demo.perfproj-*"))
