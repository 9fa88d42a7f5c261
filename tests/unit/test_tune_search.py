"""perfproj tune's pieces that need no build: candidates, budgets, statistics, the winner rule."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from perfproj.commands.tune import parse_budget
from perfproj.errors import UsageError
from perfproj.tune import candidates, stats
from perfproj.tune.builds import Built
from perfproj.tune.candidates import Candidate, Machine
from perfproj.tune.search import Entry, Search, Settings, plan_text

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


def test_the_dry_run_plan_names_every_stage() -> None:
    lines = plan_text(candidates.narrow(MACHINE, None), exhaustive=False, plain_seconds=40.0)
    assert lines[0] == "stage 1, compiler x PGO: gcc-lto, clang-16-lto, gcc-pgo, clang-16-pgo"
    assert any(line.startswith("stage 2, arch") for line in lines)
    assert any(line.startswith("stage 4, allocator: the winner with mimalloc, jemalloc") for line in lines)
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
