"""The presets merge: key by key and preset by preset, always valid JSON, the user's value wins a conflict."""

from __future__ import annotations

import json

from perfproj.project.json_merge import dump, is_presets_file, merge_documents, merge_values
from perfproj.project.merge3 import merge_text

BASE = {"version": 6, "include": ["a.json"],
        "configurePresets": [{"name": "release", "cacheVariables": {"A": "1"}}]}


def test_compatible_edits_to_the_same_preset_and_list_combine() -> None:
    ours = {"version": 6, "include": ["a.json", "mine.json"],
            "configurePresets": [{"name": "release", "cacheVariables": {"A": "1", "CMAKE_CXX_FLAGS": "-fno-plt"}},
                                 {"name": "my-asan"}]}
    theirs = {"version": 6, "include": ["a.json", "b.json"],
              "configurePresets": [{"name": "release", "cacheVariables": {"A": "1", "ALLOC": "mimalloc"}},
                                   {"name": "release-native"}]}
    merged = merge_values(BASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.value["include"] == ["a.json", "mine.json", "b.json"]
    assert merged.value["configurePresets"] == [
        {"name": "release", "cacheVariables": {"A": "1", "CMAKE_CXX_FLAGS": "-fno-plt", "ALLOC": "mimalloc"}},
        {"name": "my-asan"}, {"name": "release-native"}]


def test_a_true_conflict_keeps_the_users_value_and_names_it() -> None:
    ours = {**BASE, "configurePresets": [{"name": "release", "cacheVariables": {"A": "mine"}}]}
    theirs = {**BASE, "configurePresets": [{"name": "release", "cacheVariables": {"A": "new", "B": "1"}}]}
    merged = merge_values(BASE, ours, theirs)
    assert merged.conflicts == ["/configurePresets[release]/cacheVariables/A"]
    assert merged.value["configurePresets"][0]["cacheVariables"] == {"A": "mine", "B": "1"}


def test_removals_on_one_side_apply_and_a_user_deletion_survives_a_template_change() -> None:
    theirs = {**BASE, "include": []}  # the template dropped an include the user kept as it was
    assert merge_values(BASE, BASE, theirs).value["include"] == []
    ours = {"version": 6, "include": ["a.json"], "configurePresets": []}  # the user deleted release
    theirs = {**BASE, "configurePresets": [{"name": "release", "cacheVariables": {"A": "2"}}]}
    merged = merge_values(BASE, ours, theirs)
    assert merged.value["configurePresets"] == [] and merged.conflicts == ["/configurePresets[release]"]


def test_documents_invalid_json_falls_back_and_output_parses() -> None:
    assert merge_documents(b"{}", b"{ not json", b"{}") is None
    merged = merge_documents(None, json.dumps(BASE).encode(), json.dumps({**BASE, "version": 7}).encode())
    assert merged is not None and json.loads(dump(merged.value))["include"] == ["a.json"]


def test_which_files_are_presets() -> None:
    assert is_presets_file("CMakePresets.json") and is_presets_file("CMakeUserPresets.json")
    assert is_presets_file("cmake/perfproj/presets/perfproj.json")
    assert not is_presets_file("compile_commands.json") and not is_presets_file("vcpkg.json")


def test_text_merge_marks_overlaps_and_combines_the_rest() -> None:
    base = b"one\ntwo\nthree\nfour\nfive\n"
    clean = merge_text(base, b"ONE\ntwo\nthree\nfour\nfive\n", b"one\ntwo\nthree\nfour\nFIVE\n", ("y", "b", "t"))
    assert clean.conflicts == 0 and clean.content == b"ONE\ntwo\nthree\nfour\nFIVE\n"
    clash = merge_text(base, b"one\nmine\nthree\nfour\nfive\n", b"one\ntheirs\nthree\nfour\nfive\n", ("y", "b", "t"))
    assert clash.conflicts == 1
    assert b"<<<<<<< y\nmine\n||||||| b\ntwo\n=======\ntheirs\n>>>>>>> t\n" in clash.content
    binary = merge_text(b"\0a", b"\0b", b"\0c", ("y", "b", "t"))
    assert binary.conflicts == 1 and binary.content == b"\0b"
