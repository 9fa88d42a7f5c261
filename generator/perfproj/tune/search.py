"""The staged search: a few builds per stage, the winner carried into the next.

  1. compiler x PGO   every compiler, with LTO and with PGO+LTO (portable, system malloc)
  2. arch             the winner for x86-64-v3 (its PGO profile reused where valid)
  3. BOLT             a PGO winner with BOLT on top
  4. allocator        the winner with each installed allocator, preloaded (no build)

BOLT and allocators are left out where they would reach no executable (an
adopted repository that calls nothing of perfproj's): such a build would be
the simpler one again.

In each stage the candidates run interleaved with the stage's incumbent and
the plain Release build, round after round. A candidate whose confidence
interval lies wholly below the current leader's speed is dropped early, but
never the simplest build left: whatever leads must still beat it. The stage
ends when one is left, when every more complex challenger is decided
(significantly faster, or at best NEGLIGIBLE faster), or when the rounds are
done. A challenger replaces the incumbent only when it is significantly
faster (stats.py); otherwise the simpler build is kept. `exhaustive` measures
the whole cross product in one session instead, with no early stops: the
yardstick for the staged search.

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
from perfproj.machine import target_reach
from perfproj.tune import builds, measure, stats
from perfproj.tune.builds import Built, Project
from perfproj.tune.candidates import COMPILE_TIME_ALLOCATORS, Candidate, allocator_library

# With fewer rounds no one-sided signed-rank test reaches p < 0.01 (2**-7 = 0.0078): nothing could win.
MIN_DECISIVE_ROUNDS = 7

# A gain this small is not worth a more complex build: a challenger whose whole confidence interval
# against the incumbent lies below it is decided (the incumbent is within this of it).
NEGLIGIBLE = 1.03

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
    rounds: int = 24  # at most, per stage: a decided stage stops sooner (7 rounds at the least)
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
        self.usable: dict[Candidate, Built] = {}  # every candidate built and checked so far

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

    def _left_out(self, candidate: Candidate) -> str | None:
        """Why `candidate` would be the same program as a simpler one here (a note), or None.

        An allocator reaches only executables that link it, and BOLT only executables given
        perfproj_target_defaults(); an adopted repository has neither until its CMakeLists.txt asks.
        """
        known = self.usable.get(candidate.with_(alloc="system")) or next(iter(self.usable.values()), None)
        if known is None:
            return None
        checks = [("pgo-bolt", target_reach.EXECUTABLES_WITH_DEFAULTS, "BOLT", "it optimizes executables given "
                   "perfproj_target_defaults()")] if candidate.opt == "pgo-bolt" else []
        if candidate.alloc != "system":
            checks.append(("allocators", target_reach.ALLOCATOR_TARGETS, "PERFPROJ_ALLOCATOR", "it is linked into "
                           "executables given perfproj_target_defaults() or perfproj_link_allocator()"))
        for what, variable, setting, how in checks:
            reached = target_reach.recorded(known.build_dir, variable)
            if reached is None:
                return (f"{what} left out: this project's perfproj modules are too old to say which executables "
                        f"{setting} reaches (run perfproj update)")
            if not reached:
                return f"{what} left out: {setting} reaches no executable of this project ({how})"
        return None

    def _preloaded(self, candidate: Candidate) -> Built | None:
        """`candidate` as its system-allocator build with the allocator preloaded, where that measures the same."""
        base = self.usable.get(candidate.with_(alloc="system"))
        library = allocator_library(candidate.alloc)
        if base is None or library is None or candidate.alloc in COMPILE_TIME_ALLOCATORS:
            return None
        return builds.with_allocator(base, candidate, library)

    def _build(self, candidate: Candidate, stage: str, pending: list[Candidate]) -> Entry:
        entry = Entry(candidate, stage)
        reason = self._left_out(candidate)
        if reason:
            entry.status = _left_out_status(reason)
            if reason not in self.notes:
                self.notes.append(reason)
            return entry
        if candidate.alloc != "system":
            preloaded = self._preloaded(candidate)
            if preloaded is not None:
                self.log(f"tune [{stage}] {candidate.name}: {preloaded.name.removesuffix('-' + candidate.alloc)} "
                         f"with {preloaded.preload} preloaded (the library its preset links; no build)")
                return self._checked(entry, preloaded)
        if self._cost(candidate) > self._left():
            entry.status = "skipped: the budget would not cover its build"
            self.log(f"tune [{stage}] {candidate.name}: skipped, the budget would not cover its build")
            return entry
        self.log(f"tune [{stage}] building {candidate.name} ({self._eta(pending)})")
        try:
            built = builds.build(self.project, candidate, self.profiles)
        except PerfprojError as error:
            entry.status = f"failed to build: {error}"
            self.log(f"  {candidate.name}: {entry.status}")
            return entry
        return self._checked(entry, built)

    def _checked(self, entry: Entry, built: Built) -> Entry:
        entry.built = built
        problem = measure.check(self.workload, built, self.project.root, self.reference_output)
        if problem:
            entry.status = f"rejected: {problem}"
            self.log(f"  {entry.name}: {entry.status}")
        elif entry.candidate is not None:
            self.usable[entry.candidate] = built
        entry.size = self._size(built)
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
                # The simplest build is never dropped: whatever leads must still be significantly faster than it.
                leader = max(active, key=lambda entry: stats.speed(entry.samples, entry.reference))
                incumbent = _simplest(active)
                for entry in list(active):
                    if entry not in (leader, incumbent) and stats.clearly_slower(entry.samples, leader.samples):
                        entry.status = f"dropped after {round_index + 1} rounds: clearly slower than {leader.name}"
                        active.remove(entry)
            self.log(f"tune [{stage}] round {round_index + 1}: " + ", ".join(
                f"{entry.name} {stats.speed(entry.samples, entry.reference):.3f}x" for entry in active))
            if not self.settings.exhaustive and self._decided(active):
                self.log(f"tune [{stage}] decided after {round_index + 1} rounds")
                break

    @staticmethod
    def _decided(active: list[Entry]) -> bool:
        """Every challenger significantly faster than the simplest build left, or at best a negligible gain."""
        rounds = len(active[0].samples) if active else 0
        if len(active) < 2 or rounds < MIN_DECISIVE_ROUNDS:
            return False
        incumbent = _simplest(active)
        simplest = incumbent.candidate.complexity if incumbent.candidate else 0
        # Of equally simple builds the faster median is kept anyway: only more complex ones need deciding.
        return all(stats.significantly_faster(entry.samples, incumbent.samples)
                   or stats.interval(entry.samples, incumbent.samples)[1] < NEGLIGIBLE
                   for entry in active if entry.candidate and entry.candidate.complexity > simplest)

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
            incumbent = _simplest(usable)
            usable.remove(incumbent)
        else:
            incumbent = Entry(incumbent.candidate, stage, incumbent.built, size=incumbent.size)
            self.entries.append(incumbent)
        if not usable:
            if not any(entry.samples for entry in self.entries if entry.candidate == incumbent.candidate):
                self._time(stage, plain, [incumbent])  # never timed: the table still owes its speed vs plain
            incumbent.status = "kept (nothing to compare with)"
            return incumbent
        self._time(stage, plain, [incumbent, *usable])
        # Of equally simple builds the fastest is the one to beat (stage 1's LTO builds, say).
        remaining = [entry for entry in [incumbent, *usable] if not entry.status]
        incumbent = _simplest(remaining)
        return self._decide(incumbent, [entry for entry in remaining if entry is not incumbent])

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
        archs = [winner.candidate.with_(arch=value) for value in chosen["arch"] if value != arch]
        winner = self._later_stage("2 arch", plain, winner, archs)
        assert winner.candidate is not None
        if winner.candidate.opt == "pgo" and "pgo-bolt" in chosen["opt"]:
            winner = self._later_stage("3 BOLT", plain, winner, [winner.candidate.with_(opt="pgo-bolt")])
        assert winner.candidate is not None
        allocators = [winner.candidate.with_(alloc=value) for value in chosen["alloc"] if value != alloc]
        return self._later_stage("4 allocator", plain, winner, allocators)

    def _later_stage(self, stage: str, plain: Entry, winner: Entry, candidates: list[Candidate]) -> Entry:
        """A stage after the first, unless its candidates could only be the winner's own program again."""
        reason = self._left_out(candidates[0]) if candidates else None
        if reason:  # in the table too, like a candidate the budget skipped
            self.notes.append(reason)
            self.entries += [Entry(candidate, stage, status=_left_out_status(reason)) for candidate in candidates]
        if reason or not candidates:
            return winner
        return self._stage(stage, plain, winner, candidates) or winner


