"""`perfproj update`: template improvements arrive, local edits are never lost.

"The template improved" is simulated by pointing perfproj at a modified copy
of its data (resources.data_root), or by updating a --template directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from helpers.cli import run_perfproj, tree_snapshot
from perfproj import resources
from perfproj.changes.confined import Tree
from perfproj.commands import update
from perfproj.project import base_snapshot
from perfproj.errors import PerfprojError
from perfproj.commands.new import NewRequest, run as create_project
from perfproj.project.record import RECORD_FILE, hash_tree, read_record_at as read_record

TEMPLATE_PROJECT = "template/{{cookiecutter.project_name}}"
OWNED_PRESETS = "cmake/perfproj/presets/perfproj.json"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the real ~/.config/perfproj and ~/.cookiecutterrc out of these tests."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("PERFPROJ_CONFIG", raising=False)
    monkeypatch.delenv("COOKIECUTTER_CONFIG", raising=False)


@pytest.fixture
def newer_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Path]:
    """Returns a function that switches perfproj to an editable copy of its data and returns it."""

    def switch() -> Path:
        data = tmp_path / "newer-data"
        if not data.exists():
            for name in resources.DATA_DIRS:
                shutil.copytree(resources.data_dir(name), data / name)
            monkeypatch.setattr(resources, "data_root", lambda: data)
        return data

    return switch


def make(tmp_path: Path, name: str = "demo", use_git: bool = False) -> Path:
    return create_project(NewRequest(tmp_path / "projects", name, use_git=use_git), None).path


def run_update(project: Path, **options: bool) -> tuple[int, str]:
    lines: list[str] = []
    settings = {"dry_run": False, "check": False, "allow_dirty": False, "trust": False, **options}
    code = update.run(project, echo=lines.append, **settings)
    return code, "\n".join(lines)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_untouched_files_update_new_files_arrive_dropped_files_go(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    data = newer_data()
    edit(data / "cmake-modules/modules/PerfprojLTO.cmake", "\n", "\n# improved LTO module\n")
    (data / TEMPLATE_PROJECT / "NEWS.md").write_text("# News for {{ cookiecutter.project_name }}\n")
    (data / TEMPLATE_PROJECT / ".clang-tidy").unlink()

    code, out = run_update(project)

    assert code == 0, out
    assert "updated     cmake/perfproj/modules/PerfprojLTO.cmake" in out
    assert "added       NEWS.md" in out
    assert "removed     .clang-tidy" in out
    assert "Summary: 1 updated, 0 merged, 0 conflicted, 1 added, 1 removed, 0 moved, 0 kept" in out
    assert "# improved LTO module" in (project / "cmake/perfproj/modules/PerfprojLTO.cmake").read_text()
    assert (project / "NEWS.md").read_text() == "# News for demo\n"
    assert not (project / ".clang-tidy").exists()
    # The record and the base describe the new generation: nothing is left to update.
    assert read_record(project).files == hash_tree(project)
    assert run_update(project, check=True)[0] == 0


def test_edits_on_both_sides_of_a_text_file(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    edit(project / "CMakeLists.txt", "VERSION 0.1.0", "VERSION 2.0.0")  # the user's edit
    edit(project / "README.md", "## Quick start", "## Quick start (read me first)")
    data = newer_data()
    edit(data / TEMPLATE_PROJECT / "CMakeLists.txt", "VERSION 0.1.0", "VERSION 0.2.0")  # same line
    readme = data / TEMPLATE_PROJECT / "README.md"
    readme.write_text(readme.read_text() + "\nA line the template added at the end.\n")  # elsewhere

    with pytest.raises(PerfprojError, match="1 conflicted file"):
        run_update(project)

    cmakelists = (project / "CMakeLists.txt").read_text()
    assert "<<<<<<< yours\n  VERSION 2.0.0\n" in cmakelists
    assert "=======\n  VERSION 0.2.0\n>>>>>>> perfproj" in cmakelists
    merged = (project / "README.md").read_text()
    assert "## Quick start (read me first)" in merged and "A line the template added at the end." in merged
    assert "<<<<<<<" not in merged


def test_conflicts_are_in_the_summary(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    edit(project / "CMakeLists.txt", "VERSION 0.1.0", "VERSION 2.0.0")
    edit(newer_data() / TEMPLATE_PROJECT / "CMakeLists.txt", "VERSION 0.1.0", "VERSION 0.2.0")
    lines: list[str] = []
    with pytest.raises(PerfprojError):
        update.run(project, dry_run=False, check=False, allow_dirty=False, trust=False, echo=lines.append)
    assert "  conflicted  CMakeLists.txt  (1 conflict(s) marked)" in lines
    assert "Summary: 0 updated, 0 merged, 1 conflicted, 0 added, 0 removed, 0 moved, 0 kept" in lines


def test_edits_on_both_sides_of_a_preset(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    presets = json.loads((project / OWNED_PRESETS).read_text())
    release = next(p for p in presets["configurePresets"] if p["name"] == "release")
    release["cacheVariables"]["PERFPROJ_ARCH"] = "x86-64-v3"  # the user's value
    release["cacheVariables"]["MY_FLAG"] = "ON"
    (project / OWNED_PRESETS).write_text(json.dumps(presets, indent=4))
    root = json.loads((project / "CMakePresets.json").read_text())
    root["configurePresets"].append({"name": "mine", "inherits": "dev"})
    (project / "CMakePresets.json").write_text(json.dumps(root, indent=2))

    data = newer_data()
    theirs = json.loads((data / "presets/perfproj.json").read_text())
    release = next(p for p in theirs["configurePresets"] if p["name"] == "release")
    release["cacheVariables"]["PERFPROJ_ARCH"] = "native"  # the template's, same key
    release["cacheVariables"]["PERFPROJ_NEW_OPTION"] = "ON"  # a new key
    (data / "presets/perfproj.json").write_text(json.dumps(theirs, indent=2) + "\n")
    template_root = data / TEMPLATE_PROJECT / "CMakePresets.json"
    root_theirs = json.loads(template_root.read_text())
    root_theirs["configurePresets"].append({"name": "template-added", "inherits": "release"})
    template_root.write_text(json.dumps(root_theirs, indent=2) + "\n")

    lines: list[str] = []
    with pytest.raises(PerfprojError, match="1 conflicted"):
        update.run(project, dry_run=False, check=False, allow_dirty=False, trust=False, echo=lines.append)

    merged = json.loads((project / OWNED_PRESETS).read_text())  # still valid JSON
    release = next(p for p in merged["configurePresets"] if p["name"] == "release")
    assert release["cacheVariables"]["PERFPROJ_ARCH"] == "x86-64-v3"  # the user's value kept
    assert release["cacheVariables"]["MY_FLAG"] == "ON"
    assert release["cacheVariables"]["PERFPROJ_NEW_OPTION"] == "ON"  # the template's new key
    assert any("/configurePresets[release]/cacheVariables/PERFPROJ_ARCH" in line for line in lines)
    root_merged = json.loads((project / "CMakePresets.json").read_text())
    assert [p["name"] for p in root_merged["configurePresets"]] == ["mine", "template-added"]
    assert "  merged      CMakePresets.json" in lines


def test_deleted_files_stay_deleted(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    (project / "bench/calc_bench.cpp").unlink()
    data = newer_data()
    bench = data / TEMPLATE_PROJECT / "bench/calc_bench.cpp"
    bench.write_text(bench.read_text() + "// improved\n")

    code, out = run_update(project)
    assert code == 0 and "kept        bench/calc_bench.cpp  (deleted by you: stays deleted)" in out
    assert not (project / "bench/calc_bench.cpp").exists()
    bench.write_text(bench.read_text() + "// improved again\n")
    run_update(project)
    assert not (project / "bench/calc_bench.cpp").exists()


def test_a_local_edit_the_template_did_not_touch_is_kept(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    edit(project / ".clang-format", "\n", "\n# mine\n")
    mine = (project / ".clang-format").read_text()
    edit(newer_data() / "cmake-modules/modules/PerfprojLTO.cmake", "\n", "\n# improved\n")
    code, out = run_update(project)
    assert code == 0 and ".clang-format" not in out
    assert (project / ".clang-format").read_text() == mine
    assert run_update(project, check=True)[0] == 0  # still recognised as a local edit afterwards


def test_dry_run_and_check_write_nothing(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    edit(newer_data() / "cmake-modules/modules/PerfprojLTO.cmake", "\n", "\n# improved\n")
    before = tree_snapshot(project)

    code, out = run_update(project, dry_run=True)
    assert code == 0 and "+# improved" in out and "--- a/cmake/perfproj/modules/PerfprojLTO.cmake" in out
    assert "Dry run: nothing was written." in out
    code, out = run_update(project, check=True)
    assert code == 1 and "An update is available" in out
    assert tree_snapshot(project) == before


def test_a_dirty_git_tree_is_refused(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path, use_git=True)
    edit(project / "README.md", "## Quick start", "## Start here")  # uncommitted
    edit(newer_data() / "cmake-modules/modules/PerfprojLTO.cmake", "\n", "\n# improved\n")
    before = tree_snapshot(project)
    with pytest.raises(PerfprojError, match="uncommitted changes"):
        run_update(project)
    assert tree_snapshot(project) == before
    assert run_update(project, allow_dirty=True)[0] == 0
    assert "## Start here" in (project / "README.md").read_text()


def test_a_failure_leaves_the_project_as_it_was(tmp_path: Path, newer_data, monkeypatch) -> None:
    project = make(tmp_path)
    data = newer_data()
    for module in ("PerfprojLTO.cmake", "PerfprojPGO.cmake", "PerfprojArch.cmake"):
        edit(data / "cmake-modules" / "modules" / module, "\n", "\n# improved\n")
    (data / TEMPLATE_PROJECT / "NEWS.md").write_text("news\n")
    before = tree_snapshot(project)
    monkeypatch.setenv("PERFPROJ_TEST_FAULT", "replaced#4:enospc")  # the disk fills up at the 4th rename
    with pytest.raises(PerfprojError, match="No space left on device.*every file was put back"):
        run_update(project)
    assert tree_snapshot(project) == before


def test_a_project_without_a_base_snapshot_loses_nothing(tmp_path: Path, newer_data) -> None:
    project = make(tmp_path)
    (project / base_snapshot.SNAPSHOT_FILE).unlink()  # made before snapshots existed
    edit(project / "CMakeLists.txt", "VERSION 0.1.0", "VERSION 2.0.0")
    data = newer_data()
    edit(data / TEMPLATE_PROJECT / "CMakeLists.txt", "VERSION 0.1.0", "VERSION 0.2.0")
    edit(data / "cmake-modules/modules/PerfprojLTO.cmake", "\n", "\n# improved\n")
    with pytest.raises(PerfprojError, match="conflicted"):
        run_update(project)
    assert "VERSION 2.0.0" in (project / "CMakeLists.txt").read_text()
    assert "# improved" in (project / "cmake/perfproj/modules/PerfprojLTO.cmake").read_text()
    assert (project / base_snapshot.SNAPSHOT_FILE).is_file()  # the next update has a base


def test_the_base_snapshot_is_deterministic(tmp_path: Path) -> None:
    first = make(tmp_path / "a")
    second = make(tmp_path / "b")
    snapshot = base_snapshot.SNAPSHOT_FILE
    assert (first / snapshot).read_bytes() == (second / snapshot).read_bytes()
    with Tree(first) as tree:
        files = base_snapshot.read_snapshot(tree, read_record(first).files)
    assert files == {name: (first / name).read_bytes() for name in read_record(first).files}


def git(cwd: Path, *args: str) -> str:
    config = ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    return subprocess.run(["git", *config, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def org_template(tmp_path: Path) -> Path:
    from perfproj.templates import source as render

    return render.stage_builtin_template(tmp_path / "org-template", with_hooks=True)


def test_update_follows_a_template_directory(tmp_path: Path) -> None:
    template = org_template(tmp_path)
    env = {"HOME": str(tmp_path / "home")}
    result = run_perfproj("new", "svc", "--no-input", "--no-git", "--template", template, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "svc"
    assert read_record(project).template.source == str(template.resolve())
    org_rules = "Org rules for {{ cookiecutter.project_name }}\n"
    (template / "{{cookiecutter.project_name}}" / "ORG.md").write_text(org_rules)

    result = run_perfproj("update", "--check", cwd=project, env=env)
    assert result.returncode == 1 and "added       ORG.md" in result.stdout
    result = run_perfproj("update", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert (project / "ORG.md").read_text() == "Org rules for svc\n"


def test_update_follows_a_git_template_and_its_branch(tmp_path: Path) -> None:
    template = org_template(tmp_path)
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v1")
    git(template, "branch", "stable")
    url = f"file://{template}"
    env = {"HOME": str(tmp_path / "home")}
    result = run_perfproj("new", "svc", "--no-input", "--no-git", "--template", url, "--checkout", "stable",
                          cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "svc"
    first = read_record(project).template
    assert (first.source, first.checkout) == (url, "stable")
    assert first.revision == git(template, "rev-parse", "HEAD").strip()

    git(template, "checkout", "-q", "stable")
    (template / "{{cookiecutter.project_name}}" / "ORG.md").write_text("v2\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v2")
    result = run_perfproj("update", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert (project / "ORG.md").read_text() == "v2\n"
    assert read_record(project).template.revision == git(template, "rev-parse", "HEAD").strip()


def test_update_help_and_a_missing_record(tmp_path: Path) -> None:
    assert "--dry-run" in run_perfproj("update", "--help", cwd=tmp_path).stdout
    result = run_perfproj("update", tmp_path, cwd=tmp_path)
    assert result.returncode == 1 and "not made by perfproj" in result.stderr
    assert RECORD_FILE not in {p.name for p in tmp_path.iterdir()}


def test_an_adopted_repository_gets_only_perfproj_files_updated(tmp_path: Path, newer_data) -> None:
    repo = tmp_path / "legacy"
    repo.mkdir()
    (repo / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.25)\nproject(legacy CXX)\n")
    result = run_perfproj("adopt", repo, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert read_record(repo).mode == "adopt"
    edit(repo / "cmake/perfproj/modules/PerfprojArch.cmake", "\n", "\n# my local tweak\n")
    others = {name: (repo / name).read_bytes() for name in ("CMakeLists.txt", "CMakePresets.json")}

    data = newer_data()
    edit(data / "cmake-modules/modules/PerfprojLTO.cmake", "\n", "\n# improved\n")
    (data / "cmake-modules/modules/PerfprojNew.cmake").write_text("# a new module\n")
    presets = json.loads((data / "presets/perfproj.json").read_text())
    presets["configurePresets"][0]["cacheVariables"]["PERFPROJ_NEW_OPTION"] = "ON"
    (data / "presets/perfproj.json").write_text(json.dumps(presets, indent=2) + "\n")

    code, out = run_update(repo)  # adopt keeps a base snapshot: the local tweak needs no merge
    assert code == 0, out
    assert "# improved" in (repo / "cmake/perfproj/modules/PerfprojLTO.cmake").read_text()
    assert (repo / "cmake/perfproj/modules/PerfprojNew.cmake").read_text() == "# a new module\n"
    assert "# my local tweak" in (repo / "cmake/perfproj/modules/PerfprojArch.cmake").read_text()
    owned = json.loads((repo / OWNED_PRESETS).read_text())
    assert owned["configurePresets"][0]["cacheVariables"]["PERFPROJ_NEW_OPTION"] == "ON"
    assert "CMAKE_PROJECT_TOP_LEVEL_INCLUDES" in owned["configurePresets"][0]["cacheVariables"]
    assert {name: (repo / name).read_bytes() for name in others} == others  # the repo's own files
    after = read_record(repo)
    assert after.mode == "adopt" and after.settings["modules_dir"] == "cmake/perfproj"
    assert "cmake/perfproj/modules/PerfprojNew.cmake" in after.files


def _as_made_by_the_old_layout(project: Path) -> None:
    """Rewrite a fresh project as perfproj 0.1 generated it: modules, scripts and runtime files at their old
    paths, in the files, the record and the base snapshot alike."""
    from perfproj.project.layout import MOVES

    record_path = project / RECORD_FILE
    data = json.loads(record_path.read_text())
    snapshot = base_snapshot.parse_snapshot((project / base_snapshot.SNAPSHOT_FILE).read_bytes(), "snapshot")
    for old, new in MOVES.items():
        old_path, new_path = f"cmake/perfproj/{old}", f"cmake/perfproj/{new}"
        (project / old_path).parent.mkdir(parents=True, exist_ok=True)
        (project / new_path).rename(project / old_path)
        data["files"][old_path] = data["files"].pop(new_path)
        snapshot[old_path] = snapshot.pop(new_path)
    for folder in ("modules", "scripts", "runtime"):  # files 0.1 did not have yet
        for path in sorted((project / "cmake/perfproj" / folder).iterdir()):
            relative = path.relative_to(project).as_posix()
            path.unlink()
            data["files"].pop(relative)
            snapshot.pop(relative)
        (project / "cmake/perfproj" / folder).rmdir()
    data["perfproj_version"] = "0.1.0"
    record_path.write_text(json.dumps(data))
    (project / base_snapshot.SNAPSHOT_FILE).write_bytes(base_snapshot.snapshot_bytes(snapshot))


def test_update_moves_an_old_layout_and_carries_local_edits_along(tmp_path: Path) -> None:
    project = make(tmp_path)
    _as_made_by_the_old_layout(project)
    edit(project / "cmake/perfproj/PerfprojArch.cmake", "\n", "\n# my local tweak\n")  # an edit to move along
    (project / "cmake/perfproj/support/profile.cmake").unlink()  # deleted by the user: stays deleted

    code, out = run_update(project)

    assert code == 0, out
    assert "moved       cmake/perfproj/PerfprojLTO.cmake  (to cmake/perfproj/modules/PerfprojLTO.cmake)" in out
    assert "# my local tweak" in (project / "cmake/perfproj/modules/PerfprojArch.cmake").read_text()
    assert "your edits to cmake/perfproj/PerfprojArch.cmake merged in" in out
    assert not (project / "cmake/perfproj/PerfprojArch.cmake").exists()
    assert not (project / "cmake/perfproj/support").exists()  # every old copy gone, the folder too
    assert not (project / "cmake/perfproj/scripts/profile.cmake").exists()  # the user's deletion kept
    for new in ("modules/PerfprojLTO.cmake", "scripts/pgo.cmake", "runtime/perfproj_cpu_guard.c"):
        assert (project / "cmake/perfproj" / new).is_file(), new
    after = read_record(project)
    assert "cmake/perfproj/modules/PerfprojLTO.cmake" in after.files and "cmake/perfproj/pgo.cmake" not in after.files
    assert run_update(project, check=True)[0] == 0  # and nothing left to do
