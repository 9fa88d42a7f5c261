#!/usr/bin/env python3
"""Where build time goes: the report of a build-profile build (standard library only).

    python3 cmake/perfproj/scripts/build_profile.py BUILD_DIR [--top N] [--markdown FILE]

Reads what the build left in BUILD_DIR:
  Clang -ftime-trace   <object stem>.json next to each object: the headers
                       (Source events), templates (InstantiateClass,
                       InstantiateFunction) and functions (OptFunction,
                       CodeGen Function) with the most time summed over every
                       translation unit. Times are inclusive: a header's time
                       holds the headers it includes.
  GCC -ftime-report    <object>.time-report.txt (build_profile_launcher.py keeps
                       them): the phases and passes with the most wall time
                       summed over every translation unit, the slowest units.
  Ninja's .ninja_log   the slowest steps (each step's latest run); how many
                       steps the last build ran at once on average (the sum of
                       its step times over its wall time); and the critical
                       path: the longest chain of steps that wait for each
                       other in `ninja -t graph`, weighted by those times, which
                       no number of cores builds faster.
Prints the tables and writes them as Markdown to BUILD_DIR/build-profile.md
(or --markdown FILE). Clang's traces stay next to the objects: open one in
https://ui.perfetto.dev or chrome://tracing to see a compile on a time line.
Exit status 0, or 2 with a one-line error when there is nothing to report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Sequence, TypeVar

sys.dont_write_bytecode = True  # no __pycache__ inside the project's cmake/perfproj/

REPORT_SUFFIX = ".time-report.txt"  # build_profile_launcher.py's
TEMPLATE_EVENTS = ("InstantiateClass", "InstantiateFunction")
FUNCTION_EVENTS = {"OptFunction": "optimize", "CodeGen Function": "IR generation"}
# Steps of the log that are not the build's: CMake's clean (--clean-first) and this report.
NOT_BUILDING = re.compile(r"^clean$|(^|/)CMakeFiles/perfproj-build-profile(\.util)?$")
NAME_WIDTH = 120  # longer template and function names are cut short in the tables
VIEWERS = "https://ui.perfetto.dev or chrome://tracing"

K = TypeVar("K")


class ProfileError(Exception):
    """Input the report cannot use: one line on stderr, exit status 2."""


# ---- tallies: a name's time summed over the build -------------------------------------------


@dataclass
class Tally:
    seconds: float = 0.0
    count: int = 0


def tally(tallies: dict[K, Tally], key: K, seconds: float) -> None:
    entry = tallies.setdefault(key, Tally())
    entry.seconds += seconds
    entry.count += 1


def top(tallies: dict[K, Tally], count: int) -> list[tuple[K, Tally]]:
    """The count largest by time; equal times by name, so the order is stable."""
    return sorted(tallies.items(), key=lambda item: (-item[1].seconds, str(item[0])))[:count]


# ---- Clang -ftime-trace ----------------------------------------------------------------------


@dataclass
class ClangProfile:
    traces: list[Path] = field(default_factory=list)
    compile_seconds: float = 0.0  # ExecuteCompiler, summed over the traces
    source_seconds: float = 0.0  # Total Source: parsing included files, nesting counted once
    slowest: tuple[float, Path] | None = None  # the trace of the slowest compile
    headers: dict[str, Tally] = field(default_factory=dict)
    templates: dict[str, Tally] = field(default_factory=dict)
    functions: dict[tuple[str, str], Tally] = field(default_factory=dict)  # (stage, name)


def find_traces(build_dir: Path) -> list[Path]:
    """Clang's -ftime-trace files: <stem>.json next to the object <stem>.o (.obj), or to
    the precompiled header <stem>.pch."""
    return sorted(path for path in build_dir.rglob("*.json")
                  if any(path.with_suffix(suffix).is_file() for suffix in (".o", ".obj", ".pch")))


def trace_events(path: Path) -> list[dict[str, Any]]:
    """The complete ("X") events of a Chrome trace."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProfileError(f"{path}: not a readable Chrome trace ({error})") from None
    events = data.get("traceEvents") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise ProfileError(f"{path}: has no traceEvents: not a Clang -ftime-trace file")
    return [event for event in events if isinstance(event, dict) and event.get("ph") == "X"]