def _left_out_status(reason: str) -> str:
    """A candidate's status from the note that leaves it out: "pgo-bolt left out: X" -> "left out: X"."""
    return "left out:" + reason.split(" left out:", 1)[1]


def _simplest(entries: list[Entry]) -> Entry:
    """The simplest build; of equally simple ones the fastest so far (else the first)."""
    def key(entry: Entry) -> tuple[int, float]:
        speed = stats.speed(entry.samples, entry.reference) if entry.samples else 0.0
        return (entry.candidate.complexity if entry.candidate else 0, -speed)
    return min(entries, key=key)


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
        builds_cost = sum(BUILD_COST[candidate.opt] for candidate in everything  # preloaded allocators: no build
                          if candidate.alloc == "system" or candidate.alloc in COMPILE_TIME_ALLOCATORS)
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
            lines.append(f"stage 4, allocator: the winner with {', '.join(chosen['alloc'][1:])} "
                         "(its allocator preloaded: no build)")
            built = [alloc for alloc in chosen["alloc"][1:] if alloc in COMPILE_TIME_ALLOCATORS]
            builds_cost += BUILD_COST["reuse"] * len(built)
    builds_cost += 1  # the plain baseline
    estimate = (f"about {max(1, round(builds_cost * unit / 60))} min of builds (from the last tune's "
                f"{unit:.0f} s plain build), plus the timing rounds") if unit else (
        f"about {builds_cost:.0f} times one plain Release build, plus the timing rounds")
    lines.append(f"estimate: {estimate}")
    return lines
