"""Three-way merge of a text file, the way git merges: `git merge-file`.

git is already required by perfproj, and its merge is the one users know:
non-overlapping edits combine, overlapping ones leave conflict markers

    <<<<<<< yours
    ...
    ||||||| generated (perfproj X)
    ...
    =======
    ...
    >>>>>>> perfproj Y

(diff3 style, so the base is visible while resolving).
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from perfproj import git
from perfproj.errors import PerfprojError


@dataclass(frozen=True)
class MergeResult:
    content: bytes
    conflicts: int  # number of conflicting hunks (0: clean)


def is_text(content: bytes) -> bool:
    return b"\0" not in content


def merge_text(base: bytes, ours: bytes, theirs: bytes, labels: tuple[str, str, str]) -> MergeResult:
    """Merge `theirs` (the new generation) into `ours` (the user's file) over `base`."""
    if not (is_text(base) and is_text(ours) and is_text(theirs)):
        # A binary file cannot take markers: keep the user's, report the conflict.
        return MergeResult(ours, 1)
    git.require_git()
    with tempfile.TemporaryDirectory(prefix="perfproj-merge-") as work:
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(work) / name
            path.write_bytes(content)
            paths.append(str(path))
        ours_label, base_label, theirs_label = labels
        result = subprocess.run(
            ["git", "merge-file", "-p", "--diff3",
             "-L", ours_label, "-L", base_label, "-L", theirs_label, *paths],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
    # git merge-file exits with the number of conflicts (capped at 127), negative on error.
    if result.returncode < 0 or result.returncode > 127:
        raise PerfprojError(f"git merge-file failed: {result.stderr.decode(errors='replace').strip()}")
    return MergeResult(result.stdout, result.returncode)
