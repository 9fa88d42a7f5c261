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

from perfproj import git
from perfproj.changes.diff import is_text
from perfproj.changes.scratch import temp_dir
from perfproj.git import MergeResult


def merge_text(base: bytes, ours: bytes, theirs: bytes, labels: tuple[str, str, str]) -> MergeResult:
    """Merge `theirs` (the new generation) into `ours` (the user's file) over `base`."""
    if not (is_text(base) and is_text(ours) and is_text(theirs)):
        # A binary file cannot take markers: keep the user's, report the conflict.
        return MergeResult(ours, 1)
    with temp_dir("merge") as work:
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = work / name
            path.write_bytes(content)
            paths.append(path)
        return git.merge_file(paths[0], paths[1], paths[2], labels)
