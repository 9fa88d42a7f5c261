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


def perfproj_on_path(folder: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment whose PATH has a `perfproj` command running this checkout, as the
    installed command would (for commands that perfproj or its docs print)."""
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "perfproj"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m perfproj \"$@\"\n")
    shim.chmod(0o755)
    merged = perfproj_env(env)
    merged["PATH"] = f"{folder}{os.pathsep}{merged.get('PATH', '')}"
    return merged


def run_perfproj(
    *args: str | Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: int = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfproj", *map(str, args)],
        cwd=cwd,
        env=perfproj_env(env),
        input=input,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
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


def one_line_error(result: subprocess.CompletedProcess[str], code: int, needle: str) -> None:
    """The command failed with `code` and said why in exactly one line containing `needle`."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("perfproj") and "error:" in lines[0] and needle in lines[0], lines[0]


def private_tmp(tmp_path: Path) -> dict[str, str]:
    """A TMPDIR of the test's own, so leftovers of perfproj's scratch folders can be seen."""
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    return {"TMPDIR": str(tmp)}


def scratch_left(env: Mapping[str, str]) -> list[str]:
    """perfproj's scratch folders still in the test's TMPDIR."""
    return sorted(path.name for path in Path(env["TMPDIR"]).iterdir() if path.name.startswith("perfproj-"))


def git_commit_all(path: Path, message: str = "commit") -> None:
    config = ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    if not (path / ".git").exists():
        subprocess.run(["git", *config, "init", "-q"], cwd=path, check=True)
    subprocess.run(["git", *config, "add", "-A"], cwd=path, check=True)
    subprocess.run(["git", *config, "commit", "-q", "-m", message], cwd=path, check=True)


def their_repository(root: Path, files: Mapping[str, str]) -> Path:
    """A repository someone else wrote, to adopt: `files` (path -> text) committed in git at `root`."""
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    git_commit_all(root, "theirs")
    return root
