"""cmake/perfproj/scripts/bench_history.py: a history of 20 commits, a seeded slow drift flagged, plots written."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.paths import SCRIPTS
from perfproj.resources import load_module

HISTORY = load_module(SCRIPTS / "bench_history.py", "perfproj_bench_history_under_test")


def fake_history(folder: Path, commits: int = 20) -> None:
    """BM_Drifting gets 0.6% more instructions per commit (no step a gate would fail);
    BM_Steady only wobbles; BM_Jump jumps by 8% once; BM_Timed has times only, flat and noisy."""
    rng = random.Random(7)
    folder.mkdir()
    for index in range(commits):
        sha = f"{index:040x}"
        benchmarks = {
            "BM_Drifting/100": {"instructions": 1000.0 * (1.006 ** index), "real_time_ns": 500 + rng.random()},
            "BM_Steady/100": {"instructions": 2000.0 + rng.choice([-1, 0, 1]), "real_time_ns": 900.0},
            "BM_Jump": {"instructions": 3000.0 * (1.08 if index >= 12 else 1.0), "real_time_ns": 100.0},
            "BM_Timed": {"real_time_ns": 800.0 * (1 + rng.uniform(-0.03, 0.03))},
        }
        (folder / f"{sha}.json").write_text(json.dumps(
            {"commit": sha, "timestamp": 1_700_000_000 + index * 3600, "subject": f"commit {index}",
             "benchmarks": benchmarks}))


def test_a_slow_drift_is_flagged_and_the_plots_are_written(tmp_path: Path) -> None:
    fake_history(tmp_path / "history")
    verdicts = {v.series.name: v for v in HISTORY.plot(tmp_path / "history", tmp_path / "plots", window=20)}
    assert verdicts["BM_Drifting/100"].flag == "drift"
    assert verdicts["BM_Drifting/100"].largest_step < HISTORY.STEP_THRESHOLD["instructions"]  # no gate would fail
    assert 0.10 < verdicts["BM_Drifting/100"].change < 0.13
    assert verdicts["BM_Steady/100"].flag == "" and verdicts["BM_Timed"].flag == ""
    assert verdicts["BM_Jump"].flag == "step"
    assert verdicts["BM_Timed"].series.metric == "real_time_ns"  # no instruction counts: times
    svg = (tmp_path / "plots" / "BM_Drifting_100.svg").read_text()
    assert svg.startswith("<svg") and "slow drift" in svg and svg.count("<circle") == 20
    summary = (tmp_path / "plots" / "summary.md").read_text()
    assert "| BM_Drifting/100 | instructions/iter |" in summary and "**slow drift**" in summary
    assert "xychart-beta" in summary  # the flagged one is charted in the job summary


def test_the_command_line_appends_the_summary_and_can_fail_on_drift(tmp_path: Path) -> None:
    fake_history(tmp_path / "history")
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier steps\n")
    command = [sys.executable, str(SCRIPTS / "bench_history.py"), "plot", "--history", str(tmp_path / "history"),
               "--out", str(tmp_path / "plots"), "--markdown", str(summary)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    assert subprocess.run([*command, "--fail-on-drift"], capture_output=True).returncode == 1
    assert summary.read_text().startswith("earlier steps\n### Benchmark history")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run([*command[:4], str(empty), "--out", str(tmp_path / "p2")], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("bench_history: error: no records")


def test_google_benchmark_json_reads_the_median_aggregate(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"benchmarks": [
        {"name": "BM_A_mean", "run_name": "BM_A", "run_type": "aggregate", "aggregate_name": "mean",
         "real_time": 2.0, "cpu_time": 2.0, "time_unit": "us"},
        {"name": "BM_A_median", "run_name": "BM_A", "run_type": "aggregate", "aggregate_name": "median",
         "real_time": 1.5, "cpu_time": 1.4, "time_unit": "us"},
        {"name": "BM_B", "run_type": "iteration", "real_time": 30.0, "cpu_time": 29.0, "time_unit": "ns"},
    ]}))
    assert HISTORY.read_google_benchmark(path) == {
        "BM_A": {"real_time_ns": 1500.0, "cpu_time_ns": 1400.0},
        "BM_B": {"real_time_ns": 30.0, "cpu_time_ns": 29.0},
    }


@pytest.mark.parametrize(("values", "rising"), [([1, 2, 3, 4, 5, 6, 7, 8], True), ([5, 4, 5, 4, 5, 4, 5, 4], False)])
def test_mann_kendall(values: list[float], rising: bool) -> None:
    assert (HISTORY.mann_kendall_rising(values) < 0.01) == rising


def test_the_tune_table_as_a_chart(tmp_path: Path) -> None:
    results = {"winner": "gcc-pgo", "candidates": [
        {"candidate": "plain", "speed_vs_plain": None, "ci95": None, "status": "baseline"},
        {"candidate": "gcc-lto", "speed_vs_plain": 1.03, "ci95": [1.01, 1.05], "status": "beaten by gcc-pgo"},
        {"candidate": "gcc-pgo", "speed_vs_plain": 1.12, "ci95": [1.10, 1.14], "status": "winner"}]}
    svg = HISTORY.tune_chart(results)
    assert svg.count("<rect") == 3 and "gcc-pgo" in svg and "1.120x" in svg