def event_seconds(event: dict[str, Any]) -> float:
    duration = event.get("dur")
    return duration / 1e6 if isinstance(duration, (int, float)) else 0.0


def event_detail(event: dict[str, Any]) -> str | None:
    args = event.get("args")
    detail = args.get("detail") if isinstance(args, dict) else None
    return detail if isinstance(detail, str) and detail else None


def header_name(path: str, source_dir: Path | None) -> str:
    """A header's path without ../ detours; relative to the source tree when inside it."""
    normal = os.path.normpath(path)
    if source_dir is not None and normal.startswith(f"{source_dir}{os.sep}"):
        return os.path.relpath(normal, source_dir)
    return normal


def add_trace(profile: ClangProfile, path: Path, events: list[dict[str, Any]], source_dir: Path | None) -> None:
    profile.traces.append(path)
    for event in events:
        name = event.get("name")
        seconds = event_seconds(event)
        if name == "ExecuteCompiler":
            profile.compile_seconds += seconds
            if profile.slowest is None or seconds > profile.slowest[0]:
                profile.slowest = (seconds, path)
        elif name == "Total Source":
            profile.source_seconds += seconds
        detail = event_detail(event)
        if detail is None:
            continue
        if name == "Source":
            tally(profile.headers, header_name(detail, source_dir), seconds)
        elif name in TEMPLATE_EVENTS:
            tally(profile.templates, detail, seconds)
        elif isinstance(name, str) and name in FUNCTION_EVENTS:
            tally(profile.functions, (FUNCTION_EVENTS[name], detail), seconds)


def demangle(names: list[str]) -> dict[str, str]:
    """Readable names for mangled ones (OptFunction's), through c++filt when installed."""
    mangled = sorted({name for name in names if name.startswith("_Z")})
    program = shutil.which("c++filt")
    if not mangled or program is None:
        return {}
    result = subprocess.run([program], input="\n".join(mangled) + "\n", capture_output=True, text=True)
    readable = result.stdout.splitlines()
    if result.returncode != 0 or len(readable) != len(mangled):
        return {}
    return dict(zip(mangled, readable))


def demangled_functions(functions: dict[tuple[str, str], Tally]) -> dict[tuple[str, str], Tally]:
    names = demangle([name for _, name in functions])
    merged: dict[tuple[str, str], Tally] = {}
    for (stage, name), entry in functions.items():
        target = merged.setdefault((stage, names.get(name, name)), Tally())
        target.seconds += entry.seconds
        target.count += entry.count
    return merged


def read_clang(build_dir: Path, source_dir: Path | None) -> ClangProfile:
    profile = ClangProfile()
    for path in find_traces(build_dir):
        add_trace(profile, path, trace_events(path), source_dir)
    profile.functions = demangled_functions(profile.functions)
    return profile


# ---- GCC -ftime-report -----------------------------------------------------------------------

_GCC_TOTAL = re.compile(r"^ TOTAL\s*:\s*(?P<usr>\d+\.\d+)\s+(?P<sys>\d+\.\d+)\s+(?P<wall>\d+\.\d+)")
_PERCENT = r"\(\s*\d+%\)"
_GCC_ROW = re.compile(rf"^ (?P<name>\S.*?)\s*:\s*(?P<usr>\d+\.\d+)\s*{_PERCENT}\s*(?P<sys>\d+\.\d+)\s*{_PERCENT}"
                      rf"\s*(?P<wall>\d+\.\d+)\s*{_PERCENT}")


@dataclass
class TimeReport:
    """One translation unit's -ftime-report: wall seconds, in all and per timer."""

    unit: str  # its object, relative to the build directory
    total: float
    timers: dict[str, float]


def timer_name(raw: str) -> str:
    """GCC marks timers that also run inside others with a leading |."""
    return f"{raw[1:].strip()} (nested)" if raw.startswith("|") else raw


def parse_time_report(text: str, unit: str) -> TimeReport:
    timers: dict[str, float] = {}
    total = None
    for line in text.splitlines():
        match = _GCC_TOTAL.match(line)
        if match:
            total = float(match["wall"])
            continue
        match = _GCC_ROW.match(line)
        if match:
            name = timer_name(match["name"])
            timers[name] = timers.get(name, 0.0) + float(match["wall"])
    if total is None:
        raise ProfileError(f"{unit}{REPORT_SUFFIX}: has no TOTAL line: not a GCC -ftime-report")
    return TimeReport(unit, total, timers)


