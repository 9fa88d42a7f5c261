"""The template renders the same with plain cookiecutter as with perfproj."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import generate, tree_snapshot
from perfproj.templates import source as render
from perfproj.project.base_snapshot import SNAPSHOT_FILE
from perfproj.project.record import RECORD_FILE


def cookiecutter(template: Path, output: Path, *answers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output), str(template), *answers],
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("kind", ["app+lib", "app", "lib"])
def test_plain_cookiecutter_makes_the_same_project(tmp_path: Path, kind: str) -> None:
    template = render.stage_builtin_template(tmp_path / "template", with_hooks=True)
    plain = cookiecutter(template, tmp_path / "plain", "project_name=same", f"kind={kind}")
    assert plain.returncode == 0, plain.stderr
    (tmp_path / "ours").mkdir()
    ours = generate(tmp_path / "ours", "same", "--kind", kind)
    expected = tree_snapshot(ours)
    del expected[RECORD_FILE]
    del expected[SNAPSHOT_FILE]  # perfproj's bookkeeping: the generation record and the update base
    assert tree_snapshot(tmp_path / "plain" / "same") == expected


def test_plain_cookiecutter_rejects_bad_names_too(tmp_path: Path) -> None:
    template = render.stage_builtin_template(tmp_path / "template", with_hooks=True)
    result = cookiecutter(template, tmp_path / "out", "project_name=1bad")
    assert result.returncode != 0
    assert "starts with a digit" in result.stderr + result.stdout
    assert not (tmp_path / "out" / "1bad").exists()


def test_rendered_files_hold_no_template_syntax(tmp_path: Path) -> None:
    project = generate(tmp_path, "tidy")
    for relative, content in tree_snapshot(project).items():
        if relative == SNAPSHOT_FILE:  # compressed copy of the files checked here
            continue
        text = content.decode()
        assert "cookiecutter" not in text, relative
        if not relative.startswith(".github/"):  # GitHub Actions' own ${{ }} is expected there
            assert "{{" not in text and "{%" not in text, relative


def test_workflows_keep_github_expressions(tmp_path: Path) -> None:
    ci = (generate(tmp_path, "gha") / ".github/workflows/ci.yml").read_text()
    assert "${{ matrix.preset }}" in ci


def _indentation(text: str) -> list[int]:
    return [len(line) - len(line.lstrip(" ")) for line in text.splitlines()]


def test_generated_files_look_hand_written_for_any_name_length(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "l").mkdir()
    short = generate(tmp_path / "s", "qz")
    long_name = "a-much-longer_project-name-than-usual"
    long = generate(tmp_path / "l", long_name)
    for relative, content in tree_snapshot(short).items():
        if relative == SNAPSHOT_FILE or b"\0" in content:
            continue
        text = content.decode()
        trailing = [number for number, line in enumerate(text.splitlines(), 1) if line != line.rstrip()]
        assert not trailing, f"{relative}: trailing whitespace on lines {trailing}"
        other = (long / relative.replace("/qz/", f"/{long_name}/")).read_text()
        if relative.endswith(("CMakeLists.txt", ".cmake", ".cmake.in")):
            # Continuation lines are indented, never aligned to the name: same shape for both names.
            assert _indentation(text) == _indentation(other), relative
