"""The generation record, .perfproj.json, that `perfproj update` relies on.

It says which perfproj and template produced the project, with which answers,
and holds a hash of every file perfproj wrote, so that an update can tell
files the user changed from files still as generated.

A record is data in the user's repository, so it is validated, not obeyed:
a record from a newer perfproj, with paths outside the project, or whose
mode does not match what it lists is refused with a one-line error.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from perfproj import __version__
from perfproj.changes.confined import Tree, is_plain_relative
from perfproj.errors import PerfprojError

RECORD_FILE = ".perfproj.json"
STATE_DIR = ".perfproj"  # the base snapshot and transactions live here
MODES = ("new", "adopt")
MODULES_DIR = "cmake/perfproj"  # where perfproj's CMake modules go unless adopt was told otherwise
_NOT_RECORDED = (".git", STATE_DIR)
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_VERSION = re.compile(r"\d+(\.\d+)*\Z")


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

    def preset(self, name: str) -> str:
        """The name perfproj's preset `name` has in this project (adopt may have prefixed it)."""
        return (self.settings.get("preset_prefix", "") if self.mode == "adopt" else "") + name

    @property
    def modules_dir(self) -> str:
        """Where perfproj's CMake modules are in this project (adopt may have put them elsewhere)."""
        return (self.settings.get("modules_dir") if self.mode == "adopt" else None) or MODULES_DIR

    @property
    def presets_file(self) -> str:
        """The presets file that includes perfproj's presets (adopt may have chosen CMakeUserPresets.json)."""
        return (self.settings.get("presets_file") if self.mode == "adopt" else None) or "CMakePresets.json"


class RecordError(PerfprojError):
    pass


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def digests(files: Mapping[str, bytes]) -> dict[str, str]:
    return {path: digest(content) for path, content in files.items()}


def is_recordable(path: str) -> bool:
    """Files a record may list: inside the project, not git's, not perfproj's own state."""
    return is_plain_relative(path) and path.split("/")[0] not in _NOT_RECORDED and path != RECORD_FILE


def read_tree(root: Path) -> dict[str, bytes]:
    """Every recordable file below `root` (links and .git skipped) with its bytes."""
    with Tree(root) as tree:
        return {path: tree.read(path) or b"" for path in tree.files(skip=frozenset(_NOT_RECORDED))
                if is_recordable(path)}


def hash_tree(root: Path) -> dict[str, str]:
    return digests(read_tree(root))


def dumps(record: Record) -> bytes:
    return (json.dumps(asdict(record), indent=2, sort_keys=True) + "\n").encode()


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _strings(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"{what} must map names to strings")
    return dict(value)


def _check_consistent(record: Record) -> None:
    """The mode must match what the record lists (a hand-edited mode would make update delete files)."""
    outside = [path for path in record.files if not is_recordable(path)]
    if outside:
        raise ValueError(f"it lists {outside[0]!r}, which is not a file inside the project")
    if record.mode == "adopt":
        modules_dir = record.settings.get("modules_dir", "")
        if not is_plain_relative(modules_dir):
            raise ValueError(f"mode adopt needs settings.modules_dir inside the project, not {modules_dir!r}")
        foreign = sorted(path for path in record.files if not path.startswith(modules_dir + "/"))
        if foreign:
            raise ValueError(f"mode adopt, yet it lists {len(foreign)} file(s) outside {modules_dir}/ "
                             f"(e.g. {foreign[0]}), which adopt never writes")
    elif "project_name" not in record.answers:
        raise ValueError("mode new, yet it has no project_name answer")


def parse(data: bytes, where: str) -> Record:
    """A validated record; RecordError (one line) names what is wrong."""
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        version = raw.get("perfproj_version")
        if not isinstance(version, str) or not _VERSION.match(version):
            raise ValueError(f"perfproj_version {version!r} is not a version")
        template = raw.get("template")
        if not isinstance(template, dict):
            raise ValueError("template is missing")
        files = _strings(raw.get("files", {}), "files")
        bad_hash = [path for path, value in files.items() if not _HEX64.match(value)]
        if bad_hash:
            raise ValueError(f"the hash of {bad_hash[0]} is not a sha256")
        mode = raw.get("mode", "new")
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        checkout = template.get("checkout")
        record = Record(
            perfproj_version=version,
            template=TemplateSource(str(template["source"]), str(template["revision"]),
                                    None if checkout is None else str(checkout)),
            answers=_strings(raw.get("answers"), "answers"),
            files=files,
            mode=mode,
            settings=_strings(raw.get("settings", {}), "settings"),
        )
        _check_consistent(record)
    except (ValueError, KeyError, TypeError) as error:
        raise RecordError(f"{where} is damaged or was edited by hand: {error}; restore it from git") from error
    if version_tuple(version) > version_tuple(__version__):
        raise RecordError(f"{where} was written by perfproj {version}, newer than this perfproj {__version__}; "
                          "upgrade perfproj first")
    return record


def read_record(tree: Tree) -> Record:
    data = tree.read(RECORD_FILE)
    if data is None:
        raise PerfprojError(f"{tree.root} has no {RECORD_FILE}: it was not made by perfproj")
    return parse(data, tree.show(RECORD_FILE))


def read_record_at(root: Path) -> Record:
    """read_record for a project folder (tests and tools outside a command)."""
    with Tree(root) as tree:
        return read_record(tree)
