"""Where the template, the presets and the CMake modules are.

An installed perfproj carries them as package data under perfproj/_data (see
generator/build_data.py); a source checkout uses the top-level folders.
"""

from __future__ import annotations

from pathlib import Path

from perfproj.errors import PerfprojError

DATA_DIRS = ("template", "presets", "cmake-modules")

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "template").is_dir():
        return bundled
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "template").is_dir():
        return checkout
    raise PerfprojError(f"perfproj is installed incompletely: no template data in {bundled}")


def data_dir(name: str) -> Path:
    if name not in DATA_DIRS:
        raise ValueError(f"unknown data directory {name!r}")
    return data_root() / name
