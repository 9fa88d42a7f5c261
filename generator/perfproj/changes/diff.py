"""The unified diff of a plan: what --dry-run prints."""

from __future__ import annotations

import difflib

from perfproj.changes.plan import Change


def is_text(content: bytes) -> bool:
    return b"\0" not in content


def _lines(content: bytes | None) -> list[str]:
    return content.decode("utf-8", "replace").splitlines(keepends=True) if content else []


def unified_diff(changes: list[Change]) -> str:
    """`git diff`-style text of every change; created files come from /dev/null, deleted ones go to it."""
    chunks = []
    for change in changes:
        if not (is_text(change.old or b"") and is_text(change.new or b"")):
            chunks.append(f"Binary file {change.path} differs\n")
            continue
        lines = difflib.unified_diff(
            _lines(change.old), _lines(change.new),
            "/dev/null" if change.old is None else f"a/{change.path}",
            "/dev/null" if change.new is None else f"b/{change.path}",
        )
        chunks.append("".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                              for line in lines))
    return "".join(chunks)
