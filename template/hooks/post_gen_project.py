"""Removes the files that the chosen project kind does not use.

perfproj imports this file as a module too (generator/perfproj/rules.py), so
`perfproj new` and plain `cookiecutter` produce the same tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

# Paths (relative to the project) that each kind leaves out.
UNUSED_BY_KIND = {
    "app+lib": (),
    "app": ("cmake/package-config.cmake.in",),
    "lib": ("src/app",),
}


def prune(project_dir: Path, kind: str) -> None:
    for relative in UNUSED_BY_KIND[kind]:
        path = project_dir / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


if __name__ == "__main__":
    prune(Path.cwd(), "{{ cookiecutter.kind }}")
