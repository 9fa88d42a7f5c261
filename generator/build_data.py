"""setuptools build step: ship template/, presets/ and cmake-modules/ in the wheel.

They live at the top of the repository (one source of truth) and are copied
into perfproj/_data when the package is built, hidden files included, which
package-data globs would miss.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

DATA_DIRS = ("template", "presets", "cmake-modules")
ROOT = Path(__file__).resolve().parent.parent


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "perfproj" / "_data"
        if target.exists():
            shutil.rmtree(target)
        for name in DATA_DIRS:
            shutil.copytree(
                ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
