#!/usr/bin/env python3
"""How trustworthy is the benchmark gate on this noisy machine?

Builds the generated project's benchmarks with the release preset twice:
"base" as generated, and "head" with a seeded regression of about 3% more
instructions in one benchmark (BM_Run: extra work in its measured loop,
sized from base's own instruction count). Then runs the gate as CI does:

  * deterministic, head against base, N times: must report BM_Run every time;
  * deterministic, base against itself, M times: must never report anything;
  * wall time, base against itself, M times: must never report anything.

Targets (issue: 10 of 10, 20 of 20, 20 of 20). Prints the counts and the
seeded change as the gate measured it.

    python3 tests/benchmarks/bench_gate_reliability.py [--seeded-runs 10] [--self-runs 20]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import generate_project, log, run

GATE = Path(__file__).resolve().parents[2] / "cmake-modules" / "scripts" / "bench_gate.py"
SEEDED = "BM_Run"
TARGET_CHANGE = 0.03
LOOP_MARK = "    const RunResult result = run(program);\n"


def seed(project: Path, iterations_per_statement: int) -> None:
    """Add busy work proportional to the program size to BM_Run's loop."""
    bench = project / "bench" / "calc_bench.cpp"
    text = bench.read_text()
    assert LOOP_MARK in text, "the sample benchmark changed: update the seeding"
    extra = (f"    for (std::int64_t seeded = 0; seeded < state.range(0) * {iterations_per_statement}; ++seeded) {{\n"
             f"      benchmark::DoNotOptimize(seeded);\n    }}\n")
    bench.write_text(text.replace(LOOP_MARK, LOOP_MARK + extra))


def build(project: Path) -> Path:
    run(["cmake", "--preset", "release"], project)
    run(["cmake", "--build", "--preset", "release", "--target", "calc_bench"], project)
    return project / "build" / "release" / "bench" / "calc_bench"


def gate(mode: str, base: Path, head: Path, pattern: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, str(GATE), mode, "--base", str(base), "--head", str(head),
                             "--filter", pattern], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"the gate failed to run: {result.stderr.strip()}")
    return result.returncode, result.stdout


def instructions(report: str, name: str) -> tuple[float, float]:
    row = next(line for line in report.splitlines() if line.startswith(f"| `{name}` |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    return float(cells[1].replace(",", "")), float(cells[2].replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeded-runs", type=int, default=10)
    parser.add_argument("--self-runs", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="perfproj-gate-reliability-") as work_dir:
        work = Path(work_dir)
        (work / "base").mkdir()
        base_project = generate_project(work / "base", "calc")
        base = build(base_project)
        pattern = f"^{SEEDED}/2000$"

        # Calibrate: instructions of BM_Run/2000 and of one seeded iteration.
        probe_project = work / "probe" / "calc"
        shutil.copytree(base_project, probe_project, ignore=shutil.ignore_patterns("build"))
        seed(probe_project, 10)
        _, report = gate("deterministic", base, build(probe_project), pattern)
        base_ir, probe_ir = instructions(report, f"{SEEDED}/2000")
        per_unit = (probe_ir - base_ir) / (2000 * 10)
        per_statement = max(1, round(TARGET_CHANGE * base_ir / (2000 * per_unit)))
        log(f"BM_Run/2000: {base_ir:,.0f} instructions/iter; seeding {per_statement} loop iterations per statement")

        head_project = work / "head" / "calc"
        shutil.copytree(base_project, head_project, ignore=shutil.ignore_patterns("build"))
        seed(head_project, per_statement)
        head = build(head_project)

        caught, measured = 0, ""
        for attempt in range(args.seeded_runs):
            code, report = gate("deterministic", base, head, ".")
            row = next(line for line in report.splitlines() if line.startswith(f"| `{SEEDED}/2000` |"))
            measured = row.split("|")[4].strip()
            if code == 1 and "REGRESSION" in row:
                caught += 1
            log(f"seeded run {attempt + 1}: exit {code}, BM_Run/2000 {measured}")

        false_alarms = {"deterministic": 0, "walltime": 0}
        for mode in false_alarms:
            for attempt in range(args.self_runs):
                code, report = gate(mode, base, base, ".")
                if code != 0 or re.search(r"REGRESSION", report):
                    false_alarms[mode] += 1
                log(f"{mode} self-compare {attempt + 1}: exit {code}")

    print("Benchmark gate reliability on this machine:\n")
    print("| check | result | target |")
    print("|---|---|---|")
    print(f"| seeded +3% instructions in {SEEDED} (measured {measured}), deterministic | "
          f"reported {caught} of {args.seeded_runs} | every run |")
    for mode, count in false_alarms.items():
        print(f"| base against itself, {mode} | reported {count} of {args.self_runs} | never |")
    ok = caught == args.seeded_runs and not any(false_alarms.values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