def read_gcc(build_dir: Path) -> list[TimeReport]:
    reports = []
    for path in sorted(build_dir.rglob(f"*{REPORT_SUFFIX}")):
        unit = path.relative_to(build_dir).as_posix()[:-len(REPORT_SUFFIX)]
        if not (build_dir / unit).is_file():
            continue  # the object is gone (a removed source, a clean): so is its compile
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise ProfileError(f"{path}: {error.strerror}") from None
        reports.append(parse_time_report(text, unit))
    return reports


def gcc_timers(reports: list[TimeReport]) -> dict[str, Tally]:
    """Each timer's wall time summed over the translation units that ran it."""
    timers: dict[str, Tally] = {}
    for report in reports:
        for name, seconds in report.timers.items():
            tally(timers, name, seconds)
    return timers


# ---- Ninja's log and graph -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One command of a build: when it ran (seconds since its build started) and what it made."""

    start: float
    end: float
    outputs: tuple[str, ...]

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def name(self) -> str:
        more = len(self.outputs) - 1
        return self.outputs[0] + (f" (+{more} more)" if more else "")


def parse_ninja_log(text: str, where: str = ".ninja_log") -> list[Step]:
    """The log's steps in order. Ninja writes one line per output, with the times and
    command hash of their step: consecutive lines that share them are one step."""
    lines = text.splitlines()
    header = re.fullmatch(r"# ninja log v(\d+)\s*", lines[0]) if lines else None
    if header is None or int(header[1]) < 5:
        raise ProfileError(f"{where}: not a Ninja log of version 5 or later")
    steps: list[Step] = []
    previous: tuple[str, str, str] | None = None
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 5 or not fields[0].isdigit() or not fields[1].isdigit():
            raise ProfileError(f"{where}:{number}: not a Ninja log line (start, end, mtime, output, hash)")
        key = (fields[0], fields[1], fields[4])
        if key == previous:
            last = steps[-1]
            steps[-1] = Step(last.start, last.end, last.outputs + (fields[3],))
        else:
            steps.append(Step(int(fields[0]) / 1000, int(fields[1]) / 1000, (fields[3],)))
        previous = key
    return [step for step in steps if not all(NOT_BUILDING.search(output) for output in step.outputs)]


def latest_steps(steps: list[Step]) -> list[Step]:
    """Each step's latest run, as Ninja reads its own log: a later line for an output wins."""
    latest: dict[str, int] = {}
    for index, step in enumerate(steps):
        for output in step.outputs:
            latest[output] = index
    kept = set(latest.values())
    return [step for index, step in enumerate(steps) if index in kept]


def last_build(steps: list[Step]) -> list[Step]:
    """The steps of the last build: the longest tail of the log in which no output repeats
    and end times never decrease (a build's times start at 0, a step is logged as it ends)."""
    build: list[Step] = []
    seen: set[str] = set()
    for step in reversed(steps):
        if build and step.end > build[-1].end or seen.intersection(step.outputs):
            break
        build.append(step)
        seen.update(step.outputs)
    return build[::-1]


@dataclass
class Parallelism:
    steps: int
    step_seconds: float  # the sum of the steps' times
    wall_seconds: float  # from the first start to the last end

    @property
    def average(self) -> float:
        return self.step_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0


def parallelism(build: list[Step]) -> Parallelism:
    if not build:
        return Parallelism(0, 0.0, 0.0)
    wall = max(step.end for step in build) - min(step.start for step in build)
    return Parallelism(len(build), sum(step.seconds for step in build), wall)


@dataclass
class Graph:
    """The build graph: each edge (a command) with its inputs and outputs, by path."""

    inputs: list[list[str]] = field(default_factory=list)
    outputs: list[list[str]] = field(default_factory=list)
    producer: dict[str, int] = field(default_factory=dict)  # path -> the edge that makes it

    def add_edge(self, inputs: list[str], outputs: list[str]) -> None:
        for output in outputs:
            self.producer[output] = len(self.inputs)
        self.inputs.append(inputs)
        self.outputs.append(outputs)


