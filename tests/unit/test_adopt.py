"""`perfproj adopt`: existing presets kept, names never collide, errors write nothing, reruns are no-ops."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from helpers.cli import run_perfproj
from helpers.cli import tree_snapshot as _snapshot
from helpers.paths import MODULES, PRESETS
from perfproj.project import presets_file
from perfproj.project.record import RECORD_FILE, read_record_at as read_record

CMAKELISTS = "cmake_minimum_required(VERSION 3.14)\nproject(thing CXX)\nadd_library(thing thing.cpp)\n"

# A repository's own presets in an unusual but valid layout (tabs, compact
# arrays, keys in their own order): adopt must keep every byte of it.
THEIR_PRESETS = """{
\t"version": 6,
\t"configurePresets": [
\t\t{"name": "release", "binaryDir": "out/rel", "cacheVariables": {"CMAKE_BUILD_TYPE": "Release"}},
\t\t{"name": "asan", "inherits": ["release"], "cacheVariables": {"CMAKE_CXX_FLAGS": "-fsanitize=address"}}
\t],
\t"buildPresets": [{"name": "release", "configurePreset": "release"}]
}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL)


def make_repo(root: Path, presets: str | None = None, user_presets: str | None = None) -> Path:
    repo = root / "repo"
    repo.mkdir(parents=True)
    (repo / "CMakeLists.txt").write_text(CMAKELISTS)
    (repo / "thing.cpp").write_text("int thing() { return 1; }\n")
    if presets is not None:
        (repo / "CMakePresets.json").write_text(presets)
    if user_presets is not None:
        (repo / "CMakeUserPresets.json").write_text(user_presets)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "theirs")
    return repo


def tree_snapshot(repo: Path) -> dict[str, bytes]:
    """The work tree (git's own files change on a mere `git status`)."""
    return {path: data for path, data in _snapshot(repo).items() if not path.startswith(".git/")}


def adopt(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_perfproj("adopt", repo, *args, cwd=repo.parent)


def _perfproj_names(repo: Path, modules_dir: str = "cmake/perfproj") -> dict[str, set[str]]:
    return presets_file.names(json.loads((repo / modules_dir / "presets/perfproj.json").read_text()))


def test_existing_presets_stay_byte_for_byte_and_names_get_a_prefix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, THEIR_PRESETS)
    result = adopt(repo)
    assert result.returncode == 0, result.stderr
    assert "prefixed 'perfproj-'" in result.stdout

    new_text = (repo / "CMakePresets.json").read_text()
    include = '"include": ["cmake/perfproj/presets/perfproj.json"],\n\t'
    assert new_text.replace(include, "", 1) == THEIR_PRESETS  # one insertion, nothing else touched
    old, new = json.loads(THEIR_PRESETS), json.loads(new_text)
    assert new.pop("include") == ["cmake/perfproj/presets/perfproj.json"]
    assert list(new.items()) == list(old.items())

    ours = _perfproj_names(repo)
    theirs = presets_file.names(old)
    for kind in presets_file.KINDS:
        assert not ours[kind] & theirs[kind]
        assert all(name.startswith("perfproj-") for name in ours[kind])
    assert "perfproj-release" in ours["configurePresets"] and "perfproj-asan" in ours["workflowPresets"]


def test_prefixing_renames_every_reference_consistently() -> None:
    source = json.loads((PRESETS / "perfproj.json").read_text())
    renamed = presets_file.prefixed(source, "pp-")
    configure = presets_file.names(renamed)["configurePresets"]
    build, test = presets_file.names(renamed)["buildPresets"], presets_file.names(renamed)["testPresets"]
    for preset in renamed["configurePresets"] + renamed["testPresets"]:
        inherits = preset.get("inherits", [])
        for parent in [inherits] if isinstance(inherits, str) else inherits:
            assert parent.startswith("pp-")
    referring = [p for p in renamed["buildPresets"] + renamed["testPresets"] if "configurePreset" in p]
    assert len(referring) > 10
    for preset in referring:
        assert preset["configurePreset"] in configure
    step_names = {"configure": configure, "build": build, "test": test}
    for workflow in renamed["workflowPresets"]:
        for step in workflow["steps"]:
            assert step["name"] in step_names[step["type"]]
    # the same presets apart from the names: counts per kind unchanged
    for kind in presets_file.KINDS:
        assert len(renamed.get(kind, [])) == len(source.get(kind, []))


