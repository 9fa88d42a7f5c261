"""pytest configuration: helpers on sys.path and fixtures for generated projects."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generator"))

from helpers.build import Project, build_env  # noqa: E402
from helpers.cli import generate  # noqa: E402


@pytest.fixture
def make_project(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Project]:
    """make_project(toolchain="gcc", name="demo", *new_args) -> Project."""
    cache_base = tmp_path_factory.getbasetemp()

    def make(toolchain: str = "gcc", name: str = "demo", *args: str) -> Project:
        path = generate(tmp_path, name, *args)
        return Project(path, build_env(toolchain, cache_base))

    return make


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """`perfproj new` reads the perfproj and cookiecutter user configs: keep the tester's own out."""
    config_home = tmp_path_factory.mktemp("user-config")
    cookiecutter_config = config_home / "cookiecutterrc"
    cookiecutter_config.write_text("default_context: {}\n")  # valid for cookiecutter itself too
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(cookiecutter_config))
    monkeypatch.delenv("PERFPROJ_CONFIG", raising=False)
