"""What tune leaves behind: the table, and the winner as a preset that rebuilds it.

Under .perfproj/tune/ (committed with the project):

  results.md, results.json  every candidate: speed vs plain Release with its
                            confidence interval, build time, binary size, fate
  profile/                  the winner's PGO profile (a PGO winner only)
  bolt/                     its BOLT profiles, <executable>.fdata (a pgo-bolt winner only)
  presets.json              `tuned`: configure, build, test and workflow presets
                            that rebuild the winner from a clean checkout, the
                            profile included (PERFPROJ_PGO=USE with profile/)

and one `include` of presets.json in the project's CMakePresets.json (or the
file adopt put its include in: the
same byte-preserving insertion adopt uses), so
`cmake --workflow --preset tuned` reproduces the winner on any machine with
its compiler, CI included. Nothing else of the project is touched.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from perfproj.changes import Change
from perfproj.changes.confined import Tree
from perfproj.project import presets_file
from perfproj.tune import stats
from perfproj.tune.measure import Workload
from perfproj.tune.search import Entry, Result

TUNE_STATE = ".perfproj/tune"
PRESETS = f"{TUNE_STATE}/presets.json"
PROFILE = f"{TUNE_STATE}/profile"
BOLT = f"{TUNE_STATE}/bolt"
PRESET = "tuned"


def _speed(entry: Entry) -> tuple[float, float, float] | None:
    if not entry.samples:
        return None
    low, high = stats.interval(entry.samples, entry.reference)
    return stats.speed(entry.samples, entry.reference), low, high


def rows(result: Result) -> list[dict[str, Any]]:
    table = []
    for entry in result.entries:
        speed = _speed(entry)
        table.append({
            "candidate": entry.name, "stage": entry.stage, "status": entry.status,
            "speed_vs_plain": None if speed is None else round(speed[0], 4),
            "ci95": None if speed is None else [round(speed[1], 4), round(speed[2], 4)],
            "rounds": len(entry.samples),
            "noise": None if not entry.samples else round(stats.noise(entry.samples), 4),
            "build_seconds": None if entry.built is None else round(entry.built.seconds, 1),
            "binary_bytes": entry.size or None,
            "stale_profile_warnings": None if entry.built is None else entry.built.stale_warnings,
            # the raw per-round times (seconds, or the benchmarks' geometric mean), so a table can be re-derived
            "times": [round(value, 6) for value in entry.samples],
            "plain_times": [round(value, 6) for value in entry.reference],
        })
    return table


def request(workload: Workload, train_command: str | None) -> dict[str, Any]:
    """How the winner was measured, so the same workload can time it again (tests/benchmarks/bench_tune.py)."""
    return {"workload": workload.command, "check": workload.check, "output_varies": workload.output_varies,
            "train_command": train_command}


def markdown(result: Result, workload: str, machine_notes: list[str]) -> str:
    lines = ["# perfproj tune", "",
             f"Workload: {workload}. Winner: **{result.winner.name}** "
             f"({_describe_speed(_last_measured(result))} plain Release). Total time {result.seconds / 60:.1f} min.",
             "",
             "| candidate | stage | speed vs plain (95% CI) | rounds | build | binary | status |",
             "|---|---|---:|---:|---:|---:|---|"]
    for row in rows(result):
        speed = "" if row["speed_vs_plain"] is None else (
            f"{row['speed_vs_plain']:.3f} ({row['ci95'][0]:.3f}-{row['ci95'][1]:.3f})")
        build = "" if row["build_seconds"] is None else f"{row['build_seconds']:.0f} s"
        size = "" if not row["binary_bytes"] else f"{row['binary_bytes'] / 1024:.0f} KiB"
        lines.append(f"| {row['candidate']} | {row['stage']} | {speed} | {row['rounds']} | {build} | {size} "
                     f"| {row['status']} |")
    lines += ["", "Speed: median over interleaved rounds of the per-round ratio to plain Release (>1 = faster). "
              "A candidate replaces a simpler one only when it is significantly faster, round by round "
              "(a one-sided Wilcoxon signed-rank test, p < 0.01, and a confidence interval above 1)."]
    notes = machine_notes + result.notes
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def _last_measured(result: Result) -> Entry:
    """The winner as last timed: a stage whose challengers were all skipped or left out times nothing."""
    timed = [entry for entry in result.entries if entry.candidate == result.winner.candidate and entry.samples]
    return timed[-1] if timed else result.winner


def _describe_speed(entry: Entry) -> str:
    speed = _speed(entry)
    return "measured against" if speed is None else f"{speed[0]:.3f}x"


def tuned_presets(result: Result, release_preset: str, compilers: dict[str, tuple[str, str]],
                  test_base: str | None, perfproj_presets: str) -> dict[str, Any]:
    """The `tuned` presets. They inherit the release preset, so their file includes perfproj's
    presets itself (CMake resolves `inherits` within a file's own includes; a file included
    twice counts once)."""
    candidate = result.winner.candidate
    assert candidate is not None
    cc, cxx = compilers[candidate.compiler]
    variables = {"CMAKE_C_COMPILER": cc, "CMAKE_CXX_COMPILER": cxx,
                 "PERFPROJ_ARCH": candidate.arch, "PERFPROJ_ALLOCATOR": candidate.alloc}
    if candidate.pgo:
        variables.update(PERFPROJ_PGO="USE", PERFPROJ_PGO_DIR=f"${{sourceDir}}/{PROFILE}")
    if candidate.opt == "pgo-bolt":
        variables.update(PERFPROJ_BOLT="ON", PERFPROJ_BOLT_PROFILE_DIR=f"${{sourceDir}}/{BOLT}")
    test: dict[str, Any] = {"name": PRESET, "configurePreset": PRESET}
    if test_base:
        test["inherits"] = test_base
    return {
        "version": presets_file.PERFPROJ_SCHEMA,
        "include": [posixpath.relpath(perfproj_presets, TUNE_STATE)],
        "configurePresets": [{"name": PRESET, "inherits": release_preset,
                              "displayName": f"tuned: {candidate.name}, picked by perfproj tune",
                              "cacheVariables": variables}],
        "buildPresets": [{"name": PRESET, "configurePreset": PRESET}],
        "testPresets": [test],
        "workflowPresets": [{"name": PRESET, "steps": [{"type": "configure", "name": PRESET},
                                                       {"type": "build", "name": PRESET},
                                                       {"type": "test", "name": PRESET}]}],
    }


def changes(tree: Tree, files: dict[str, bytes], root_presets: str) -> list[Change]:
    """Every change tune makes: `files` (relative to the project) and the include in `root_presets`.

    Files of an earlier tune under .perfproj/tune/ that this one does not write go (tune owns them).
    """
    planned: list[Change] = []
    for path, content in sorted(files.items()):
        old = tree.read(path)
        if old != content:
            planned.append(Change(path, old, content))
    if tree.is_dir(TUNE_STATE):
        for path in tree.files(TUNE_STATE):
            if path not in files:
                planned.append(Change(path, tree.read(path), None))
    if PRESETS not in files:
        return planned
    root = tree.read(root_presets)
    if root is None:
        planned.append(Change(root_presets, None, presets_file.new_file(PRESETS).encode()))
    else:
        existing = presets_file.parse(root, tree.root / root_presets)
        updated = presets_file.with_include(existing, PRESETS).encode("utf-8")
        if updated != root:
            planned.append(Change(root_presets, root, updated))
    return planned


def profile_files(profile_dir: Path) -> dict[str, bytes]:
    """The winner's profile (GCC: .gcda files; Clang: the merged .profdata), keyed under profile/."""
    files = {}
    for path in sorted(profile_dir.rglob("*")):
        if path.is_file() and path.suffix in (".gcda", ".profdata"):
            files[f"{PROFILE}/{path.relative_to(profile_dir).as_posix()}"] = path.read_bytes()
    return files


def bolt_files(build_dir: Path) -> dict[str, bytes]:
    """The merged BOLT profiles of a pgo-bolt build (<name>.fdata; the per-run <name>.<pid>.fdata stay)."""
    folder = build_dir / "bolt-profile"
    return {f"{BOLT}/{path.name}": path.read_bytes() for path in sorted(folder.glob("*.fdata"))
            if path.name.count(".") == 1}


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode()
