"""Where the template, the presets and the CMake modules are.

An installed perfproj carries them as package data under perfproj/_data (see
generator/build_data.py); a source checkout uses the top-level folders.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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


def load_module(path: Path, module_name: str) -> ModuleType:
    """Import a Python file perfproj ships as data (a template hook, a script of cmake-modules/)."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PerfprojError(f"perfproj is installed incompletely: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while it loads
    # No __pycache__ next to data files: the template would copy it around.
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    finally:
        sys.dont_write_bytecode = saved
    return module
