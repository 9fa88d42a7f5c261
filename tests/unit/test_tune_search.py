"""perfproj tune's pieces that need no build: candidates, budgets, statistics, the winner rule."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from perfproj.commands.tune import parse_budget
from perfproj.errors import UsageError
from perfproj.machine import target_reach
from perfproj.tune import builds, candidates, stats
from perfproj.tune.builds import Built, Project
from perfproj.tune.candidates import Candidate, Machine
from perfproj.tune.measure import Workload
from perfproj.tune.search import Entry, Search, Settings, _simplest, plan_text

MACHINE = Machine(compilers={"gcc": ("gcc", "g++"), "clang-14": ("clang-14", "clang++-14"),
                             "clang-16": ("clang-16", "clang++-16")},
                  archs=("portable", "x86-64-v3"), allocs=("system", "mimalloc", "jemalloc", "tcmalloc"))


def test_defaults_take_the_newest_clang_and_leave_tcmalloc_to_be_asked_for() -> None:
    chosen = candidates.narrow(MACHINE, None)
    assert chosen["compiler"] == ("gcc", "clang-16")
    assert chosen["alloc"] == ("system", "mimalloc", "jemalloc")
    assert chosen["opt"] == ("lto", "pgo", "pgo-bolt") and chosen["arch"] == ("portable", "x86-64-v3")


def test_candidates_spec_lists_exactly_the_values_to_try() -> None:
    chosen = candidates.narrow(MACHINE, "compiler=gcc,clang-14; opt=lto ;alloc=tcmalloc")
    assert chosen["compiler"] == ("gcc", "clang-14") and chosen["opt"] == ("lto",)
    assert chosen["alloc"] == ("tcmalloc",) and chosen["arch"] == ("portable", "x86-64-v3")


@pytest.mark.parametrize(("spec", "needle"), [
    ("compiler=icc", "compiler=icc is not available"), ("speed=fast", "not DIMENSION=VALUE"),
    ("opt", "not DIMENSION=VALUE"), ("arch=", "arch=(nothing)")])
def test_bad_candidate_specs_are_usage_errors(spec: str, needle: str) -> None:
    with pytest.raises(UsageError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        candidates.narrow(MACHINE, spec)


def test_candidate_names_and_complexity() -> None:
    plain_lto = Candidate()
    fancy = Candidate("clang-16", "pgo-bolt", "x86-64-v3", "mimalloc")
    assert plain_lto.name == "gcc-lto" and fancy.name == "clang-16-pgo-bolt-v3-mimalloc"
    assert plain_lto.complexity == 0 < Candidate(opt="pgo").complexity < fancy.complexity


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("1h30m", 5400), ("900s", 900), ("2h", 7200),
                                               (None, None)])
def test_budgets(text: str | None, seconds: float | None) -> None:
    assert parse_budget(text) == seconds


@pytest.mark.parametrize("text", ["5x", "m", "1.5h"])
def test_bad_budgets(text: str) -> None:
    with pytest.raises(UsageError, match="--budget"):
        parse_budget(text)


def _noisy(level: float, rounds: int, seed: int, spread: float = 0.02) -> list[float]:
    rng = random.Random(seed)
    return [level * (1 + rng.uniform(-spread, spread)) for _ in range(rounds)]


def test_significance_needs_a_real_difference_not_noise() -> None:
    reference = _noisy(1.0, 12, 1)
    assert stats.significantly_faster(_noisy(0.90, 12, 2), reference)  # 10% faster, 2% noise
    assert not stats.significantly_faster(_noisy(0.995, 12, 3), reference)  # within the noise
    assert stats.clearly_slower(_noisy(1.10, 12, 4), reference)
    assert 1.05 < stats.speed(_noisy(0.9, 12, 5), reference) < 1.16


def test_the_signed_rank_test_is_exact() -> None:
    faster = [0.9] * 7
    assert stats.p_faster(faster, [1.0] * 7) == pytest.approx(1 / 128)  # every round faster: one pattern in 2**7
    assert stats.p_faster(faster[:6], [1.0] * 6) == pytest.approx(1 / 64)  # six rounds can never be significant
    # Ranks 1..4, the smallest one against: positive sum 9 of 10; patterns with a sum >= 9: {2,3,4}, {1,2,3,4}.
    assert stats.p_faster([1 / 1.01, 1 / 1.02, 1 / 1.03, 1.005], [1.0] * 4) == pytest.approx(2 / 16)
    # A tie of sizes (1.01 and 1/1.01) shares ranks 1.5 and 1.5: sums >= 8.5 of 10 are 9, 10 and 8.5 itself.
    assert stats.p_faster([1 / 1.01, 1 / 1.02, 1 / 1.03, 1.01], [1.0] * 4) == pytest.approx(3 / 16)
    assert stats.p_faster([1.0] * 5, [1.0] * 5) == 1.0  # no differences at all
    assert stats.p_faster([1.1] * 8, [1.0] * 8) == 1.0  # slower in every round


def test_the_rounds_are_paired_so_steps_in_the_machine_speed_do_not_hide_a_difference() -> None:
    # The machine's speed steps by 20% halfway (as a shared vCPU does), and the challenger is 3% faster in
    # every round: the raw times overlap across rounds, the per-round ratios do not.
    levels = [1.0] * 6 + [0.8] * 6
    reference = [level * (1 + 0.004 * (index % 3)) for index, level in enumerate(levels)]
    challenger = [value * 0.97 for value in reference]
    assert stats.significantly_faster(challenger, reference)
    assert stats.speed(challenger, reference) == pytest.approx(1 / 0.97)


def _entry(candidate: Candidate, times: list[float], plain: list[float]) -> Entry:
    return Entry(candidate, "test", Built(candidate, Path("/nowhere"), 1.0), times, plain)


def test_the_simpler_build_is_kept_unless_a_challenger_is_significantly_faster() -> None:
    plain = _noisy(1.0, 12, 10)
    search = Search.__new__(Search)
    incumbent = _entry(Candidate(), _noisy(0.95, 12, 11), plain)
    close = _entry(Candidate(opt="pgo"), _noisy(0.945, 12, 12), plain)  # within the noise of the incumbent
    assert search._decide(incumbent, [close]) is incumbent and close.status == "not significantly faster"
    incumbent.status = ""
    faster = _entry(Candidate(opt="pgo"), _noisy(0.80, 12, 13), plain)
    fastest = _entry(Candidate("clang-16", "pgo"), _noisy(0.70, 12, 14), plain)
    assert search._decide(incumbent, [faster, fastest]) is fastest
    assert incumbent.status == "beaten by clang-16-pgo"


def test_a_stage_is_decided_when_every_challenger_has_won_or_could_only_gain_a_little() -> None:
    plain = _noisy(1.0, 7, 20)
    incumbent = _entry(Candidate(), _noisy(0.95, 7, 21), plain)
    winner = _entry(Candidate(opt="pgo"), _noisy(0.80, 7, 22), plain)  # significantly faster
    level = _entry(Candidate(arch="x86-64-v3"), _noisy(0.95, 7, 23, 0.005), plain)  # at best a negligible gain
    unclear = _entry(Candidate(alloc="mimalloc"), _noisy(0.93, 7, 24, 0.06), plain)  # might be 5% faster
    assert Search._decided([incumbent, winner, level])
    assert not Search._decided([incumbent, winner, level, unclear])
    assert not Search._decided([_entry(entry.candidate, entry.samples[:6], plain[:6])  # type: ignore[arg-type]
                                for entry in (incumbent, winner)])  # six rounds can never decide


def test_of_equally_simple_builds_the_faster_one_becomes_the_incumbent() -> None:
    plain = _noisy(1.0, 7, 30)
    mimalloc = _entry(Candidate(alloc="mimalloc"), _noisy(0.97, 7, 31), plain)
    jemalloc = _entry(Candidate(alloc="jemalloc"), _noisy(0.92, 7, 32), plain)
    assert _simplest([mimalloc, jemalloc]) is jemalloc
    assert _simplest([jemalloc, _entry(Candidate(), _noisy(1.2, 7, 33), plain)]).name == "gcc-lto"


def test_the_dry_run_plan_names_every_stage() -> None:
    lines = plan_text(candidates.narrow(MACHINE, None), exhaustive=False, plain_seconds=40.0)
    assert lines[0] == "stage 1, compiler x PGO: gcc-lto, clang-16-lto, gcc-pgo, clang-16-pgo"
    assert any(line.startswith("stage 2, arch") for line in lines)
    assert "stage 4, allocator: the winner with mimalloc, jemalloc (its allocator preloaded: no build)" in lines
    assert lines[-1].startswith("estimate: about") and "min of builds" in lines[-1]
    everything = plan_text(candidates.narrow(MACHINE, "compiler=gcc;arch=portable;alloc=system"), True, None)
    assert everything[0].startswith("exhaustive: 3 candidates")
    assert Settings().min_rounds >= 5


def test_a_clang_without_its_profile_runtime_builds_lto_candidates_only() -> None:
    machine = Machine(compilers=dict(MACHINE.compilers), archs=MACHINE.archs, allocs=("system",),
                      lto_only=("clang-16",))
    assert machine.allows(Candidate("clang-16", "lto")) and machine.allows(Candidate("gcc", "pgo"))
    assert not machine.allows(Candidate("clang-16", "pgo")) and not machine.allows(Candidate("clang-16", "pgo-bolt"))
    chosen = candidates.narrow(machine, "arch=portable")
    staged = plan_text(chosen, False, None, machine.allows)
    assert staged[0] == "stage 1, compiler x PGO: gcc-lto, clang-16-lto, gcc-pgo"
    exhaustive = plan_text(chosen, True, None, machine.allows)
    assert exhaustive[0] == "exhaustive: 4 candidates, measured together: gcc-lto, gcc-pgo, gcc-pgo-bolt, clang-16-lto"


def test_an_allocator_candidate_is_its_system_build_with_the_library_preloaded(tmp_path: Path) -> None:
    base = Built(Candidate(opt="pgo"), tmp_path, 30.0, tmp_path / "profile", trained=True)
    library = Path("/usr/lib/x86_64-linux-gnu/libmimalloc.so.2.0")
    preloaded = builds.with_allocator(base, Candidate(opt="pgo", alloc="mimalloc"), library)
    assert preloaded.build_dir == base.build_dir and preloaded.profile_dir == base.profile_dir
    assert preloaded.name == "gcc-pgo-mimalloc" and preloaded.seconds == 0.0
    assert preloaded.env()["LD_PRELOAD"].split()[0] == str(library)
    assert "LD_PRELOAD" not in base.env() or base.env()["LD_PRELOAD"] == os.environ.get("LD_PRELOAD")


def test_which_executables_the_allocator_reaches_comes_from_the_cache(tmp_path: Path) -> None:
    assert target_reach.recorded(tmp_path, target_reach.ALLOCATOR_TARGETS) is None  # not configured
    (tmp_path / "CMakeCache.txt").write_text("CMAKE_BUILD_TYPE:STRING=Release\n")
    assert target_reach.recorded(tmp_path, target_reach.ALLOCATOR_TARGETS) is None  # modules older than the record
    (tmp_path / "CMakeCache.txt").write_text("_PERFPROJ_ALLOCATOR_TARGETS:INTERNAL=\n")
    # an adopted repository that links it nowhere
    assert target_reach.recorded(tmp_path, target_reach.ALLOCATOR_TARGETS) == []
    (tmp_path / "CMakeCache.txt").write_text("_PERFPROJ_ALLOCATOR_TARGETS:INTERNAL=app;tool\n")
    assert target_reach.recorded(tmp_path, target_reach.ALLOCATOR_TARGETS) == ["app", "tool"]
    assert target_reach.recorded(tmp_path, target_reach.EXECUTABLES_WITH_DEFAULTS) is None


def test_bolt_and_allocators_are_left_out_where_they_would_change_nothing(tmp_path: Path) -> None:
    search = Search.__new__(Search)
    search.usable = {Candidate(): Built(Candidate(), tmp_path, 1.0)}
    (tmp_path / "CMakeCache.txt").write_text("_PERFPROJ_EXECUTABLES:INTERNAL=\n_PERFPROJ_ALLOCATOR_TARGETS:INTERNAL=\n")
    assert search._left_out(Candidate(opt="pgo")) is None
    assert search._left_out(Candidate(opt="pgo-bolt")) == (
        "pgo-bolt left out: BOLT reaches no executable of this project "
        "(it optimizes executables given perfproj_target_defaults())")
    assert str(search._left_out(Candidate(alloc="jemalloc"))).startswith(
        "allocators left out: PERFPROJ_ALLOCATOR reaches no executable")
    (tmp_path / "CMakeCache.txt").write_text("_PERFPROJ_EXECUTABLES:INTERNAL=app\n"
                                             "_PERFPROJ_ALLOCATOR_TARGETS:INTERNAL=app\n")
    assert search._left_out(Candidate(opt="pgo-bolt", alloc="jemalloc")) is None
    (tmp_path / "CMakeCache.txt").write_text("CMAKE_BUILD_TYPE:STRING=Release\n")
    assert "too old to say which executables BOLT reaches (run perfproj update)" in str(
        search._left_out(Candidate(opt="pgo-bolt")))


def test_the_simplest_build_is_never_dropped_so_a_leader_must_still_beat_it_significantly(monkeypatch) -> None:
    times = {"plain": 1.0, "gcc-lto": 1.0, "gcc-pgo": 0.9, "gcc-pgo-bolt": 0.95}
    rng = random.Random(5)
    monkeypatch.setattr("perfproj.tune.measure.run_once",
                        lambda workload, built, root: (times[built.name] * (1 + rng.uniform(-0.01, 0.01)), ""))
    search = Search(Project(Path("/nowhere"), "release", "cmake/perfproj"), Workload(None, None), {},
                    Settings(rounds=6), lambda line: None)
    plain = Entry(None, "test", Built(None, Path("/nowhere"), 1.0))
    simplest, leader, other = (Entry(Candidate(opt=opt), "test", Built(Candidate(opt=opt), Path("/nowhere"), 1.0))
                               for opt in ("lto", "pgo", "pgo-bolt"))
    search._time("test", plain, [simplest, leader, other])
    assert simplest.status == "" and len(simplest.samples) == 6  # clearly slower than gcc-pgo, yet kept
    assert other.status.startswith("dropped after 5 rounds: clearly slower than gcc-pgo")
    # Six rounds cannot make gcc-pgo significantly faster (p >= 1/64): the simplest build stays.
    assert search._decide(simplest, [leader]) is simplest and leader.status == "not significantly faster"


def test_equally_simple_builds_need_no_decision_between_them() -> None:
    plain = _noisy(1.0, 7, 40)
    mimalloc = _entry(Candidate(alloc="mimalloc"), _noisy(0.97, 7, 41, 0.06), plain)
    jemalloc = _entry(Candidate(alloc="jemalloc"), _noisy(0.95, 7, 42, 0.06), plain)  # noisy, but just as simple
    assert Search._decided([mimalloc, jemalloc])  # the faster median is kept; more rounds would change nothing
    assert not Search._decided([mimalloc, jemalloc,
                                _entry(Candidate(opt="pgo", alloc="mimalloc"), _noisy(0.93, 7, 43, 0.06), plain)])


def test_the_report_quotes_the_winner_as_last_timed_when_its_last_stage_timed_nothing() -> None:
    from perfproj.tune import report
    from perfproj.tune.search import Result
    plain = Entry(None, "baseline", Built(None, Path("/nowhere"), 1.0), status="baseline")
    timed = _entry(Candidate(), [0.9] * 7, [1.0] * 7)
    kept = Entry(Candidate(), "2 arch", timed.built, status="winner")  # its only challenger was skipped
    text = report.markdown(Result([plain, timed, kept], kept, plain, 60.0), "`w`", [])
    assert "Winner: **gcc-lto** (1.111x plain Release)" in text
