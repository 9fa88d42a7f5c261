"""Running the perfproj CLI from the source tree, as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping

from helpers.paths import GENERATOR


def perfproj_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(GENERATOR) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def run_perfproj(
    *args: str | Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfproj", *map(str, args)],
        cwd=cwd,
        env=perfproj_env(env),
        input=input,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


def generate(output_dir: Path, name: str = "demo", *args: str) -> Path:
    """`perfproj new NAME --no-input --no-git ARGS...`; returns the project path."""
    result = run_perfproj("new", name, "--no-input", "--no-git", "-o", output_dir, *args, cwd=output_dir)
    assert result.returncode == 0, result.stderr
    return output_dir / name


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file below `root` with its content (to prove nothing changed)."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
