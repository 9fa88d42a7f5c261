"""An installed (not editable) perfproj works from any directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers.build import Project, build_env
from helpers.paths import REPO


def test_wheel_install_generates_a_project_that_builds(tmp_path: Path, tmp_path_factory) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(dist), str(REPO)],
        check=True, cwd=tmp_path, capture_output=True,
    )
    wheel = next(dist.glob("perfproj-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run([str(venv / "bin/pip"), "install", "--quiet", "--no-index", str(wheel)], check=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(venv / "bin/perfproj"), "new", "wheeled", "--no-input"], cwd=elsewhere,
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    project = Project(elsewhere / "wheeled", build_env("gcc", tmp_path_factory.getbasetemp()))
    # The package data was complete: modules, presets and dotfiles all arrived.
    for relative in ("cmake/perfproj/Perfproj.cmake", "cmake/perfproj/presets/perfproj.json",
                     ".clang-format", ".github/workflows/ci.yml", ".gitignore"):
        assert (project.path / relative).is_file(), relative
    project.workflow("dev")