_DOT_NODE = re.compile(r'^"(?P<id>[^"]+)" \[label="(?P<label>.*)"(?P<ellipse>, shape=ellipse)?\]$')
_DOT_ARROW = re.compile(r'^"(?P<source>[^"]+)" -> "(?P<target>[^"]+)"(?: \[(?P<attributes>.*)\])?$')


def parse_ninja_graph(dot: str) -> Graph:
    """`ninja -t graph`: a node per path; a command with one input and one output is an
    arrow labelled with its rule, any other is an ellipse node with arrows from its
    inputs (arrowhead=none) and to its outputs."""
    labels: dict[str, str] = {}
    commands: dict[str, tuple[list[str], list[str]]] = {}  # ellipse id -> (input ids, output ids)
    simple: list[tuple[str, str]] = []
    for line in dot.splitlines():
        node = _DOT_NODE.match(line)
        if node and node["ellipse"]:
            commands.setdefault(node["id"], ([], []))
        elif node:
            labels[node["id"]] = node["label"]
        arrow = _DOT_ARROW.match(line)
        if arrow is None:
            continue
        attributes = arrow["attributes"] or ""
        if attributes.startswith("label="):
            simple.append((arrow["source"], arrow["target"]))
        elif "arrowhead=none" in attributes:
            commands.setdefault(arrow["target"], ([], []))[0].append(arrow["source"])
        else:
            commands.setdefault(arrow["source"], ([], []))[1].append(arrow["target"])
    graph = Graph()
    for source, target in simple:
        graph.add_edge([labels.get(source, source)], [labels.get(target, target)])
    for inputs, outputs in commands.values():
        graph.add_edge([labels.get(node, node) for node in inputs], [labels.get(node, node) for node in outputs])
    return graph


def edge_weights(graph: Graph, steps: list[Step]) -> list[float]:
    """Each edge's time: its latest logged run (0 for phony edges and steps never run)."""
    seconds = {output: step.seconds for step in steps for output in step.outputs}
    return [max((seconds.get(output, 0.0) for output in outputs), default=0.0) for outputs in graph.outputs]


def finish_times(graph: Graph, weights: list[float]) -> dict[str, float]:
    """When each path would be ready with unlimited cores: its command's time after the
    latest of its inputs. Iterative, so a deep graph cannot exhaust Python's stack."""
    finish: dict[str, float] = {}
    paths = set(graph.producer) | {path for inputs in graph.inputs for path in inputs}
    for root in sorted(paths):
        stack = [(root, False)]
        in_progress: set[str] = set()
        while stack:
            path, expanded = stack.pop()
            if path in finish:
                continue
            edge = graph.producer.get(path)
            inputs = graph.inputs[edge] if edge is not None else []
            if expanded:
                in_progress.discard(path)
                ready = max((finish[node] for node in inputs), default=0.0)
                finish[path] = ready + (weights[edge] if edge is not None else 0.0)
                continue
            if path in in_progress:
                raise ProfileError(f"the build graph has a cycle through {path}")
            in_progress.add(path)
            stack.append((path, True))
            stack.extend((node, False) for node in inputs if node not in finish)
    return finish


def critical_path(graph: Graph, weights: list[float]) -> tuple[float, list[int]]:
    """The longest chain's time and its edges, first to last (edges that took no time left out)."""
    finish = finish_times(graph, weights)
    if not finish:
        return 0.0, []
    path: str | None = max(finish, key=lambda node: (finish[node], node))
    total = finish[path] if path is not None else 0.0
    chain: list[int] = []
    while path is not None and path in graph.producer:
        edge = graph.producer[path]
        chain.append(edge)
        inputs = graph.inputs[edge]
        path = max(inputs, key=lambda node: (finish[node], node)) if inputs else None
    return total, [edge for edge in reversed(chain) if weights[edge] > 0]


def cache_value(build_dir: Path, name: str) -> str | None:
    """A variable of the build's CMakeCache.txt, if it has one."""
    try:
        text = (build_dir / "CMakeCache.txt").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(rf"^{re.escape(name)}:[A-Z_]+=(.*)$", text, re.MULTILINE)
    return match[1].strip() if match else None


