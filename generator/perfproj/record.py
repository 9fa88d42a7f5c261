"""The generation record, .perfproj.json, that `perfproj update` relies on.

It says which perfproj and template produced the project, with which answers,
and holds a hash of every generated file, so that an update can tell files the
user changed from files still as generated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from perfproj.errors import PerfprojError

RECORD_FILE = ".perfproj.json"
_SKIPPED_DIRS = {".git", ".perfproj"}  # .perfproj holds the base snapshot (base_snapshot.py)


@dataclass
class TemplateSource:
    source: str  # "builtin", a local path or a git URL
    revision: str  # perfproj version for builtin, else a commit
    checkout: str | None = None  # branch/tag asked for, if any


@dataclass
class Record:
    perfproj_version: str
    template: TemplateSource
    answers: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256
    mode: str = "new"  # "new" (perfproj new) or "adopt" (perfproj adopt: only the modules and presets)
    settings: dict[str, str] = field(default_factory=dict)  # adopt: modules_dir, preset_prefix, presets_file


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hash_tree(root: Path) -> dict[str, str]:
    """sha256 of every file below `root` by POSIX relative path, except .git and the record."""
    digests = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in _SKIPPED_DIRS or relative.as_posix() == RECORD_FILE:
            continue
        if path.is_file() and not path.is_symlink():
            digests[relative.as_posix()] = file_digest(path)
    return digests


def write_record(project_dir: Path, record: Record) -> None:
    text = json.dumps(asdict(record), indent=2, sort_keys=True) + "\n"
    (project_dir / RECORD_FILE).write_text(text, encoding="utf-8")


def read_record(project_dir: Path) -> Record:
    path = project_dir / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Record(
            perfproj_version=data["perfproj_version"],
            template=TemplateSource(**data["template"]),
            answers=dict(data["answers"]),
            files=dict(data.get("files", {})),
            mode=str(data.get("mode", "new")),
            settings=dict(data.get("settings", {})),
        )
    except FileNotFoundError as error:
        raise PerfprojError(f"{project_dir} has no {RECORD_FILE}: it was not made by perfproj") from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PerfprojError(f"{path} is damaged: {error}") from error
