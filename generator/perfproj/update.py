"""`perfproj update`: bring a project to the installed perfproj / its template's new revision.

For every file, three versions meet: the base (what perfproj generated last
time, from .perfproj/base.tar.gz), ours (the file in the project now) and
theirs (what the template generates now, with the recorded answers):

  untouched (ours == base)      replaced by theirs            "updated"
  edited by the user            merged three ways             "merged" / "conflicted"
  deleted by the user           stays deleted (still recorded, so it stays deleted next time)
  new in the template           written                       "added"
  dropped by the template       removed if untouched          "removed"; kept if edited

Nothing is written until every merge is computed; then all files change in one
transaction (file_transaction.py) with the new record and base snapshot.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from perfproj import __version__, answers, base_snapshot, generation, json_merge, merge3, record
from perfproj import template_source, user_config
from perfproj.errors import PerfprojError
from perfproj.file_transaction import Write, apply
from perfproj.new import configured_defaults

# How each outcome is named in the summary, in the order it is printed.
CATEGORIES = ("updated", "merged", "conflicted", "added", "removed", "kept")


@dataclass
class FileAction:
    path: str
    category: str  # one of CATEGORIES
    before: bytes | None  # the project's file now (None: absent)
    after: bytes | None  # what update leaves (None: absent)
    detail: str = ""  # why, for conflicts and kept files


@dataclass
class Generation:
    """What the template produces now, and how it says so in the new record."""

    files: dict[str, bytes]
    modes: dict[str, int]
    source: record.TemplateSource
    answers: dict[str, str]
    notes: list[str] = field(default_factory=list)


@dataclass
class UpdatePlan:
    project: Path
    old: record.Record
    new: record.Record
    actions: list[FileAction]
    writes: dict[str, Write | None]  # every change, record and snapshot included
    notes: list[str]

    @property
    def conflicted(self) -> list[FileAction]:
        return [action for action in self.actions if action.category == "conflicted"]

    @property
    def available(self) -> bool:
        """Would `update` change anything (files, or the revision the record names)?"""
        moved = (self.old.perfproj_version, self.old.template.revision) != (
            self.new.perfproj_version, self.new.template.revision)
        rebased = self.old.files != self.new.files  # e.g. a file you deleted changed in the template
        return moved or rebased or any(action.before != action.after for action in self.actions)


def _read_tree(root: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    names = record.hash_tree(root)
    modes = {name: (root / name).stat().st_mode & 0o777 for name in names}
    return {name: (root / name).read_bytes() for name in names}, modes


def _generate_template(old: record.Record, trust: bool, work: Path) -> Generation:
    """Render the recorded template source (its newest revision) with the recorded answers."""
    staged = template_source.stage(old.template.source, old.template.checkout, work, trust)
    questions = answers.template_questions(staged.path)
    known = {question.key for question in questions}
    explicit = {key: value for key, value in old.answers.items() if key in known}
    defaults = configured_defaults(questions, user_config.load())
    decided = answers.resolve(questions, explicit, defaults, None)
    generation.check_answers(staged, decided)
    notes = [f"new question {key}: answered {decided[key]!r} (its default)" for key in decided if key not in explicit]
    project = generation.render_project(staged, decided, work / "out")
    files, modes = _read_tree(project)
    return Generation(files, modes, staged.source, decided, notes)


def _adopted_files(settings: dict[str, str]) -> dict[str, bytes]:
    """What `perfproj adopt` would write now with the recorded settings (modules and their presets)."""
    from perfproj import adopt, presets_file  # only adopted repositories need these

    modules_dir = settings.get("modules_dir", adopt.DEFAULT_MODULES_DIR)
    files = adopt._module_files(modules_dir)
    presets = presets_file.prefixed(adopt._perfproj_presets(modules_dir), settings.get("preset_prefix", ""))
    files[f"{modules_dir}/presets/perfproj.json"] = presets_file.dumps(presets).encode()
    return files


def _record_bytes(new_record: record.Record) -> bytes:
    with tempfile.TemporaryDirectory(prefix="perfproj-record-") as work:  # one format: write_record's
        record.write_record(Path(work), new_record)
        return (Path(work) / record.RECORD_FILE).read_bytes()


def _generate(old: record.Record, trust: bool, work: Path) -> Generation:
    if old.mode == "adopt":  # only perfproj's modules and presets are perfproj's to update
        files = _adopted_files(old.settings)
        source = record.TemplateSource(template_source.BUILTIN, __version__)
        return Generation(files, {}, source, dict(old.answers))
    return _generate_template(old, trust, work)


def _labels(old: record.Record, new: record.TemplateSource) -> tuple[str, str, str]:
    def name(source: record.TemplateSource, version: str) -> str:
        if source.source == template_source.BUILTIN:
            return f"perfproj {version}"
        return f"template {source.revision[:12] or source.source}"

    return ("yours", f"generated by {name(old.template, old.perfproj_version)}", name(new, __version__))


def _merge(path: str, base: bytes | None, ours: bytes, theirs: bytes, labels: tuple[str, str, str]) -> FileAction:
    if json_merge.is_presets_file(path):
        merged = json_merge.merge_documents(base, ours, theirs)
        if merged is not None:
            if merged.value == json.loads(ours):
                content = ours
            elif merged.value == json.loads(theirs):
                content = theirs
            else:
                content = json_merge.dump(merged.value)
            if merged.conflicts:
                detail = "kept your value for " + ", ".join(merged.conflicts)
                return FileAction(path, "conflicted", ours, content, detail)
            return FileAction(path, "merged", ours, content)
    result = merge3.merge_text(base or b"", ours, theirs, labels)
    if result.conflicts:
        detail = "binary file: kept yours" if result.content is ours else f"{result.conflicts} conflict(s) marked"
        return FileAction(path, "conflicted", ours, result.content, detail)
    return FileAction(path, "merged", ours, result.content)


def _decide(path: str, old: record.Record, base: dict[str, bytes], project: Path,
            theirs: bytes | None, labels: tuple[str, str, str]) -> FileAction | None:
    recorded = old.files.get(path)
    file = project / path
    ours = file.read_bytes() if file.is_file() else None
    untouched = ours is not None and recorded is not None and record.file_digest(file) == recorded
    if theirs is None:  # the template no longer generates it
        if ours is None:
            return None
        if untouched:
            return FileAction(path, "removed", ours, None)
        return FileAction(path, "kept", ours, ours, "edited by you, no longer in the template")
    if ours is None:
        if recorded is not None:
            return FileAction(path, "kept", None, None, "deleted by you: stays deleted")
        return FileAction(path, "added", None, theirs)
    if ours == theirs:
        return None
    if untouched:
        return FileAction(path, "updated", ours, theirs)
    if path in base and base[path] == theirs:
        return None  # only the user changed it
    return _merge(path, base.get(path), ours, theirs, labels)


def plan_update(project: Path, trust: bool = False) -> UpdatePlan:
    """Compute every change; write nothing."""
    old = record.read_record(project)
    base = base_snapshot.read_snapshot(project, old.files)
    with tempfile.TemporaryDirectory(prefix="perfproj-update-") as work:
        new = _generate(old, trust, Path(work))
    labels = _labels(old, new.source)
    actions = []
    for path in sorted(set(old.files) | set(new.files)):
        action = _decide(path, old, base, project, new.files.get(path), labels)
        if action is not None:
            actions.append(action)

    # The new record describes the new generation (the next update's base).
    # Files the user deleted stay recorded, so they stay deleted next time.
    files = {path: hashlib.sha256(content).hexdigest() for path, content in new.files.items()}
    new_record = dataclasses.replace(
        old, perfproj_version=__version__, template=new.source, answers=new.answers, files=files)
    writes: dict[str, Write | None] = {
        action.path: (None if action.after is None else Write(action.after, new.modes.get(action.path)))
        for action in actions
        if action.before != action.after
    }
    writes[record.RECORD_FILE] = Write(_record_bytes(new_record))
    writes[base_snapshot.SNAPSHOT_FILE] = Write(base_snapshot.snapshot_bytes(new.files))
    return UpdatePlan(project, old, new_record, actions, writes, new.notes)


def require_clean_tree(project: Path) -> None:
    """Refuse to update over uncommitted changes: the update must be reviewable as a diff."""
    result = subprocess.run(
        ["git", "status", "--porcelain", "--", "."], cwd=project,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    if result.returncode != 0:
        return  # not a git work tree: nothing to compare with
    if result.stdout.strip():
        raise PerfprojError(
            f"{project} has uncommitted changes; commit or stash them first (or pass --allow-dirty)")


def apply_plan(plan: UpdatePlan) -> None:
    apply(plan.project, plan.writes)


def _generated_by(generated: record.Record) -> str:
    if generated.template.source == template_source.BUILTIN:
        return f"perfproj {generated.perfproj_version}"
    return f"template {generated.template.source} {generated.template.revision[:12]}"


def _version_line(old: record.Record, new: record.Record) -> str:
    if old.template.source == template_source.BUILTIN:
        return f"{_generated_by(old)} -> {new.perfproj_version}"
    return f"{_generated_by(old)} -> {new.template.revision[:12]}"


def describe(plan: UpdatePlan) -> list[str]:
    """The summary: one line per file, grouped by outcome, then the counts."""
    lines = [f"{plan.project.resolve().name}: {_version_line(plan.old, plan.new)}"]
    lines += [f"  note: {note}" for note in plan.notes]
    counts = []
    for category in CATEGORIES:
        chosen = [action for action in plan.actions if action.category == category]
        for action in chosen:
            lines.append(f"  {category:<11} {action.path}" + (f"  ({action.detail})" if action.detail else ""))
        counts.append(f"{len(chosen)} {category}")
    lines.append("Summary: " + ", ".join(counts))
    return lines


def unified_diff(plan: UpdatePlan) -> list[str]:
    """What each changed file would become, as a unified diff (binary files named only)."""
    lines: list[str] = []
    for action in plan.actions:
        if action.before == action.after:
            continue
        before, after = action.before or b"", action.after or b""
        if not (merge3.is_text(before) and merge3.is_text(after)):
            lines.append(f"Binary file {action.path} differs")
            continue
        lines += difflib.unified_diff(
            before.decode("utf-8", "replace").splitlines(), after.decode("utf-8", "replace").splitlines(),
            f"a/{action.path}" if action.before is not None else "/dev/null",
            f"b/{action.path}" if action.after is not None else "/dev/null", lineterm="",
        )
    return lines


def run(project: Path, *, dry_run: bool, check: bool, allow_dirty: bool, trust: bool,
        echo: Callable[[str], None]) -> int:
    """The command: returns the exit code; raises PerfprojError on failure or conflicts."""
    if not dry_run and not check and not allow_dirty:
        require_clean_tree(project)
    plan = plan_update(project, trust)
    if not plan.available:
        echo(f"{project.resolve().name}: up to date ({_generated_by(plan.old)})")
        return 0
    for line in describe(plan):
        echo(line)
    if dry_run:
        for line in unified_diff(plan):
            echo(line)
        echo("Dry run: nothing was written.")
    if check:
        echo("An update is available: run `perfproj update` to apply it.")
        return 1
    if dry_run:
        return 0
    apply_plan(plan)
    if plan.conflicted:
        raise PerfprojError(
            f"updated with {len(plan.conflicted)} conflicted file(s): resolve the <<<<<<< markers"
            " (presets keep your values), then commit")
    echo("Updated: review with `git diff`, then commit.")
    return 0
