"""Every git command perfproj runs, in one place.

perfproj needs git to commit a new project, to clone a template, to merge a
file three ways and to tell whether a work tree has uncommitted changes. All
of it goes through `run_git`, so every failure becomes one line naming git's
own last message.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from perfproj.errors import PerfprojError

# The user's hooks, signing and pagers have no place in perfproj's own commits.
_QUIET = {"commit.gpgsign": "false", "core.hooksPath": "/dev/null"}


def require_git() -> None:
    if shutil.which("git") is None:
        raise PerfprojError("git is not installed; install it (Debian: apt-get install git) or pass --no-git")


def _run(args: list[str], cwd: Path | None, config: Mapping[str, str] | None) -> subprocess.CompletedProcess[bytes]:
    options = [item for key, value in (config or {}).items() for item in ("-c", f"{key}={value}")]
    try:
        return subprocess.run(["git", *options, *args], cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError as error:
        raise PerfprojError("git is not installed; install it (Debian: apt-get install git)") from error


def _last_line(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"exit code {result.returncode}"


def run_git(args: list[str], cwd: Path | None, config: Mapping[str, str] | None = None) -> str:
    """Run `git [-c key=value]... args` in `cwd`; raise PerfprojError with git's last message."""
    result = _run(args, cwd, config)
    if result.returncode != 0:
        raise PerfprojError(f"git {args[0]} failed: {_last_line(result)}")
    return result.stdout.decode(errors="replace")


def _succeeds(args: list[str], cwd: Path) -> bool:
    return _run(args, cwd, None).returncode == 0


def is_work_tree(path: Path) -> bool:
    result = _run(["rev-parse", "--is-inside-work-tree"], path, None)
    return result.returncode == 0 and result.stdout.strip() == b"true"


def uncommitted_files(path: Path) -> list[str]:
    """Tracked files below `path` with uncommitted changes (staged or not); [] outside a work tree."""
    if not is_work_tree(path):
        return []
    output = run_git(["status", "--porcelain", "--untracked-files=no", "--", "."], path)
    return [line[3:] for line in output.splitlines() if line.strip()]


def head_commit(path: Path) -> str:
    """The commit checked out at `path`, or '' when it is not a git checkout."""
    result = _run(["rev-parse", "HEAD"], path, None)
    return result.stdout.decode().strip() if result.returncode == 0 else ""


def clone(url: str, checkout: str | None, destination: Path) -> str:
    """git clone URL (then check out REF); return the commit checked out."""
    require_git()
    result = _run(["clone", "-q", "--", url, str(destination)], None, None)
    if result.returncode != 0:
        raise PerfprojError(f"cannot clone the template {url}: {_last_line(result)}")
    if checkout:
        try:
            run_git(["checkout", "-q", checkout, "--"], destination, {"advice.detachedHead": "false"})
        except PerfprojError as error:
            raise PerfprojError(f"the template {url} has no revision {checkout!r}") from error
    return head_commit(destination)


def init_and_commit(project_dir: Path, message: str) -> None:
    """git init + add + first commit, without the user's hooks or a signing prompt."""
    require_git()
    fallbacks = {
        "init.defaultBranch": "main",
        "user.name": "perfproj",
        "user.email": "perfproj@localhost",
    }
    config = {key: value for key, value in fallbacks.items()
              if not _succeeds(["config", "--get", key], project_dir)}
    config.update(_QUIET)
    run_git(["init", "-q"], project_dir, config)
    run_git(["add", "-A"], project_dir)
    run_git(["commit", "-q", "--no-verify", "-m", message], project_dir, config)


@dataclass(frozen=True)
class MergeResult:
    content: bytes
    conflicts: int  # conflicting hunks (0: clean)


def merge_file(ours: Path, base: Path, theirs: Path, labels: tuple[str, str, str]) -> MergeResult:
    """`git merge-file -p --diff3` of three files: the merged text and how many hunks conflict."""
    require_git()
    ours_label, base_label, theirs_label = labels
    result = _run(["merge-file", "-p", "--diff3", "-L", ours_label, "-L", base_label, "-L", theirs_label,
                   str(ours), str(base), str(theirs)], None, None)
    # git merge-file exits with the number of conflicts (capped at 127), negative on error.
    if result.returncode < 0 or result.returncode > 127:
        raise PerfprojError(f"git merge-file failed: {_last_line(result)}")
    return MergeResult(result.stdout, result.returncode)