def ninja_graph(build_dir: Path) -> tuple[Graph | None, str]:
    """The build's graph from `ninja -t graph`, or None and why not."""
    program = cache_value(build_dir, "CMAKE_MAKE_PROGRAM") or shutil.which("ninja") or shutil.which("ninja-build")
    if not program:
        return None, "ninja is not installed"
    try:
        result = subprocess.run([program, "-t", "graph"], cwd=build_dir, capture_output=True, text=True)
    except OSError as error:
        return None, f"{program}: {error.strerror}"
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        return None, f"`ninja -t graph` failed: {lines[-1] if lines else result.returncode}"
    graph = parse_ninja_graph(result.stdout)
    return (graph, "") if graph.outputs else (None, "`ninja -t graph` printed no build graph")


# ---- the report ------------------------------------------------------------------------------


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    numbers: int = 1  # the first columns hold numbers: aligned right


def seconds_text(seconds: float) -> str:
    return f"{seconds:.2f}"


def short(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[:NAME_WIDTH - 3] + "..."


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(table: Table) -> str:
    """A Markdown table, padded so that it reads as well in a terminal."""
    rows = [[cell(text) for text in row] for row in table.rows]
    widths = [max(len(row[index]) for row in [table.columns, *rows]) for index in range(len(table.columns))]

    def line(values: list[str]) -> str:
        padded = [value.rjust(width) if index < table.numbers else value.ljust(width)
                  for index, (value, width) in enumerate(zip(values, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (width - 1) + ":" if index < table.numbers else "-" * width for index, width in enumerate(widths)]
    return "\n".join([line(table.columns), line(rule), *(line(row) for row in rows)])


def tally_row(entry: Tally) -> list[str]:
    return [seconds_text(entry.seconds), str(entry.count), f"{entry.seconds / entry.count * 1000:.1f}"]


def tally_table(tallies: list[tuple[str, Tally]], count_column: str, name_column: str) -> Table:
    rows = [tally_row(entry) + [short(name)] for name, entry in tallies]
    return Table(["total s", count_column, "avg ms", name_column], rows, numbers=3)


def critical_path_text(build_dir: Path, latest: list[Step]) -> tuple[str, Table | None]:
    """The critical path's headline, and its steps (None when Ninja's graph cannot be read)."""
    graph, why_not = ninja_graph(build_dir)
    if graph is None:
        longest = max(latest, key=lambda step: step.seconds)
        return (f"Critical path: at least {seconds_text(longest.seconds)} s, the longest step "
                f"(no chain of steps: {why_not})."), None
    weights = edge_weights(graph, latest)
    total, chain = critical_path(graph, weights)
    rows = [[seconds_text(weights[edge]), " ".join(graph.outputs[edge])] for edge in chain]
    return (f"Critical path: {seconds_text(total)} s through {len(chain)} steps that wait for each other: "
            "no number of cores builds faster (each step at its latest time)."), Table(["s", "step"], rows)


def read_ninja_log(build_dir: Path) -> list[Step] | None:
    log = build_dir / ".ninja_log"
    if not log.is_file():
        return None
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise ProfileError(f"{log}: {error.strerror}") from None
    return parse_ninja_log(text, str(log))


def ninja_section(build_dir: Path, top_n: int) -> list[str]:
    lines = ["## Build steps (Ninja)", ""]
    steps = read_ninja_log(build_dir)
    if steps is None:
        return lines + [f"No .ninja_log in {build_dir}: step times need the Ninja generator (the presets use it)."]
    latest = latest_steps(steps)
    if not latest:
        return lines + ["The Ninja log has no steps yet: build first."]
    last = parallelism(last_build(steps))
    headline, chain = critical_path_text(build_dir, latest)
    slowest = sorted(latest, key=lambda step: (-step.seconds, step.name))[:top_n]
    lines += [f"Last build: {last.steps} steps, {seconds_text(last.step_seconds)} s of step time in "
              f"{seconds_text(last.wall_seconds)} s: {last.average:.2f} steps at once on average.", headline,
              "", f"### The {len(slowest)} slowest steps", "",
              render(Table(["s", "step"], [[seconds_text(step.seconds), step.name] for step in slowest]))]
    if chain is not None:
        lines += ["", "### The critical path, first step to last", "", render(chain)]
    return lines


def clang_section(profile: ClangProfile, build_dir: Path, top_n: int) -> list[str]:
    share = profile.source_seconds / profile.compile_seconds * 100 if profile.compile_seconds else 0.0
    lines = ["## Clang -ftime-trace", "",
             f"{len(profile.traces)} compiles, {seconds_text(profile.compile_seconds)} s in all, "
             f"{share:.0f}% of it parsing included files."]
    if profile.slowest is not None:
        trace = profile.slowest[1].relative_to(build_dir).as_posix()
        lines.append(f"Chrome traces: one next to each object, the slowest compile's is {trace}: "
                     f"open it in {VIEWERS}.")
    lines += ["", f"### Headers (top {top_n}, inclusive: with the headers they include)", "",
              render(tally_table(top(profile.headers, top_n), "includes", "header")),
              "", f"### Templates (top {top_n})", "",
              render(tally_table(top(profile.templates, top_n), "instances", "template"))]
    functions = [tally_row(entry) + [stage, short(name)] for (stage, name), entry in top(profile.functions, top_n)]
    lines += ["", f"### Functions (top {top_n}; optimize: OptFunction, IR generation: CodeGen Function)", "",
              render(Table(["total s", "times", "avg ms", "stage", "function"], functions, numbers=3))]
    return lines


def gcc_section(reports: list[TimeReport], top_n: int) -> list[str]:
    total = sum(report.total for report in reports)
    timers = gcc_timers(reports)
    phases = {name: entry for name, entry in timers.items() if name.startswith("phase ")}
    passes = {name: entry for name, entry in timers.items() if not name.startswith("phase ")}

    def shared(items: list[tuple[str, Tally]]) -> Table:
        rows = [[seconds_text(entry.seconds), f"{entry.seconds / total * 100:.0f}%" if total else "-", name]
                for name, entry in items]
        return Table(["wall s", "share", "timer"], rows, numbers=2)

    slowest = sorted(reports, key=lambda report: (-report.total, report.unit))[:top_n]
    return ["## GCC -ftime-report", "",
            f"{len(reports)} compiles, {seconds_text(total)} s of wall time in all "
            "(the tables: <object>.time-report.txt next to each object).",
            "", "### Phases", "", render(shared(top(phases, len(phases)))),
            "", f"### Timers (top {top_n}; nested: also counted in another timer)", "",
            render(shared(top(passes, top_n))),
            "", f"### The {len(slowest)} slowest translation units", "",
            render(Table(["wall s", "object"], [[seconds_text(report.total), report.unit] for report in slowest]))]


def build_report(build_dir: Path, top_n: int) -> str:
    """The whole report, as Markdown."""
    if not build_dir.is_dir():
        raise ProfileError(f"{build_dir} is not a build directory")
    source = cache_value(build_dir, "CMAKE_HOME_DIRECTORY")
    clang = read_clang(build_dir, Path(source) if source else None)
    gcc = read_gcc(build_dir)
    if not clang.traces and not gcc and not (build_dir / ".ninja_log").is_file():
        raise ProfileError(f"nothing to report in {build_dir}: build it first, with the build-profile preset "
                           "(or -DPERFPROJ_BUILD_PROFILE=ON) for the compilers' own reports")
    lines = [f"# Where build time goes: {build_dir}", ""] + ninja_section(build_dir, top_n)
    if clang.traces:
        lines += [""] + clang_section(clang, build_dir, top_n)
    if gcc:
        lines += [""] + gcc_section(gcc, top_n)
    if not clang.traces and not gcc:
        lines += ["", "No -ftime-trace or -ftime-report output: configure with -DPERFPROJ_BUILD_PROFILE=ON "
                      "(the build-profile preset does) and build again."]
    return "\n".join(lines) + "\n"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        self.exit(2, f"build_profile: error: {message} (see --help)\n")


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="build_profile.py", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir", type=Path, metavar="BUILD_DIR", help="the build directory (build/build-profile)")
    parser.add_argument("--top", type=positive, default=15, metavar="N", help="rows per table (default 15)")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="default: BUILD_DIR/build-profile.md")
    args = parser.parse_args(argv)
    try:
        text = build_report(args.build_dir, args.top)
        markdown = args.markdown or args.build_dir / "build-profile.md"
        markdown.write_text(text, encoding="utf-8")
    except ProfileError as error:
        print(f"build_profile: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"build_profile: error: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    print(text, end="")
    print(f"\nbuild_profile: wrote {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
