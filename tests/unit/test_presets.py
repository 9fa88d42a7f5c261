"""The presets perfproj ships: complete, consistent, and only setting declared options."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from helpers.cli import generate
from helpers.paths import MODULES, PRESETS

PRESET_FILES = sorted(PRESETS.glob("*.json"))


def load_all() -> dict[str, list[dict]]:
    merged: dict[str, list[dict]] = {}
    for path in PRESET_FILES:
        data = json.loads(path.read_text())
        for kind in ("configurePresets", "buildPresets", "testPresets", "workflowPresets"):
            merged.setdefault(kind, []).extend(data.get(kind, []))
    return merged


def declared_options() -> set[str]:
    text = "\n".join(path.read_text() for path in MODULES.rglob("*.cmake"))
    return set(re.findall(r"perfproj_option\(\s*(PERFPROJ_\w+)", text))


def test_every_visible_configure_preset_has_a_build_and_a_workflow_preset() -> None:
    presets = load_all()
    visible = {p["name"] for p in presets["configurePresets"] if not p.get("hidden")}
    assert {"dev", "release", "release-v3", "release-native", "asan", "tsan", "ubsan", "msan",
            "profile", "coverage", "lint"} <= visible
    for kind in ("buildPresets", "workflowPresets"):
        names = {p["name"] for p in presets[kind] if not p.get("hidden")}
        assert visible <= names, f"{kind} lacks {visible - names}"


def test_workflows_configure_once_then_use_existing_presets_of_the_same_configure() -> None:
    presets = load_all()
    by_kind = {kind: {p["name"]: p for p in presets[kind]} for kind in ("buildPresets", "testPresets")}
    for workflow in presets["workflowPresets"]:
        steps = workflow["steps"]
        assert steps[0] == {"type": "configure", "name": workflow["name"]}
        for step in steps[1:]:
            preset = by_kind[f"{step['type']}Presets"][step["name"]]
            assert preset["configurePreset"] == workflow["name"], (workflow["name"], step)
        has_tests = any(step["type"] == "test" for step in steps)
        # lint checks the code; build-profile times the build (a test run would not change the report)
        assert has_tests or workflow["name"] in ("lint", "ci-lint", "build-profile"), workflow["name"]


def test_presets_set_only_options_the_modules_declare() -> None:
    declared = declared_options()
    for preset in load_all()["configurePresets"]:
        for variable in preset.get("cacheVariables", {}):
            if variable.startswith("PERFPROJ_"):
                assert variable in declared, f"{preset['name']} sets undeclared {variable}"


def test_presets_never_write_compiler_flags() -> None:
    # Presets compose through PERFPROJ_* options; flags in presets would
    # override the user's CXXFLAGS and each other.
    for preset in load_all()["configurePresets"]:
        for variable in preset.get("cacheVariables", {}):
            assert not re.match(r"CMAKE_\w*_FLAGS", variable), (preset["name"], variable)


def test_cmake_accepts_the_generated_presets(tmp_path: Path) -> None:
    project = generate(tmp_path, "presets")
    for kind in ("configure", "build", "test", "workflow"):
        listed = subprocess.run(
            ["cmake", "--list-presets", kind] if kind != "workflow" else ["cmake", "--workflow", "--list-presets"],
            cwd=project, capture_output=True, text=True,
        )
        assert listed.returncode == 0, listed.stderr
        assert '"release"' in listed.stdout and '"dev"' in listed.stdout


def test_docs_list_every_option() -> None:
    table = (PRESETS.parent / "docs/presets.md").read_text()
    listed = set(re.findall(r"^\| `(PERFPROJ_\w+)` \|", table, re.MULTILINE))
    assert listed == declared_options(), (declared_options() - listed, listed - declared_options())
