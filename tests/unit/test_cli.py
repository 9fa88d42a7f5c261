"""The `perfproj` command line: options, exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from helpers.cli import one_line_error, run_perfproj, tree_snapshot
from perfproj import __version__
from perfproj.project.record import RECORD_FILE, hash_tree


def test_version_and_help(tmp_path: Path) -> None:
    result = run_perfproj("--version", cwd=tmp_path)
    assert result.returncode == 0 and __version__ in result.stdout
    for args in (["--help"], ["new", "--help"]):
        result = run_perfproj(*args, cwd=tmp_path)
        assert result.returncode == 0 and "Usage:" in result.stdout


@pytest.mark.parametrize("name", ["1abc", "my app", "../escape", "class", "a;b", "x" * 65])
def test_bad_names_exit_2_and_write_nothing(tmp_path: Path, name: str) -> None:
    result = run_perfproj("new", name, "--no-input", cwd=tmp_path)
    one_line_error(result, 2, "project name")
    assert list(tmp_path.iterdir()) == []


def test_unknown_option_is_a_one_line_usage_error(tmp_path: Path) -> None:
    one_line_error(run_perfproj("new", "x", "--frobnicate", cwd=tmp_path), 2, "--frobnicate")
    one_line_error(run_perfproj("new", "x", "--kind", "dll", cwd=tmp_path), 2, "dll")


def test_bad_namespace_and_description_exit_2(tmp_path: Path) -> None:
    one_line_error(run_perfproj("new", "x", "--no-input", "--namespace", "a::int", cwd=tmp_path), 2, "keyword")
    one_line_error(run_perfproj("new", "x", "--no-input", "--description", 'a "b"', cwd=tmp_path), 2, "quotes")
    assert list(tmp_path.iterdir()) == []


def test_existing_non_empty_directory_is_refused_untouched(tmp_path: Path) -> None:
    existing = tmp_path / "demo"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine")
    before = tree_snapshot(tmp_path)
    result = run_perfproj("new", "demo", "--no-input", cwd=tmp_path)
    one_line_error(result, 1, "not empty")
    assert tree_snapshot(tmp_path) == before


def test_existing_empty_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    assert run_perfproj("new", "demo", "--no-input", "--no-git", cwd=tmp_path).returncode == 0
    assert (tmp_path / "demo" / "CMakeLists.txt").is_file()


def test_git_repository_with_one_clean_commit(tmp_path: Path) -> None:
    result = run_perfproj("new", "demo", "--no-input", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "demo"
    log = subprocess.run(["git", "log", "--oneline"], cwd=project, capture_output=True, text=True, check=True)
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True)
    assert status.stdout == ""
    tracked = subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True).stdout
    assert RECORD_FILE in tracked.split()


def test_output_dir_and_record(tmp_path: Path) -> None:
    result = run_perfproj(
        "new", "fast-json", "--no-input", "--no-git", "--output-dir", "deep/er", "--kind", "lib",
        "--cxx-standard", "17", "--namespace", "acme::json", "--description", "JSON, fast",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "deep" / "er" / "fast-json"
    record = json.loads((project / RECORD_FILE).read_text())
    assert record["perfproj_version"] == __version__
    assert record["template"] == {"source": "builtin", "revision": __version__, "checkout": None}
    assert record["answers"] == {
        "project_name": "fast-json", "description": "JSON, fast", "kind": "lib",
        "cxx_standard": "17", "namespace": "acme::json",
    }
    assert record["files"] == hash_tree(project)  # every generated file, hashed
    assert "cmake/perfproj/Perfproj.cmake" in record["files"]
    assert "namespace acme::json {" in (project / "include/fast-json/vm.hpp").read_text()
    assert "cxx_std_17" in (project / "CMakeLists.txt").read_text()


def test_config_file_answers_and_flags_take_precedence(tmp_path: Path) -> None:
    config = tmp_path / "org.yaml"
    config.write_text("default_context:\n  project_name: from-config\n  kind: app\n  cxx_standard: '23'\n")
    result = run_perfproj(
        "new", "--no-input", "--no-git", "--config-file", config, "--cxx-standard", "17", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads((tmp_path / "from-config" / RECORD_FILE).read_text())["answers"]
    assert (answers["kind"], answers["cxx_standard"]) == ("app", "17")


def test_bad_config_file_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("default_context: [oops\n")
    one_line_error(run_perfproj("new", "x", "--no-input", "--config-file", config, cwd=tmp_path), 2, "YAML")


@pytest.mark.parametrize(("kind", "absent", "present"), [
    ("lib", "src/app", "cmake/package-config.cmake.in"),
    ("app", "cmake/package-config.cmake.in", "src/app/main.cpp"),
])
def test_kinds_prune_what_they_do_not_use(tmp_path: Path, kind: str, absent: str, present: str) -> None:
    assert run_perfproj("new", "k", "--no-input", "--no-git", "--kind", kind, cwd=tmp_path).returncode == 0
    assert not (tmp_path / "k" / absent).exists()
    assert (tmp_path / "k" / present).exists()


def _fake_git(tmp_path: Path, body: str) -> dict[str, str]:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    git = bin_dir / "git"
    git.write_text(f"#!/bin/sh\n{body}\n")
    git.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def test_a_failure_late_in_generation_leaves_nothing(tmp_path: Path) -> None:
    env = _fake_git(tmp_path, 'echo "fatal: disk on fire" >&2; exit 1')
    work = tmp_path / "work"
    work.mkdir()
    result = run_perfproj("new", "demo", "--no-input", "-o", "out/sub", cwd=work, env=env)
    one_line_error(result, 1, "disk on fire")
    assert list(work.iterdir()) == []  # not even the output directories it created
