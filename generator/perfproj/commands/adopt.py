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
  .perfproj/base.tar.gz          the modules as copied: the base of update's 3-way merge

The plan is made from the repository as read through a confined Tree (no
symbolic link is followed) and written by the change pipeline (changes/).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from perfproj import __version__, resources
from perfproj.changes import Change, Plan, open_project, unified_diff
from perfproj.changes.apply import apply
from perfproj.changes.confined import Tree, UnsafePath, is_plain_relative
from perfproj.errors import PerfprojError, UsageError
from perfproj.project import base_snapshot, presets_file, record

DEFAULT_MODULES_DIR = record.MODULES_DIR
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
    plan: Plan
    modules_dir: str
    prefix: str
    presets_target: str
    notes: list[str] = field(default_factory=list)
    has_tests: bool = True  # the repository registers tests with CTest (what PGO trains on by default)

    @property
    def repo(self) -> Path:
        return self.plan.root

    @property
    def changes(self) -> list[Change]:
        return self.plan.changes


# ---- checks on the repository ----

def _has_project_call(text: str) -> bool:
    code = re.sub(r"#[^\n]*", "", re.sub(r"#\[(=*)\[.*?\]\1\]", "", text, flags=re.S))
    return re.search(r"^\s*project\s*\(", code, flags=re.M | re.I) is not None


def _subfolders(tree: Tree, folder: str) -> list[str]:
    fd = tree.open_dir(folder)
    try:
        return sorted(f"{folder}/{entry.name}" if folder else entry.name for entry in os.scandir(fd)
                      if entry.is_dir(follow_symlinks=False) and entry.name != ".git")
    finally:
        os.close(fd)


def _projects_below(tree: Tree, limit: int = 3) -> list[str]:
    """Folders one or two levels down whose CMakeLists.txt calls project(): where to point adopt instead."""
    found = []
    for first in _subfolders(tree, ""):
        for folder in [first, *_subfolders(tree, first)]:
            content = tree.read(f"{folder}/CMakeLists.txt")
            if content is not None and _has_project_call(content.decode("utf-8", "replace")):
                found.append(folder)
                if len(found) >= limit:
                    return found
    return found


_TEST_COMMANDS = re.compile(r"^\s*(add_test|gtest_discover_tests|gtest_add_tests|catch_discover_tests|"
                            r"doctest_discover_tests)\s*\(", re.M | re.I)


def has_tests(tree: Tree, modules_dir: str) -> bool:
    """Whether any CMake file of the repository registers a test (a heuristic, read before configure)."""
    for path in tree.files(skip=frozenset({".git", "build"})):
        if path.endswith(("CMakeLists.txt", ".cmake")) and not path.startswith(modules_dir + "/"):
            if _TEST_COMMANDS.search((tree.read(path) or b"").decode("utf-8", "replace")):
                return True
    return False


def check_repository(tree: Tree) -> None:
    content = tree.read("CMakeLists.txt")
    if content is None or not _has_project_call(content.decode("utf-8", "replace")):
        below = _projects_below(tree)
        hint = f"; these subfolders have one: {', '.join(below)} (run adopt there)" if below else ""
        raise PerfprojError(f"{tree.root} is not a CMake project: no top-level CMakeLists.txt with project()"
                            + hint)


def _previous_record(tree: Tree) -> record.Record | None:
    if tree.lstat(record.RECORD_FILE) is None:
        return None
    previous = record.read_record(tree)
    if previous.mode != "adopt":
        raise PerfprojError(f"{tree.root} was made by `perfproj new`; use `perfproj update` to refresh its modules")
    return previous


def _modules_dir(request: AdoptRequest, previous: record.Record | None) -> str:
    recorded = previous.settings.get("modules_dir") if previous else None
    chosen = request.modules_dir or recorded or DEFAULT_MODULES_DIR
    folder = chosen.rstrip("/")
    if not is_plain_relative(folder) or folder.split("/")[0] in (".git", ".perfproj", "build"):
        raise UsageError(f"--modules-dir {chosen!r} must be a relative path to a folder inside the repository "
                         "(not in .git, .perfproj or build)")
    if recorded and folder != recorded:
        raise UsageError(f"perfproj is already adopted into {recorded}; remove it first to use another --modules-dir")
    return folder


