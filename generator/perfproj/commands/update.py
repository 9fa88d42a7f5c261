"""`perfproj update`: bring a project to the installed perfproj / its template's new revision.

For every file, three versions meet: the base (what perfproj generated last
time, from .perfproj/base.tar.gz), ours (the file in the project now) and
theirs (what the template generates now, with the recorded answers):

  as generated (ours == base)   replaced by theirs            "updated"
  edited by the user            merged three ways             "merged" / "conflicted"
  deleted by the user           stays deleted (still recorded, so it stays deleted next time)
  new in the template           written                       "added"
  dropped by the template       removed if as generated       "removed"; kept if edited
  moved by perfproj (layout.py) written at its new place, your edits merged in; the old copy goes  "moved"

A file is replaced or removed only when it is provably as perfproj generated
it: its bytes equal the base snapshot's (and so the record's hash). Without a
snapshot (projects made before snapshots existed) a file matching the
record's hash is replaced, but nothing is ever removed.

The record is validated before it is used (record.py): a hand-edited mode,
paths outside the project or a newer perfproj's record stop the update.
Nothing is written until every merge is computed; then the change pipeline
(changes/) writes all files, the new record and base snapshot in one
journaled transaction.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from perfproj import __version__
from perfproj.changes import Change, Plan, open_project, unified_diff
from perfproj.changes.apply import apply, preflight
from perfproj.changes.confined import Tree
from perfproj.changes.plan import FileData
from perfproj.changes.scratch import temp_dir
from perfproj.commands import adopt
from perfproj.commands.new import configured_defaults
from perfproj.errors import PerfprojError
from perfproj.project import base_snapshot, json_merge, layout, merge3, record
from perfproj.templates import answers, generate, source, user_config

# How each outcome is named in the summary, in the order it is printed.
CATEGORIES = ("updated", "merged", "conflicted", "added", "removed", "moved", "kept")


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

    files: dict[str, FileData]
    source: record.TemplateSource
    answers: dict[str, str]
    notes: list[str] = field(default_factory=list)


@dataclass
class UpdatePlan:
    plan: Plan  # every change, record and snapshot included
    old: record.Record
    new: record.Record
    actions: list[FileAction]
    notes: list[str]

    @property
    def project(self) -> Path:
        return self.plan.root

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


# ---- what the template makes now ----

def _generate_template(old: record.Record, trust: bool) -> Generation:
    """Render the recorded template source (its newest revision) with the recorded answers."""
    with temp_dir("update") as work:
        staged = source.stage(old.template.source, old.template.checkout, work, trust)
        questions = answers.template_questions(staged.path)
        known = {question.key for question in questions}
        explicit = {key: value for key, value in old.answers.items() if key in known}
        defaults = configured_defaults(questions, user_config.load())
        decided = answers.resolve(questions, explicit, defaults, None)
        generate.check_answers(staged, decided)
        notes = [f"new question {key}: answered {decided[key]!r} (its default)"
                 for key in decided if key not in explicit]
        generation = generate.generate(staged, decided)
    return Generation(generation.files, staged.source, decided, notes)


def _generate(old: record.Record, trust: bool) -> Generation:
    if old.mode == "adopt":  # only perfproj's modules and presets are perfproj's to update
        owned = adopt.owned_files(old.modules_dir,
                                  old.settings.get("preset_prefix", ""))
        files = {path: FileData(content, 0o644) for path, content in owned.items()}
        return Generation(files, record.TemplateSource(source.BUILTIN, __version__), dict(old.answers))
    return _generate_template(old, trust)


# ---- each file's fate ----

def _labels(old: record.Record, new: record.TemplateSource) -> tuple[str, str, str]:
    def name(template: record.TemplateSource, version: str) -> str:
        if template.source == source.BUILTIN:
            return f"perfproj {version}"
        return f"template {template.revision[:12] or template.source}"

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


@dataclass
class _Base:
    files: dict[str, bytes]  # the base snapshot's bytes of each recorded file
    exists: bool  # the project has a base snapshot at all


def _decide(path: str, old: record.Record, base: _Base, tree: Tree,
            theirs: bytes | None, labels: tuple[str, str, str]) -> FileAction | None:
    recorded = old.files.get(path)
    ours = tree.read(path)
    if path in base.files:
        generated = ours is not None and base.files[path] == ours
    else:  # no snapshot: trust the record's hash to replace, never to remove
        generated = not base.exists and ours is not None and recorded == record.digest(ours)
    if theirs is None:  # the template no longer generates it
        if ours is None:
            return None
        if generated and path in base.files:
            return FileAction(path, "removed", ours, None)
        reason = "perfproj has no copy of what it generated" if generated else "edited by you"
        return FileAction(path, "kept", ours, ours, f"{reason}, no longer in the template")
    if ours is None:
        if recorded is not None:
            return FileAction(path, "kept", None, None, "deleted by you: stays deleted")
        return FileAction(path, "added", None, theirs)
    if ours == theirs:
        return None
    if generated:
        return FileAction(path, "updated", ours, theirs)
    if base.files.get(path) == theirs:
        return None  # only the user changed it
    return _merge(path, base.files.get(path), ours, theirs, labels)


def _move(old_path: str, new_path: str, base: _Base, tree: Tree, theirs: bytes,
          labels: tuple[str, str, str]) -> list[FileAction]:
    """A file perfproj moved: its new place gets the new content with the user's edits merged in."""
    ours = tree.read(old_path)
    if ours is None:  # deleted by the user: stays deleted at its new place too
        return [FileAction(new_path, "kept", None, None, f"deleted by you (as {old_path}): stays deleted")]
    moved = FileAction(old_path, "moved", ours, None, f"to {new_path}")
    if base.files.get(old_path) == ours or ours == theirs:
        return [moved, FileAction(new_path, "added", None, theirs)]
    merged = _merge(new_path, base.files.get(old_path), ours, theirs, labels)
    merged.before = None  # nothing is at the new place yet
    merged.detail = f"your edits to {old_path} merged in" + (f"; {merged.detail}" if merged.detail else "")
    return [moved, merged]


