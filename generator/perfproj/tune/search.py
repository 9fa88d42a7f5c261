"""The staged search: a few builds per stage, the winner carried into the next.

  1. compiler x PGO   every compiler, with LTO and with PGO+LTO (portable, system malloc)
  2. arch             the winner for x86-64-v3 (its PGO profile reused where valid)
  3. BOLT             a PGO winner with BOLT on top
  4. allocator        the winner with each installed allocator

In each stage the candidates run interleaved with the stage's incumbent and
the plain Release build, round after round. A candidate whose confidence
interval lies wholly below the current leader's speed is dropped early; the
stage ends when one is left or the rounds are done. A challenger replaces the
incumbent only when it is significantly faster (stats.py); otherwise the
simpler build is kept. `exhaustive` measures the whole cross product in one
session instead, with no early stops: the yardstick for the staged search.

The budget bounds the wall time: a build that would not fit is skipped (and
reported as skipped), and measuring stops when time is up.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from perfproj.errors import PerfprojError
from perfproj.tune import builds, measure, stats
from perfproj.tune.builds import Built, Project
from perfproj.tune.candidates import Candidate

# Rough build cost of each kind, in plain Release builds (a first estimate, replaced by what was measured).
BUILD_COST = {"lto": 1.3, "pgo": 3.0, "pgo-bolt": 3.6, "reuse": 1.3}


@dataclass
class Entry:
    """One candidate as the report shows it."""

    candidate: Candidate | None
    stage: str
    built: Built | None = None
    samples: list[float] = field(default_factory=list)  # this candidate, one per round
    reference: list[float] = field(default_factory=list)  # the plain build in the same rounds
    status: str = ""  # winner / kept / not faster / dropped early / skipped / failed ...
    size: int = 0

    @property
    def name(self) -> str:
        return self.candidate.name if self.candidate else "plain"


@dataclass
class Result:
    entries: list[Entry]
    winner: Entry
    plain: Entry
    seconds: float
    notes: list[str] = field(default_factory=list)


@dataclass
class Settings:
    rounds: int = 12  # at most, per stage
    min_rounds: int = 5  # before anything is dropped or decided
    budget: float | None = None  # seconds
    exhaustive: bool = False


class Search:
    def __init__(self, project: Project, workload: measure.Workload, chosen: dict[str, tuple[str, ...]],
                 settings: Settings, log: Callable[[str], None],
                 allows: Callable[[Candidate], bool] = lambda candidate: True) -> None:
        self.project = project
        self.workload = workload
        self.chosen = chosen
        self.allows = allows  # a candidate this machine can build (candidates.Machine.allows)
        self.settings = settings
        self.log = log
        self.start = time.monotonic()
        self.profiles: dict[str, Path] = {}
        self.entries: list[Entry] = []
        self.plain_seconds = 0.0
        self.reference_output: str | None = None
        self.notes: list[str] = []

    # ---- time and budget ----

    def _left(self) -> float:
        if self.settings.budget is None:
            return float("inf")
        return self.settings.budget - (time.monotonic() - self.start)

    def _cost(self, candidate: Candidate) -> float:
        kind = "reuse" if candidate.opt == "pgo" and candidate.compiler in self.profiles else candidate.opt
        return BUILD_COST[kind] * max(self.plain_seconds, 1.0)

    def _eta(self, pending: list[Candidate]) -> str:
        seconds = sum(self._cost(candidate) for candidate in pending)
        return f"about {max(1, round(seconds / 60))} min of builds left in this stage"

    # ---- building and checking ----

    def _build(self, candidate: Candidate, stage: str, pending: list[Candidate]) -> Entry:
        entry = Entry(candidate, stage)
        if self._cost(candidate) > self._left():
            entry.status = "skipped: the budget would not cover its build"
            self.log(f"tune [{stage}] {candidate.name}: skipped, the budget would not cover its build")
            return entry
        self.log(f"tune [{stage}] building {candidate.name} ({self._eta(pending)})")
        try:
            entry.built = builds.build(self.project, candidate, self.profiles)
        except PerfprojError as error:
            entry.status = f"failed to build: {error}"
            self.log(f"  {candidate.name}: {entry.status}")
            return entry
        problem = measure.check(self.workload, entry.built, self.project.root, self.reference_output)
        if problem:
            entry.status = f"rejected: {problem}"
            self.log(f"  {candidate.name}: {entry.status}")
        entry.size = self._size(entry.built)
        return entry

    def _size(self, built: Built) -> int:
        return builds.binaries_size(built.build_dir, measure.benchmarks(built.build_dir))

    def build_plain(self) -> Entry:
        compiler = "gcc" if "gcc" in self.project.compilers else next(iter(self.project.compilers))
        self.log(f"tune [baseline] building plain Release ({compiler}, no preset)")
        built = builds.build_plain(self.project, compiler)
        self.plain_seconds = built.seconds
        entry = Entry(None, "baseline", built, status="baseline", size=self._size(built))
        if self.workload.command and not self.workload.output_varies:
            _, self.reference_output = measure.run_once(self.workload, built, self.project.root)
        return entry

    # ---- timing ----

    def _time(self, stage: str, plain: Entry, contenders: list[Entry]) -> None:
        """Interleaved rounds of plain and the contenders; drops the clearly slower ones."""
        active = [entry for entry in contenders if entry.built is not None and not entry.status]
        for entry in active:
            entry.samples, entry.reference = [], []
        for round_index in range(self.settings.rounds):
            if len(active) <= 1 and round_index >= self.settings.min_rounds:
                break
            if self._left() <= 0:
                self.notes.append(f"{stage}: the budget ran out after {round_index} round(s)")
                break
            order = [plain, *active]
            shift = round_index % len(order)
            times: dict[str, float] = {}
            for entry in order[shift:] + order[:shift]:
                assert entry.built is not None
                times[entry.name], _ = measure.run_once(self.workload, entry.built, self.project.root)
            for entry in active:
                entry.samples.append(times[entry.name])
                entry.reference.append(times["plain"])
            if round_index + 1 >= self.settings.min_rounds and not self.settings.exhaustive:
                leader = max(active, key=lambda entry: stats.speed(entry.samples, entry.reference))
                for entry in list(active):
                    if entry is not leader and stats.clearly_slower(entry.samples, leader.samples):
                        entry.status = f"dropped after {round_index + 1} rounds: clearly slower than {leader.name}"
                        active.remove(entry)
            self.log(f"tune [{stage}] round {round_index + 1}: " + ", ".join(
                f"{entry.name} {stats.speed(entry.samples, entry.reference):.3f}x" for entry in active))

    def _decide(self, incumbent: Entry, challengers: list[Entry]) -> Entry:
        """The fastest challenger that is significantly faster than the incumbent, else the incumbent."""
        better = [entry for entry in challengers if entry.samples and not entry.status
                  and stats.significantly_faster(entry.samples, incumbent.samples)]
        for entry in challengers:
            if entry.samples and not entry.status:
                entry.status = "not significantly faster"
        if not better:
            incumbent.status = "kept"
            return incumbent
        winner = max(better, key=lambda entry: (stats.speed(entry.samples, entry.reference),
                                                -entry.candidate.complexity if entry.candidate else 0))
        winner.status = f"beat {incumbent.name}"
        incumbent.status = f"beaten by {winner.name}"
        return winner

    # ---- stages ----

    def _stage(self, stage: str, plain: Entry, incumbent: Entry | None, candidates: list[Candidate]) -> Entry | None:
        built: list[Entry] = []
        for index, candidate in enumerate(candidates):
            built.append(self._build(candidate, stage, candidates[index:]))
        self.entries += built
        usable = [entry for entry in built if not entry.status]
        if incumbent is None:
            if not usable:
                return None
            incumbent = min(usable, key=lambda entry: entry.candidate.complexity if entry.candidate else 0)
            usable.remove(incumbent)
        else:
            incumbent = Entry(incumbent.candidate, stage, incumbent.built, size=incumbent.size)
            self.entries.append(incumbent)
        if not usable:
            incumbent.status = "kept (nothing to compare with)"
            return incumbent
        self._time(stage, plain, [incumbent, *usable])
        if incumbent.status:  # dropped: the best remaining one takes its place as the simpler choice
            remaining = [entry for entry in usable if not entry.status]
            if not remaining:
                return incumbent
            incumbent = min(remaining, key=lambda entry: entry.candidate.complexity if entry.candidate else 0)
            usable = [entry for entry in remaining if entry is not incumbent]
        return self._decide(incumbent, usable)

    def run(self) -> Result:
        plain = self.build_plain()
        self.entries.append(plain)
        chosen = self.chosen
        if self.settings.exhaustive:
            everything = [candidate for candidate in combinations(chosen) if self.allows(candidate)]
            winner = self._stage("exhaustive", plain, None, sorted(everything, key=lambda c: c.complexity))
        else:
            winner = self._staged(plain)
        if winner is None:
            raise PerfprojError("tune: no candidate could be built and checked; see the messages above")
        winner.status = "winner"
        return Result(self.entries, winner, plain, time.monotonic() - self.start, self.notes)

    def _staged(self, plain: Entry) -> Entry | None:
        chosen = self.chosen
        arch, alloc = chosen["arch"][0], chosen["alloc"][0]
        first = [candidate for candidate in first_stage(chosen) if self.allows(candidate)]
        winner = self._stage("1 compiler x PGO", plain, None, first)
        if winner is None or winner.candidate is None:
            return winner
        later: list[tuple[str, list[Candidate]]] = [
            ("2 arch", [winner.candidate.with_(arch=value) for value in chosen["arch"] if value != arch]),
        ]
        for name, candidates in later:
            if candidates:
                winner = self._stage(name, plain, winner, candidates) or winner
        assert winner.candidate is not None
        if winner.candidate.opt == "pgo" and "pgo-bolt" in chosen["opt"]:
            winner = self._stage("3 BOLT", plain, winner, [winner.candidate.with_(opt="pgo-bolt")]) or winner
        assert winner.candidate is not None
        allocators = [winner.candidate.with_(alloc=value) for value in chosen["alloc"] if value != alloc]
        if allocators:
            winner = self._stage("4 allocator", plain, winner, allocators) or winner
        return winner


def combinations(chosen: dict[str, tuple[str, ...]]) -> list[Candidate]:
    """Every candidate of the chosen values: what --exhaustive measures."""
    return [Candidate(*values) for values in itertools.product(
        chosen["compiler"], chosen["opt"], chosen["arch"], chosen["alloc"])]


def first_stage(chosen: dict[str, tuple[str, ...]]) -> list[Candidate]:
    """Stage 1: every compiler with LTO and with PGO, at the first arch and allocator."""
    first_opts = [opt for opt in chosen["opt"] if opt in ("lto", "pgo")] or [chosen["opt"][0]]
    return [Candidate(compiler, opt, chosen["arch"][0], chosen["alloc"][0])
            for opt in first_opts for compiler in chosen["compiler"]]


def plan_text(chosen: dict[str, tuple[str, ...]], exhaustive: bool, plain_seconds: float | None,
              allows: Callable[[Candidate], bool] = lambda candidate: True) -> list[str]:
    """What --dry-run prints: the stages, their candidates, and an estimate."""
    unit = plain_seconds or 0.0
    lines = []
    if exhaustive:
        everything = [candidate for candidate in combinations(chosen) if allows(candidate)]
        lines.append(f"exhaustive: {len(everything)} candidates, measured together: "
                     + ", ".join(candidate.name for candidate in everything))
        builds_cost = sum(BUILD_COST[candidate.opt] for candidate in everything)
    else:
        first = [candidate for candidate in first_stage(chosen) if allows(candidate)]
        lines.append("stage 1, compiler x PGO: " + ", ".join(candidate.name for candidate in first))
        builds_cost = sum(BUILD_COST[candidate.opt] for candidate in first)
        if len(chosen["arch"]) > 1:
            lines.append(f"stage 2, arch: the stage-1 winner for {', '.join(chosen['arch'][1:])} "
                         "(its PGO profile reused where valid)")
            builds_cost += BUILD_COST["reuse"] * (len(chosen["arch"]) - 1)
        if "pgo-bolt" in chosen["opt"]:
            lines.append("stage 3, BOLT: a PGO winner with BOLT on top")
            builds_cost += BUILD_COST["pgo-bolt"]
        if len(chosen["alloc"]) > 1:
            lines.append(f"stage 4, allocator: the winner with {', '.join(chosen['alloc'][1:])}")
            builds_cost += BUILD_COST["reuse"] * (len(chosen["alloc"]) - 1)
    builds_cost += 1  # the plain baseline
    estimate = (f"about {max(1, round(builds_cost * unit / 60))} min of builds (from the last tune's "
                f"{unit:.0f} s plain build), plus the timing rounds") if unit else (
        f"about {builds_cost:.0f} times one plain Release build, plus the timing rounds")
    lines.append(f"estimate: {estimate}")
    return lines
