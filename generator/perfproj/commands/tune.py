"""`perfproj tune`: measure the candidate builds on the project's own workload, keep the winner.

Plan, then apply, like every writing command: the search (tune/search.py)
builds and times candidates under build/tune/, which is build output; what
the project keeps is written at the end through the change pipeline: the
table, the winner's profile and its `tuned` presets (tune/report.py). The
project stays locked for the whole run, so no perfproj update meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from perfproj.changes import Plan, open_project
from perfproj.changes.apply import apply, require_clean
from perfproj.changes.confined import Tree
from perfproj.errors import UsageError
from perfproj.project import record
from perfproj.tune import candidates, measure, report, search
from perfproj.tune.builds import Project

_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?\Z")


@dataclass
class TuneRequest:
    path: Path
    workload: str | None = None
    train_command: str | None = None
    check: str | None = None
    output_varies: bool = False
    candidates: str | None = None
    budget: str | None = None
    rounds: int | None = None  # None: search.Settings' default
    exhaustive: bool = False
    dry_run: bool = False
    allow_dirty: bool = False


def parse_budget(text: str | None) -> float | None:
    if not text:
        return None
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        raise UsageError(f"--budget {text!r}: write it like 30m, 1h30m or 900s")
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


@dataclass
class _Layout:
    """Where the project keeps perfproj's things, from its record."""

    project: Project
    test_base: str  # the hidden test preset to inherit
    perfproj_presets: str  # perfproj's presets file
    root_presets: str  # the file that includes it (and gets the tuned presets' include)


def _layout(tree: Tree, request: TuneRequest, log: Callable[[str], None],
            compilers: dict[str, tuple[str, str]]) -> _Layout:
    made = record.read_record(tree)
    project = Project(tree.root, made.preset("release"), made.modules_dir, request.train_command, compilers, log)
    return _Layout(project, made.preset("perfproj-test-base"), f"{made.modules_dir}/presets/perfproj.json",
                   made.presets_file)


def _last_plain_seconds(tree: Tree) -> float | None:
    import json

    data = tree.read(f"{report.TUNE_STATE}/results.json")
    try:
        return float(next(row["build_seconds"] for row in json.loads(data or b"{}").get("candidates", [])
                          if row["candidate"] == "plain"))
    except (StopIteration, ValueError, KeyError, TypeError):
        return None


def run(request: TuneRequest, echo: Callable[[str], None], report_line: Callable[[str], None]) -> int:
    budget = parse_budget(request.budget)
    if request.rounds is not None and request.rounds < search.MIN_DECISIVE_ROUNDS:
        raise UsageError(f"--rounds must be at least {search.MIN_DECISIVE_ROUNDS} (with fewer, no candidate can "
                         "ever be significantly faster than a simpler one)")
    if request.workload and request.train_command and request.workload.strip() == request.train_command.strip():
        report_line("perfproj tune: warning: the training command is the timed workload: PGO then learns the "
                    "exact input it is timed on, and the winner may be slower on anything else")
    machine = candidates.discover()
    chosen = candidates.narrow(machine, request.candidates)
    with open_project(request.path, writing=not request.dry_run, report=report_line) as tree:
        layout = _layout(tree, request, report_line, machine.compilers)
        project = layout.project
        if request.dry_run:
            for note in machine.notes:
                echo(f"note: {note}")
            for line in search.plan_text(chosen, request.exhaustive, _last_plain_seconds(tree), machine.allows):
                echo(line)
            echo("Dry run: nothing was built.")
            return 0
        if not request.allow_dirty:
            require_clean(tree.root)  # checked now: the search takes a while, the rule would refuse its end
        workload = measure.Workload.create(request.workload, request.check, request.output_varies)
        settings = search.Settings(budget=budget, exhaustive=request.exhaustive)
        if request.rounds is not None:
            settings.rounds = request.rounds
        result = search.Search(project, workload, chosen, settings, report_line, machine.allows).run()

        files = {
            f"{report.TUNE_STATE}/results.md": report.markdown(result, workload.describe(), machine.notes).encode(),
            f"{report.TUNE_STATE}/results.json": report.json_bytes(
                {"workload": workload.describe(), "winner": result.winner.name, "seconds": round(result.seconds),
                 "request": report.request(workload, request.train_command), "candidates": report.rows(result)}),
        }
        winner = result.winner
        if winner.candidate is not None:
            if winner.candidate.pgo and winner.built is not None and winner.built.profile_dir is not None:
                files.update(report.profile_files(winner.built.profile_dir))
            if winner.candidate.opt == "pgo-bolt" and winner.built is not None:
                files.update(report.bolt_files(winner.built.build_dir))
            files[report.PRESETS] = report.json_bytes(
                report.tuned_presets(result, project.release_preset, machine.compilers, layout.test_base,
                                     layout.perfproj_presets))
        plan = Plan("tune", tree.root, report.changes(tree, files, layout.root_presets),
                    require_clean=not request.allow_dirty)
        for note in apply(plan, tree):
            report_line(f"perfproj: {note}")
    for line in (files[f"{report.TUNE_STATE}/results.md"].decode().splitlines()):
        echo(line)
    echo(f"Written to {report.TUNE_STATE}/; `cmake --workflow --preset {report.PRESET}` rebuilds the winner.")
    return 0