def plan_update(tree: Tree, trust: bool = False, allow_dirty: bool = False) -> UpdatePlan:
    """Compute every change to the locked project `tree`; write nothing."""
    old = record.read_record(tree)
    base = _Base(base_snapshot.read_snapshot(tree, old.files), tree.lstat(base_snapshot.SNAPSHOT_FILE) is not None)
    new = _generate(old, trust)
    labels = _labels(old, new.source)
    moves = layout.moves(old.modules_dir, set(old.files), set(new.files))
    actions = []
    for old_path, new_path in sorted(moves.items()):
        actions += _move(old_path, new_path, base, tree, new.files[new_path].content, labels)
    for path in sorted((set(old.files) | set(new.files)) - set(moves) - set(moves.values())):
        theirs = new.files.get(path)
        action = _decide(path, old, base, tree, theirs.content if theirs else None, labels)
        if action is not None:
            actions.append(action)

    # The new record describes the new generation (the next update's base).
    # Files the user deleted stay recorded, so they stay deleted next time.
    contents = {path: file.content for path, file in new.files.items()}
    new_record = dataclasses.replace(old, perfproj_version=__version__, template=new.source,
                                     answers=new.answers, files=record.digests(contents))
    changes = [Change(action.path, action.before, action.after,
                      new.files[action.path].mode if action.path in new.files else None)
               for action in actions if action.before != action.after]
    for path, content in ((record.RECORD_FILE, record.dumps(new_record)),
                          (base_snapshot.SNAPSHOT_FILE, base_snapshot.snapshot_bytes(contents))):
        current = tree.read(path)
        if current != content:
            changes.append(Change(path, current, content))
    update_plan = Plan("update", tree.root, changes, require_clean=not allow_dirty)
    return UpdatePlan(update_plan, old, new_record, actions, new.notes)


# ---- telling the user ----

def _generated_by(generated: record.Record) -> str:
    if generated.template.source == source.BUILTIN:
        return f"perfproj {generated.perfproj_version}"
    return f"template {generated.template.source} {generated.template.revision[:12]}"


def _version_line(old: record.Record, new: record.Record) -> str:
    if old.template.source == source.BUILTIN:
        return f"{_generated_by(old)} -> {new.perfproj_version}"
    return f"{_generated_by(old)} -> {new.template.revision[:12]}"


def describe(plan: UpdatePlan) -> list[str]:
    """The summary: one line per file, grouped by outcome, then the counts."""
    lines = [f"{plan.project.name}: {_version_line(plan.old, plan.new)}"]
    lines += [f"  note: {note}" for note in plan.notes]
    counts = []
    for category in CATEGORIES:
        chosen = [action for action in plan.actions if action.category == category]
        for action in chosen:
            lines.append(f"  {category:<11} {action.path}" + (f"  ({action.detail})" if action.detail else ""))
        counts.append(f"{len(chosen)} {category}")
    lines.append("Summary: " + ", ".join(counts))
    return lines


def run(project: Path, *, dry_run: bool, check: bool, allow_dirty: bool, trust: bool,
        echo: Callable[[str], None], report: Callable[[str], None] | None = None) -> int:
    """The command: returns the exit code; raises PerfprojError on failure or conflicts."""
    writing = not dry_run and not check
    with open_project(project, writing=writing, report=report or echo) as tree:
        update_plan = plan_update(tree, trust, allow_dirty)
        if not update_plan.available:
            echo(f"{tree.root.name}: up to date ({_generated_by(update_plan.old)})")
            return 0
        if writing:
            preflight(update_plan.plan, tree)  # refuse (a dirty tree, a link) before showing anything
        for line in describe(update_plan):
            echo(line)
        if dry_run:
            echo(unified_diff(update_plan.plan.changes).rstrip("\n"))
            echo("Dry run: nothing was written.")
        if check:
            echo("An update is available: run `perfproj update` to apply it.")
            return 1
        if dry_run:
            return 0
        for note in apply(update_plan.plan, tree):
            echo(f"note: {note}")
    if update_plan.conflicted:
        raise PerfprojError(
            f"updated with {len(update_plan.conflicted)} conflicted file(s): resolve the <<<<<<< markers"
            " (presets keep your values), then commit")
    echo("Updated: review with `git diff`, then commit.")
    return 0
