"""Timing candidates on the project's own workload, interleaved, and checking they compute the same.

The workload is either the project's benchmarks (the executables its build
lists in perfproj-benchmarks.txt: one round runs each once, and the round's
time is the geometric mean of their benchmarks' times) or `--workload CMD`
(a shell command, `{build}` being the candidate's build folder; one round runs
it once and times it). Runs are pinned to one CPU with taskset where it is
installed, so a candidate is not measured half on each core.

Before a candidate is timed it must compute what the others compute: its
`--check` command (or, by default, its test suite) passes, and a `--workload`
command prints exactly what the plain build printed (unless --output-varies).
A miscompile therefore cannot win.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from perfproj.errors import PerfprojError
from perfproj.tune.builds import Built

BENCH_MANIFEST = "perfproj-benchmarks.txt"
# Short runs: on a shared vCPU the run-to-run spread comes from the machine (its speed moves in steps),
# not from the run's length; the sample's suite spread 5-6% at 0.05 s and at 0.02 s a benchmark, so more
# rounds of shorter runs buy more certainty for the same time.
BENCH_MIN_TIME = "0.02"


@dataclass
class Workload:
    command: str | None  # --workload CMD, or None: the benchmarks
    check: str | None  # --check CMD, or None: the build's own tests
    output_varies: bool = False
    pin: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, command: str | None, check: str | None, output_varies: bool) -> Workload:
        cpus = os.sched_getaffinity(0)
        pin = ["taskset", "-c", str(max(cpus))] if shutil.which("taskset") and len(cpus) > 1 else []
        return cls(command, check, output_varies, pin)

    def describe(self) -> str:
        return f"`{self.command}`" if self.command else "the project's benchmarks (perfproj-benchmarks.txt)"


def benchmarks(build_dir: Path) -> list[Path]:
    manifest = build_dir / BENCH_MANIFEST
    if not manifest.is_file():
        return []
    return [Path(line.split("=", 1)[1]) for line in manifest.read_text().splitlines() if "=" in line]


def _shell(command: str, built: Built) -> str:
    return command.replace("{build}", str(built.build_dir))


def run_once(workload: Workload, built: Built, root: Path) -> tuple[float, str]:
    """One timed run: (seconds, or the geometric mean of benchmark times; the output)."""
    if workload.command:
        start = time.perf_counter()
        result = subprocess.run([*workload.pin, "sh", "-c", _shell(workload.command, built)], cwd=root,
                                env=built.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise PerfprojError(f"tune: the workload failed on {built.name} (exit {result.returncode}): "
                                f"{result.stderr.strip().splitlines()[-1:] or ''}")
        return elapsed, result.stdout
    logs: list[float] = []
    for binary in benchmarks(built.build_dir):
        result = subprocess.run([*workload.pin, str(binary), f"--benchmark_min_time={BENCH_MIN_TIME}",
                                 "--benchmark_format=json"], cwd=root, env=built.env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if result.returncode != 0:
            raise PerfprojError(f"tune: the benchmark {binary.name} failed on {built.name}")
        data = json.loads(result.stdout[result.stdout.index("{"):])
        for entry in data["benchmarks"]:
            if entry.get("run_type", "iteration") == "iteration" and float(entry["real_time"]) > 0:
                logs.append(math.log(float(entry["real_time"])))
    if not logs:
        raise PerfprojError(f"tune: {built.name} has no benchmarks to time; pass --workload CMD")
    return math.exp(sum(logs) / len(logs)), ""


def check(workload: Workload, built: Built, root: Path, reference_output: str | None) -> str | None:
    """Why `built` cannot be trusted to compute the right thing, or None."""
    if workload.check:
        result = subprocess.run(["sh", "-c", _shell(workload.check, built)], cwd=root, env=built.env(),
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            return f"--check failed (exit {result.returncode})"
    elif not built.trained or built.preload:  # the PGO chain ran the tests already, but not preloaded
        result = subprocess.run(["ctest", "--test-dir", str(built.build_dir), "--label-exclude", "benchmark",
                                 "--output-on-failure"], cwd=root, env=built.env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0 and "No tests were found" not in result.stdout:
            return "its tests failed"
    if workload.command and not workload.output_varies and reference_output is not None:
        _, output = run_once(workload, built, root)
        if output != reference_output:
            return "the workload printed something else than the plain build (a miscompile?)"
    return None