def test_no_collision_means_no_prefix_and_a_new_presets_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    result = adopt(repo)
    assert result.returncode == 0, result.stderr
    created = json.loads((repo / "CMakePresets.json").read_text())
    assert created["include"] == ["cmake/perfproj/presets/perfproj.json"] and created["version"] == 6
    assert "release" in _perfproj_names(repo)["configurePresets"]
    presets = json.loads((repo / "cmake/perfproj/presets/perfproj.json").read_text())
    base = next(p for p in presets["configurePresets"] if p["name"] == "perfproj-base")
    assert base["cacheVariables"]["CMAKE_PROJECT_TOP_LEVEL_INCLUDES"] == (
        "${sourceDir}/cmake/perfproj/PerfprojTopLevel.cmake"
    )
    # the modules are a copy of the single source of truth
    for module in (path for path in MODULES.rglob("*") if path.is_file()):
        relative = module.relative_to(MODULES)
        assert (repo / "cmake/perfproj" / relative).read_bytes() == module.read_bytes(), relative
    assert (repo / "CMakeLists.txt").read_text() == CMAKELISTS


def test_old_schema_is_left_untouched_and_the_include_goes_to_user_presets(tmp_path: Path) -> None:
    old = '{\n  "version": 3,\n  "configurePresets": [{"name": "dev", "binaryDir": "b"}]\n}\n'
    repo = make_repo(tmp_path, old)
    result = adopt(repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "CMakePresets.json").read_text() == old
    user = json.loads((repo / "CMakeUserPresets.json").read_text())
    assert user["version"] >= 4 and user["include"] == ["cmake/perfproj/presets/perfproj.json"]
    assert "CMakeUserPresets.json" in result.stdout and "schema 3" in result.stdout
    assert "perfproj-dev" in _perfproj_names(repo)["configurePresets"]  # 'dev' collided
    assert read_record(repo).settings["presets_file"] == "CMakeUserPresets.json"

    forced = make_repo(tmp_path / "f", old)
    refused = adopt(forced, "--presets-file", "CMakePresets.json")
    assert refused.returncode == 2 and "no \"include\"" in refused.stderr
    assert not (forced / "cmake").exists()


def test_existing_include_list_gets_one_more_entry(tmp_path: Path) -> None:
    theirs = '{"version": 6, "include": [\n    "more.json"\n  ], "configurePresets": []}\n'
    repo = make_repo(tmp_path, theirs)
    (repo / "more.json").write_text('{"version": 6, "configurePresets": [{"name": "lint", "hidden": true}]}\n')
    _git(repo, "add", "more.json")
    _git(repo, "commit", "-q", "-m", "more")
    assert adopt(repo).returncode == 0
    text = (repo / "CMakePresets.json").read_text()
    assert text == theirs.replace('"more.json"', '"more.json",\n    "cmake/perfproj/presets/perfproj.json"')
    assert "perfproj-lint" in _perfproj_names(repo)["configurePresets"]  # names in included files count


def test_unscannable_text_is_rewritten_semantically_identical(tmp_path: Path) -> None:
    path = tmp_path / "CMakePresets.json"
    path.write_text('{"version": 6, "configurePresets": [], "version": 6}')  # duplicate key: the scan refuses
    loaded = presets_file.load(path)
    new = json.loads(presets_file.with_include(loaded, "x.json"))
    assert new.pop("include") == ["x.json"] and new == loaded.data


