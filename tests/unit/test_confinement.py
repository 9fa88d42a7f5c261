"""Nothing is written outside the project, and no symbolic link is followed or replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.cli import git_commit_all, one_line_error, private_tmp, run_perfproj, tree_snapshot
from perfproj.changes.confined import Tree, UnsafePath, parts

CMAKELISTS = "cmake_minimum_required(VERSION 3.25)\nproject(legacy CXX)\n"


def make_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir(parents=True)
    (repo / "CMakeLists.txt").write_text(CMAKELISTS)
    git_commit_all(repo)
    return repo


def work_tree(root: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree_snapshot(root).items() if not path.startswith(".git/")}


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "a\\b", "a\0b"])
def test_paths_that_could_leave_the_root_are_refused(path: str) -> None:
    with pytest.raises(UnsafePath):
        parts(path)


def test_a_linked_folder_on_the_way_is_refused_not_followed(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "root" / "cmake")
    with Tree(tmp_path / "root") as tree:
        with pytest.raises(UnsafePath, match="symbolic link"):
            tree.write_new("cmake/x.cmake", b"x", 0o644)
        with pytest.raises(UnsafePath):
            tree.read("cmake/x.cmake")
    assert list((tmp_path / "outside").iterdir()) == []


def test_adopt_refuses_a_cmake_folder_that_links_outside(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, repo / "cmake")
    git_commit_all(repo, "link")
    before = work_tree(repo)
    result = run_perfproj("adopt", repo, cwd=tmp_path)
    one_line_error(result, 1, "is a symbolic link")
    assert list(outside.iterdir()) == []  # not one of the 37 module files landed there
    assert work_tree(repo) == before


def test_adopt_refuses_a_modules_dir_outside_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    for modules_dir in (str(tmp_path / "abs"), "../up", "a/../../up", ".git/hooks", ".perfproj/x"):
        result = run_perfproj("adopt", repo, "--modules-dir", modules_dir, cwd=tmp_path)
        one_line_error(result, 2, "--modules-dir")
    assert not (tmp_path / "abs").exists() and not (tmp_path / "up").exists()
    assert work_tree(repo) == {"CMakeLists.txt": CMAKELISTS.encode()}


def test_a_linked_presets_file_is_never_replaced_by_a_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "presets").mkdir()
    (repo / "presets/main.json").write_text('{"version": 6, "configurePresets": []}\n')
    os.symlink("presets/main.json", repo / "CMakePresets.json")
    git_commit_all(repo, "linked presets")
    before = work_tree(repo)
    forced = run_perfproj("adopt", repo, "--presets-file", "CMakePresets.json", cwd=tmp_path)
    one_line_error(forced, 1, "--presets-file CMakeUserPresets.json")
    assert (repo / "CMakePresets.json").is_symlink() and work_tree(repo) == before
    # Left to choose, adopt puts the include in CMakeUserPresets.json and says why.
    result = run_perfproj("adopt", repo, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "CMakePresets.json is a symbolic link" in result.stdout
    assert (repo / "CMakePresets.json").is_symlink()
    assert (repo / "presets/main.json").read_text() == '{"version": 6, "configurePresets": []}\n'
    assert "cmake/perfproj/presets/perfproj.json" in (repo / "CMakeUserPresets.json").read_text()


def test_update_refuses_a_generated_file_replaced_by_a_link(tmp_path: Path) -> None:
    env = private_tmp(tmp_path)
    assert run_perfproj("new", "demo", "--no-input", cwd=tmp_path, env=env).returncode == 0
    project = tmp_path / "demo"
    secret = tmp_path / "secret.txt"
    secret.write_text("host data\n")
    (project / "README.md").unlink()
    os.symlink(secret, project / "README.md")
    git_commit_all(project, "link")
    one_line_error(run_perfproj("update", "--allow-dirty", cwd=project, env=env), 1, "symbolic link")
    assert secret.read_text() == "host data\n"


def test_update_refuses_a_state_folder_that_links_outside(tmp_path: Path) -> None:
    env = private_tmp(tmp_path)
    assert run_perfproj("new", "demo", "--no-input", "--no-git", cwd=tmp_path, env=env).returncode == 0
    project = tmp_path / "demo"
    outside = tmp_path / "outside"
    (project / ".perfproj").rename(outside)
    os.symlink(outside, project / ".perfproj")
    before = tree_snapshot(outside)
    one_line_error(run_perfproj("update", cwd=project, env=env), 1, "symbolic link")
    assert tree_snapshot(outside) == before
