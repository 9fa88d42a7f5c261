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
