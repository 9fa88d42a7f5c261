"""The few git operations perfproj needs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Mapping

from perfproj.errors import PerfprojError


def require_git() -> None:
    if shutil.which("git") is None:
        raise PerfprojError("git is not installed; install it (Debian: apt-get install git) or pass --no-git")


def run_git(args: list[str], cwd: Path, config: Mapping[str, str] | None = None) -> str:
    """Run `git [-c key=value]... args` in `cwd`; raise PerfprojError with git's last message."""
    options = [item for key, value in (config or {}).items() for item in ("-c", f"{key}={value}")]
    result = subprocess.run(
        ["git", *options, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise PerfprojError(f"git {args[0]} failed: {lines[-1] if lines else result.returncode}")
    return result.stdout


def _configured(key: str, cwd: Path) -> bool:
    result = subprocess.run(
        ["git", "config", "--get", key], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return result.returncode == 0


def init_and_commit(project_dir: Path, message: str) -> None:
    """git init + add + first commit, without the user's hooks or a signing prompt."""
    fallbacks = {
        "init.defaultBranch": "main",
        "user.name": "perfproj",
        "user.email": "perfproj@localhost",
    }
    config = {key: value for key, value in fallbacks.items() if not _configured(key, project_dir)}
    config["commit.gpgsign"] = "false"
    run_git(["init", "-q"], project_dir, config)
    run_git(["add", "-A"], project_dir)
    run_git(["commit", "-q", "--no-verify", "-m", message], project_dir, config)