# ---- what perfproj writes ----

def _module_files(modules_dir: str) -> dict[str, bytes]:
    """cmake-modules/ as it lands in `modules_dir`."""
    source = resources.data_dir("cmake-modules")
    files = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not _IGNORED & set(relative.parts) and path.suffix != ".pyc":
            files[f"{modules_dir}/{relative.as_posix()}"] = path.read_bytes()
    return files


def owned_files(modules_dir: str, prefix: str) -> dict[str, bytes]:
    """Every file adopt owns in a repository: the modules and perfproj's presets, names prefixed."""
    files = _module_files(modules_dir)
    presets = presets_file.prefixed(_perfproj_presets(modules_dir), prefix)
    files[f"{modules_dir}/presets/perfproj.json"] = presets_file.dumps(presets).encode()
    return files


# Build-wide targets the modules name perfproj-* in an adopted repository (PerfprojOptions.cmake,
# perfproj_target_name): presets that build them must use those names.
ADOPTED_TARGET_NAMES = {"format": "perfproj-format", "format-check": "perfproj-format-check",
                        "bench": "perfproj-bench"}


def _perfproj_presets(modules_dir: str) -> presets_file.Json:
    """presets/perfproj.json as an adopted repository needs it.

    - the top-level include that loads the modules without a CMakeLists.txt edit;
    - build presets name the perfproj-* targets (no collision with the repository's own);
    - test presets accept a repository without tests: many have none, or have them off by
      default, and `noTestsAction: error` would turn every workflow red there.
    """
    data: presets_file.Json = json.loads((resources.data_dir("presets") / "perfproj.json").read_text(encoding="utf-8"))
    base = next(p for p in data["configurePresets"] if p["name"] == "perfproj-base")
    base.setdefault("cacheVariables", {})["CMAKE_PROJECT_TOP_LEVEL_INCLUDES"] = (
        f"${{sourceDir}}/{modules_dir}/PerfprojTopLevel.cmake"
    )
    for preset in data.get("buildPresets", []):
        if "targets" in preset:
            preset["targets"] = [ADOPTED_TARGET_NAMES.get(target, target) for target in preset["targets"]]
    for preset in data.get("testPresets", []):
        if "noTestsAction" in preset.get("execution", {}):
            preset["execution"]["noTestsAction"] = "ignore"
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
                    root_is_link: bool, notes: list[str]) -> str:
    recorded = previous.settings.get("presets_file") if previous else None
    if request.presets_file != "auto":
        choice = request.presets_file
    elif recorded:
        choice = recorded
    elif root_is_link:
        notes.append(f"{ROOT_PRESETS} is a symbolic link, which perfproj never replaces: the include is in "
                     f"{USER_PRESETS} (commit that file to share the presets)")
        choice = USER_PRESETS
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


def _include_change(tree: Tree, target: str, include: str) -> Change:
    try:
        tree.check_writable(target)
    except UnsafePath as error:
        raise PerfprojError(f"{target} is a symbolic link, which perfproj does not replace; include "
                            f"{include} from its target by hand, or use --presets-file "
                            f"{USER_PRESETS if target == ROOT_PRESETS else ROOT_PRESETS}") from error
    content = tree.read(target)
    if content is None:
        return Change(target, None, presets_file.new_file(include).encode())
    existing = presets_file.parse(content, tree.root / target)
    if existing.version < presets_file.INCLUDE_MIN_VERSION:
        raise PerfprojError(f"{target} uses presets schema {existing.version}, which has no \"include\"; "
                            f"raise its \"version\" to {presets_file.PERFPROJ_SCHEMA} first; nothing was written")
    return Change(target, content, presets_file.with_include(existing, include).encode("utf-8"))


def _owned_change(tree: Tree, relative: str, content: bytes, previous: record.Record | None) -> Change | None:
    """A perfproj-owned file: created, unchanged, or replaced only if it is still as perfproj wrote it."""
    current = tree.read(relative)
    if current is None:
        return Change(relative, None, content)
    if current == content:
        return None
    if previous is None or previous.files.get(relative) != record.digest(current):
        raise PerfprojError(f"{relative} exists and was not written by perfproj (or was edited since); "
                            "nothing was written")
    return Change(relative, current, content)


