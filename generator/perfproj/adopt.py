"""`perfproj adopt`: the perfproj modules and presets in an existing CMake repository.

Nothing in the repository's CMakeLists.txt changes. What is written:
  <modules dir>/                 the CMake modules (a copy of cmake-modules/)
  <modules dir>/presets/perfproj.json
                                 perfproj's presets, with CMAKE_PROJECT_TOP_LEVEL_INCLUDES
                                 set so the modules load at the first project(), and
                                 every name prefixed when the repository's names collide
  CMakePresets.json              one "include" added (created if absent), or, when that
                                 would raise the CMake its presets need, CMakeUserPresets.json
  .perfproj.json                 the record (mode "adopt") for `perfproj update`
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from perfproj import __version__, presets_file, record, resources
from perfproj.errors import PerfprojError, UsageError
from perfproj.file_changes import Change

DEFAULT_MODULES_DIR = "cmake/perfproj"
DEFAULT_PREFIX = "perfproj-"
ROOT_PRESETS = "CMakePresets.json"
USER_PRESETS = "CMakeUserPresets.json"
PRESETS_CHOICES = ("auto", ROOT_PRESETS, USER_PRESETS)
_IGNORED = {"__pycache__"}
_PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class AdoptRequest:
    path: Path
    modules_dir: str | None = None  # None: the recorded one, else DEFAULT_MODULES_DIR
    preset_prefix: str | None = None  # None: the recorded one, else DEFAULT_PREFIX only on a collision
    presets_file: str = "auto"  # which root presets file gets the include
    allow_dirty: bool = False


@dataclass
class AdoptPlan:
    repo: Path
    changes: list[Change]
    modules_dir: str
    prefix: str
    presets_target: str
    notes: list[str] = field(default_factory=list)


# ---- checks on the repository ----

def _has_project_call(cmakelists: Path) -> bool:
    text = cmakelists.read_text(encoding="utf-8", errors="replace")
    code = re.sub(r"#[^\n]*", "", re.sub(r"#\[(=*)\[.*?\]\1\]", "", text, flags=re.S))
    return re.search(r"^\s*project\s*\(", code, flags=re.M | re.I) is not None


def check_repository(repo: Path) -> None:
    if not repo.is_dir():
        raise UsageError(f"{repo} is not a directory")
    cmakelists = repo / "CMakeLists.txt"
    if not cmakelists.is_file() or not _has_project_call(cmakelists):
        raise PerfprojError(f"{repo} is not a CMake project: no top-level CMakeLists.txt with project()")


def check_clean(repo: Path) -> None:
    """Uncommitted edits to tracked files would mix with ours: refuse (untracked files are never touched)."""
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=repo,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return  # not a git checkout: nothing to compare with
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if status.returncode != 0:
        raise PerfprojError(f"git status failed in {repo}: {status.stderr.strip()}")
    if status.stdout.strip():
        count = len(status.stdout.splitlines())
        raise PerfprojError(f"{repo} has uncommitted changes ({count} file(s)); commit or stash them, "
                            "or pass --allow-dirty")


def _previous_record(repo: Path) -> record.Record | None:
    if not (repo / record.RECORD_FILE).exists():
        return None
    previous = record.read_record(repo)
    if previous.mode != "adopt":
        raise PerfprojError(f"{repo} was made by `perfproj new`; use `perfproj update` to refresh its modules")
    return previous


def _modules_dir(request: AdoptRequest, previous: record.Record | None) -> str:
    recorded = previous.settings.get("modules_dir") if previous else None
    chosen = request.modules_dir or recorded or DEFAULT_MODULES_DIR
    posix = PurePosixPath(chosen.replace("\\", "/").strip("/"))
    if posix.is_absolute() or not posix.parts or ".." in posix.parts or posix.parts[0] in (".git", "build"):
        raise UsageError(f"--modules-dir {chosen!r} must be a folder inside the repository (not .git or build)")
    if recorded and posix.as_posix() != recorded:
        raise UsageError(f"perfproj is already adopted into {recorded}; remove it first to use another --modules-dir")
    return posix.as_posix()


# ---- what perfproj writes ----

def _module_files(modules_dir: str) -> dict[str, bytes]:
    source = resources.data_dir("cmake-modules")
    files = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not _IGNORED & set(relative.parts) and path.suffix != ".pyc":
            files[f"{modules_dir}/{relative.as_posix()}"] = path.read_bytes()
    return files


def _perfproj_presets(modules_dir: str) -> presets_file.Json:
    """presets/perfproj.json plus the top-level include that loads the modules without a CMakeLists.txt edit."""
    data: presets_file.Json = json.loads((resources.data_dir("presets") / "perfproj.json").read_text(encoding="utf-8"))
    base = next(p for p in data["configurePresets"] if p["name"] == "perfproj-base")
    base.setdefault("cacheVariables", {})["CMAKE_PROJECT_TOP_LEVEL_INCLUDES"] = (
        f"${{sourceDir}}/{modules_dir}/PerfprojTopLevel.cmake"
    )
    return data


def _collisions(ours: presets_file.Json, theirs: dict[str, set[str]]) -> list[str]:
    found = set()
    for kind, kind_names in presets_file.names(ours).items():
        found |= kind_names & theirs[kind]
    return sorted(found)


def _choose_prefix(request: AdoptRequest, previous: record.Record | None, ours: presets_file.Json,
                   theirs: dict[str, set[str]], notes: list[str]) -> str:
    if request.preset_prefix is not None:
        prefix = request.preset_prefix
        if prefix and not _PREFIX_PATTERN.match(prefix):
            raise UsageError(f"--preset-prefix {prefix!r}: use letters, digits, '-', '_' or '.'")
    elif previous is not None and "preset_prefix" in previous.settings:
        prefix = previous.settings["preset_prefix"]
    else:
        clashing = _collisions(ours, theirs)
        prefix = DEFAULT_PREFIX if clashing else ""
        if clashing:
            shown = ", ".join(clashing[:6]) + (", ..." if len(clashing) > 6 else "")
            notes.append(f"the repository already has presets named {shown}: perfproj's presets are "
                         f"prefixed '{prefix}' (e.g. {prefix}release)")
    remaining = _collisions(presets_file.prefixed(ours, prefix), theirs)
    if remaining:
        raise UsageError(f"preset names {', '.join(remaining[:6])} would exist twice; "
                         "choose another --preset-prefix")
    return prefix


def _presets_target(request: AdoptRequest, previous: record.Record | None, root: presets_file.PresetsFile | None,
                    notes: list[str]) -> str:
    recorded = previous.settings.get("presets_file") if previous else None
    if request.presets_file != "auto":
        choice = request.presets_file
    elif recorded:
        choice = recorded
    elif root is None or root.cmake_needed() >= presets_file.SCHEMA_CMAKE[presets_file.PERFPROJ_SCHEMA]:
        choice = ROOT_PRESETS
    else:
        major, minor = root.cmake_needed()
        notes.append(
            f"{ROOT_PRESETS} (schema {root.version}) is read by CMake {major}.{minor}; including perfproj's "
            f"schema-{presets_file.PERFPROJ_SCHEMA} presets would make it need CMake 3.25, so it is left "
            f"untouched and the include is in {USER_PRESETS} (commit that file to share the presets, "
            f"or rerun with --presets-file {ROOT_PRESETS} to accept CMake 3.25)"
        )
        choice = USER_PRESETS
    if choice == ROOT_PRESETS and root is not None and root.version < presets_file.INCLUDE_MIN_VERSION:
        raise UsageError(f"{ROOT_PRESETS} uses presets schema {root.version}, which has no \"include\" "
                         f"(schema 4+, CMake 3.23); use --presets-file {USER_PRESETS} or auto")
    return choice


def _include_change(repo: Path, target: str, include: str) -> Change:
    path = repo / target
    if not path.exists():
        return Change(target, None, presets_file.new_file(include).encode())
    existing = presets_file.load(path)
    if existing.version < presets_file.INCLUDE_MIN_VERSION:
        raise PerfprojError(f"{target} uses presets schema {existing.version}, which has no \"include\"; "
                            f"raise its \"version\" to {presets_file.PERFPROJ_SCHEMA} first; nothing was written")
    return Change(target, existing.text.encode(), presets_file.with_include(existing, include).encode())


def _owned_change(repo: Path, relative: str, content: bytes, previous: record.Record | None) -> Change | None:
    """A perfproj-owned file: created, unchanged, or replaced only if it is still as perfproj wrote it."""
    path = repo / relative
    if not path.exists():
        return Change(relative, None, content)
    if not path.is_file():
        raise PerfprojError(f"{relative} exists and is not a file; nothing was written")
    current = path.read_bytes()
    if current == content:
        return None
    if previous is None or previous.files.get(relative) != record.file_digest(path):
        raise PerfprojError(f"{relative} exists and was not written by perfproj (or was edited since); "
                            "nothing was written")
    return Change(relative, current, content)


def _record_text(repo_record: record.Record) -> bytes:
    with tempfile.TemporaryDirectory(prefix="perfproj-record-") as work:  # one format: record.write_record's
        record.write_record(Path(work), repo_record)
        return (Path(work) / record.RECORD_FILE).read_bytes()


def plan(request: AdoptRequest) -> AdoptPlan:
    """Everything adopt would write; raises before anything is written."""
    repo = request.path.resolve()
    check_repository(repo)
    previous = _previous_record(repo)
    modules_dir = _modules_dir(request, previous)
    if previous is None and (repo / modules_dir).exists():
        raise PerfprojError(f"{modules_dir} already exists and is not from perfproj; "
                            "move it or choose --modules-dir; nothing was written")
    notes: list[str] = []
    owned_presets = f"{modules_dir}/presets/perfproj.json"
    root_path = repo / ROOT_PRESETS
    root = presets_file.load(root_path) if root_path.exists() else None
    theirs = presets_file.collect_names([root_path, repo / USER_PRESETS], skip={repo / owned_presets})
    ours = _perfproj_presets(modules_dir)
    prefix = _choose_prefix(request, previous, ours, theirs, notes)
    target = _presets_target(request, previous, root, notes)

    owned = _module_files(modules_dir)
    owned[owned_presets] = presets_file.dumps(presets_file.prefixed(ours, prefix)).encode()
    changes = [change for relative, content in owned.items()
               if (change := _owned_change(repo, relative, content, previous)) is not None]
    include_change = _include_change(repo, target, owned_presets)
    if include_change.old != include_change.new:
        changes.append(include_change)

    settings = {"modules_dir": modules_dir, "preset_prefix": prefix, "presets_file": target}
    source = record.TemplateSource(source="builtin", revision=__version__)
    digests = {relative: hashlib.sha256(content).hexdigest() for relative, content in owned.items()}
    new_record = record.Record(__version__, source, {}, digests, mode="adopt", settings=settings)
    record_path = repo / record.RECORD_FILE
    record_bytes = _record_text(new_record)
    old_record = record_path.read_bytes() if record_path.exists() else None
    if old_record != record_bytes:
        changes.append(Change(record.RECORD_FILE, old_record, record_bytes))
    if changes and not request.allow_dirty:  # nothing to write: a dirty tree is no risk
        check_clean(repo)
    return AdoptPlan(repo, changes, modules_dir, prefix, target, notes)


def summary(adopt_plan: AdoptPlan, dry_run: bool) -> list[str]:
    """What was (or would be) done, the decisions taken and the next commands, one per line."""
    repo = adopt_plan.repo
    if not adopt_plan.changes:
        return [f"Nothing to change: perfproj {__version__} is already adopted in {repo}"]
    created = [c.path for c in adopt_plan.changes if c.old is None]
    changed = [c.path for c in adopt_plan.changes if c.old is not None]
    verb = "Would adopt" if dry_run else "Adopted"
    lines = [f"{verb} perfproj into {repo}: {len(created)} file(s) created, {len(changed)} changed"
             + (" (dry run: nothing written)" if dry_run else "")]
    lines += [f"  changed {path}" for path in changed]
    modules = [p for p in created if p.startswith(adopt_plan.modules_dir + "/")]
    if modules:
        lines.append(f"  created {adopt_plan.modules_dir}/ ({len(modules)} files: modules and presets)")
    lines += [f"  created {path}" for path in created if path not in modules]
    lines += [f"Note: {note}" for note in adopt_plan.notes]
    release = f"{adopt_plan.prefix}release"
    lines += ["Next:", f"  cmake --workflow --preset {release}",
              f"  cmake -P {adopt_plan.modules_dir}/pgo.cmake {release}",
              f"  cmake --workflow --preset {adopt_plan.prefix}asan"]
    return lines