# Files CMake 3.25 reads (checked below with `cmake --list-presets`) that Python's json refuses.
CMAKE_READS = {
    "crlf": '{\r\n  "version": 6,\r\n  "configurePresets": [\r\n    {"name": "mine", "binaryDir": "b"}\r\n  ]\r\n}\r\n',
    "bom": '\ufeff{\n  "version": 6,\n  "configurePresets": [{"name": "mine", "binaryDir": "b"}]\n}\n',
    "comments": '{\n  // our presets\n  "version": 6, // schema 6 is CMake 3.25\n'
                '  "configurePresets": [{"name": "mine", "binaryDir": "b"}] /* one */\n}\n',
    "all-at-once": '\ufeff{\r\n  // ours\r\n  "version": 6, /* schema */\r\n'
                   '  "configurePresets": [{"name": "mine", "binaryDir": "b"}]\r\n}\r\n',
}


@pytest.mark.parametrize("case", sorted(CMAKE_READS))
def test_presets_cmake_reads_are_adopted_with_their_bytes_kept(tmp_path: Path, case: str) -> None:
    theirs = CMAKE_READS[case].encode("utf-8")
    repo = make_repo(tmp_path)
    (repo / "CMakePresets.json").write_bytes(theirs)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", case)
    result = adopt(repo)
    assert result.returncode == 0, result.stderr
    after = (repo / "CMakePresets.json").read_bytes()
    include = b'"cmake/perfproj/presets/perfproj.json"'
    assert after.count(include) == 1
    # Every old byte is still there, in order: the include is the only insertion.
    start = after.index(b'"include"')
    end = after.index(b"],", start) + 2
    newline = b"\r\n" if b"\r\n" in theirs else b"\n"
    rest = after[:start] + after[end:]
    assert rest.replace(newline + b"  " + newline, newline) == theirs
    assert (b"\r\n" in after) == (b"\r\n" in theirs) and after.startswith(b"\xef\xbb\xbf") == (case in (
        "bom", "all-at-once"))
    listed = subprocess.run(["cmake", "--list-presets"], cwd=repo, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert '"mine"' in listed.stdout and '"release"' in listed.stdout


@pytest.mark.parametrize("case", ["invalid-json", "not-cmake", "dirty", "foreign-modules", "made-by-new"])
def test_errors_are_one_line_exit_1_and_write_nothing(tmp_path: Path, case: str) -> None:
    repo = make_repo(tmp_path, '{"version": 6, "configurePresets": [}' if case == "invalid-json" else None)
    if case == "not-cmake":
        (repo / "CMakeLists.txt").write_text("# project(x) only in a comment\nadd_subdirectory(src)\n")
    elif case == "dirty":
        (repo / "thing.cpp").write_text("int thing() { return 2; }\n")
    elif case == "foreign-modules":
        (repo / "cmake/perfproj").mkdir(parents=True)
        (repo / "cmake/perfproj/Mine.cmake").write_text("# theirs\n")
    elif case == "made-by-new":
        (repo / RECORD_FILE).write_text(json.dumps(
            {"perfproj_version": "0", "template": {"source": "builtin", "revision": "0"},
             "answers": {"project_name": "thing"}}))
    before = tree_snapshot(repo)
    result = adopt(repo)
    assert result.returncode == 1, result.stdout
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("perfproj: error: ")
    expected = {"invalid-json": "not valid JSON", "not-cmake": "not a CMake project", "dirty": "--allow-dirty",
                "foreign-modules": "not from perfproj", "made-by-new": "perfproj update"}[case]
    assert expected in result.stderr
    assert tree_snapshot(repo) == before


def test_allow_dirty_adopts_a_dirty_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "thing.cpp").write_text("int thing() { return 2; }\n")
    assert adopt(repo, "--allow-dirty").returncode == 0
    assert (repo / "thing.cpp").read_text() == "int thing() { return 2; }\n"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    for args in (["--modules-dir", "../outside"], ["--preset-prefix", "bad name"], ["--bogus"]):
        result = adopt(repo, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1
    assert not (repo / "cmake").exists()


def test_second_run_changes_nothing_and_says_so(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, THEIR_PRESETS)
    assert adopt(repo).returncode == 0
    first = tree_snapshot(repo)
    again = adopt(repo)
    assert again.returncode == 0 and "Nothing to change" in again.stdout
    assert tree_snapshot(repo) == first


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, THEIR_PRESETS)
    before = tree_snapshot(repo)
    result = adopt(repo, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert tree_snapshot(repo) == before
    out = result.stdout
    assert "--- a/CMakePresets.json\n+++ b/CMakePresets.json\n" in out
    assert '+\t"include": ["cmake/perfproj/presets/perfproj.json"],\n' in out
    assert "--- /dev/null\n+++ b/cmake/perfproj/Perfproj.cmake\n" in out
    assert "+++ b/.perfproj.json\n" in out and "nothing written" in out
    # and what it shows is what a real run writes
    assert adopt(repo).returncode == 0
    assert '"include": ["cmake/perfproj/presets/perfproj.json"]' in (repo / "CMakePresets.json").read_text()


def test_record_lists_only_perfproj_files_and_custom_modules_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert adopt(repo, "--modules-dir", "tools/cmake/pp").returncode == 0
    record = read_record(repo)
    assert record.mode == "adopt"
    assert record.settings == {"modules_dir": "tools/cmake/pp", "preset_prefix": "",
                               "presets_file": "CMakePresets.json"}
    assert all(path.startswith("tools/cmake/pp/") for path in record.files)
    assert "tools/cmake/pp/presets/perfproj.json" in record.files
    assert json.loads((repo / "CMakePresets.json").read_text())["include"] == ["tools/cmake/pp/presets/perfproj.json"]
    moved = adopt(repo, "--modules-dir", "cmake/perfproj")
    assert moved.returncode == 2 and "already adopted into tools/cmake/pp" in moved.stderr


def test_an_edited_module_is_never_overwritten(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert adopt(repo).returncode == 0
    record = json.loads((repo / RECORD_FILE).read_text())
    record["perfproj_version"] = "0.0.1"  # as if adopted by an older perfproj ...
    (repo / RECORD_FILE).write_text(json.dumps(record))
    module = repo / "cmake/perfproj/modules/PerfprojLTO.cmake"
    module.write_text(module.read_text() + "# my tweak\n")  # ... and then edited
    result = adopt(repo)
    assert result.returncode == 1 and "PerfprojLTO.cmake" in result.stderr
    assert module.read_text().endswith("# my tweak\n")


@pytest.mark.parametrize(("theirs", "target"), [
    ('{"version": 5, "configurePresets": []}\n', "CMakeUserPresets.json"),  # read by CMake 3.24
    ('{"version": 4, "cmakeMinimumRequired": {"major": 3, "minor": 25}, "configurePresets": []}\n',
     "CMakePresets.json"),  # already needs 3.25: including perfproj's file raises nothing
])
def test_the_include_never_raises_the_cmake_the_shared_presets_need(tmp_path: Path, theirs: str,
                                                                    target: str) -> None:
    repo = make_repo(tmp_path, theirs)
    assert adopt(repo).returncode == 0
    assert read_record(repo).settings["presets_file"] == target
    assert ((repo / "CMakePresets.json").read_text() == theirs) == (target == "CMakeUserPresets.json")
    included = json.loads((repo / target).read_text())["include"]
    assert included == ["cmake/perfproj/presets/perfproj.json"]


def test_records_without_the_adopt_fields_still_read_as_new(tmp_path: Path) -> None:
    (tmp_path / RECORD_FILE).write_text(json.dumps(
        {"perfproj_version": "0.1.0", "template": {"source": "builtin", "revision": "0.1.0"},
         "answers": {"project_name": "x"}, "files": {}}))
    old = read_record(tmp_path)
    assert old.mode == "new" and old.settings == {}
