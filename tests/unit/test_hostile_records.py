"""Records and journals are data in the user's repository: validated, never obeyed blindly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.cli import git_commit_all, one_line_error, private_tmp, run_perfproj, tree_snapshot
from perfproj.changes.confined import Tree
from perfproj.errors import PerfprojError
from perfproj.project import record

RECORD = ".perfproj.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    env = private_tmp(tmp_path)
    assert run_perfproj("new", "demo", "--no-input", cwd=tmp_path, env=env).returncode == 0
    return tmp_path / "demo"


def tamper(project: Path, change: dict[str, object]) -> None:
    data = json.loads((project / RECORD).read_text())
    data.update(change)
    (project / RECORD).write_text(json.dumps(data))
    git_commit_all(project, "tampered")


def refused(project: Path, needle: str) -> None:
    before = tree_snapshot(project)
    for args in (["update"], ["update", "--check"], ["update", "--dry-run"]):
        one_line_error(run_perfproj(*args, cwd=project), 1, needle)
    assert tree_snapshot(project) == before


def test_a_generated_project_claiming_to_be_adopted_loses_nothing(project: Path) -> None:
    tamper(project, {"mode": "adopt", "settings": {"modules_dir": "cmake/perfproj"}})
    refused(project, "mode adopt, yet it lists")
    assert (project / "src").is_dir() and (project / "CMakePresets.json").is_file()


def test_a_record_naming_paths_outside_the_project_is_refused(project: Path) -> None:
    files = json.loads((project / RECORD).read_text())["files"]
    files["../outside.txt"] = "0" * 64
    tamper(project, {"files": files})
    refused(project, "not a file inside the project")


def test_a_record_from_a_newer_perfproj_is_refused(project: Path) -> None:
    tamper(project, {"perfproj_version": "99.0.0"})
    refused(project, "newer than this perfproj")


@pytest.mark.parametrize("text", ["not json", "[]", '{"perfproj_version": "0.1.0"}'])
def test_a_damaged_record_is_refused(project: Path, text: str) -> None:
    (project / RECORD).write_text(text)
    git_commit_all(project, "damaged")
    refused(project, "is damaged")


def test_a_snapshot_disagreeing_with_the_record_is_refused(project: Path) -> None:
    files = json.loads((project / RECORD).read_text())["files"]
    files["README.md"] = "0" * 64
    tamper(project, {"files": files})
    refused(project, "disagree")


def test_a_snapshot_that_is_a_folder_is_one_line(project: Path) -> None:
    snapshot = project / ".perfproj" / "base.tar.gz"
    snapshot.unlink()
    snapshot.mkdir()
    (snapshot / "x").write_text("x")
    git_commit_all(project, "folder")
    one_line_error(run_perfproj("update", cwd=project), 1, "base.tar.gz is not a regular file")


def test_update_never_removes_a_file_the_template_dropped_if_it_is_not_as_generated(tmp_path: Path) -> None:
    """The record's hash alone does not prove a file is perfproj's: removal needs the snapshot's bytes too."""
    from perfproj.templates.source import stage_builtin_template

    template = stage_builtin_template(tmp_path / "template", with_hooks=True)
    assert run_perfproj("new", "demo", "--no-input", "--template", template, cwd=tmp_path).returncode == 0
    project = tmp_path / "demo"
    mine = b"the user's own notes\n"
    (project / "NOTES.md").write_bytes(mine)
    files = json.loads((project / RECORD).read_text())["files"]
    files["NOTES.md"] = record.digest(mine)  # a forged claim that perfproj wrote it
    tamper(project, {"files": files})
    result = run_perfproj("update", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "kept        NOTES.md" in result.stdout
    assert (project / "NOTES.md").read_bytes() == mine


@pytest.mark.parametrize("journal", [
    {"format": 1, "command": "update", "perfproj_version": "0.1.0", "started": "x",
     "entries": [{"path": "../../escape", "old": None, "new": "0" * 64}]},
    {"format": 9, "command": "update", "perfproj_version": "0.1.0", "started": "x", "entries": []},
    "garbage",
])
def test_a_tampered_journal_is_refused_and_touches_nothing(project: Path, journal: object) -> None:
    txn = project / ".perfproj" / "txn-deadbeef"
    (txn / "new").mkdir(parents=True)
    (txn / "journal.json").write_text(json.dumps(journal) if not isinstance(journal, str) else journal)
    before = tree_snapshot(project.parent)
    one_line_error(run_perfproj("update", cwd=project), 1, "journal.json is damaged")
    assert tree_snapshot(project.parent) == before


def test_records_read_by_the_library_are_validated_too(project: Path) -> None:
    tamper(project, {"mode": "delete-everything"})
    with Tree(project) as tree:
        with pytest.raises(PerfprojError, match="mode 'delete-everything'"):
            record.read_record(tree)