def _state_change(tree: Tree, path: str, content: bytes) -> Change | None:
    old = tree.read(path)
    return None if old == content else Change(path, old, content)


def plan(request: AdoptRequest, tree: Tree) -> AdoptPlan:
    """Everything adopt would write into the locked repository `tree`; raises before anything is written."""
    check_repository(tree)
    previous = _previous_record(tree)
    modules_dir = _modules_dir(request, previous)
    if previous is None and tree.lstat(modules_dir) is not None:
        raise PerfprojError(f"{modules_dir} already exists and is not from perfproj; "
                            "move it or choose --modules-dir; nothing was written")
    notes: list[str] = []
    owned_presets = f"{modules_dir}/presets/perfproj.json"
    repo = tree.root
    root_info = tree.lstat(ROOT_PRESETS)
    root_is_link = root_info is not None and stat.S_ISLNK(root_info.st_mode)
    # Read for its schema and names only (a link is fine to read; writing through it is refused).
    root = presets_file.load(repo / ROOT_PRESETS) if root_info is not None else None
    theirs = presets_file.collect_names([repo / ROOT_PRESETS, repo / USER_PRESETS], skip={repo / owned_presets})
    ours = _perfproj_presets(modules_dir)
    prefix = _choose_prefix(request, previous, ours, theirs, notes)
    target = _presets_target(request, previous, root, root_is_link, notes)

    owned = owned_files(modules_dir, prefix)
    if previous is not None and set(previous.files) - set(owned):
        moved = len(set(previous.files) - set(owned))
        raise PerfprojError(f"perfproj {previous.perfproj_version} was adopted here and {moved} of its files have "
                            "moved or gone since; run `perfproj update` to bring them over (your edits merged in)")
    changes = [change for relative, content in owned.items()
               if (change := _owned_change(tree, relative, content, previous)) is not None]
    include_change = _include_change(tree, target, owned_presets)
    if include_change.old != include_change.new:
        changes.append(include_change)

    settings = {"modules_dir": modules_dir, "preset_prefix": prefix, "presets_file": target}
    source = record.TemplateSource(source="builtin", revision=__version__)
    new_record = record.Record(__version__, source, {}, record.digests(owned), mode="adopt", settings=settings)
    for state in (_state_change(tree, base_snapshot.SNAPSHOT_FILE, base_snapshot.snapshot_bytes(owned)),
                  _state_change(tree, record.RECORD_FILE, record.dumps(new_record))):
        if state is not None:
            changes.append(state)
    adopt_plan = Plan("adopt", repo, changes, require_clean=not request.allow_dirty)
    return AdoptPlan(adopt_plan, modules_dir, prefix, target, notes, has_tests(tree, modules_dir))


def run(request: AdoptRequest, dry_run: bool, echo: Callable[[str], None],
        report: Callable[[str], None]) -> AdoptPlan:
    """The command: plan, then show (--dry-run) or apply; returns the plan for its summary."""
    if not request.path.is_dir():
        raise UsageError(f"{request.path} is not a directory")
    with open_project(request.path, writing=not dry_run, report=report) as tree:
        adopt_plan = plan(request, tree)
        if dry_run:
            echo(unified_diff(adopt_plan.changes).rstrip("\n"))
        else:
            for note in apply(adopt_plan.plan, tree):
                report(f"perfproj: {note}")
    return adopt_plan


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
    pgo = f"cmake -P {adopt_plan.modules_dir}/scripts/pgo.cmake"
    lines += [f"Next, in {repo}:", f"  cmake --workflow --preset {release}"]
    if adopt_plan.has_tests:
        lines.append(f"  {pgo} {release}")
    else:
        lines += [f"  {pgo} -- --help",
                  "  (no tests found: PGO trains with --train-command, a run of your program on typical input)"]
    lines.append(f"  cmake --workflow --preset {adopt_plan.prefix}asan")
    return lines
