#!/usr/bin/env python3
"""Time perfproj's own commands and print the median of N runs of each, side by side.

  new      `perfproj new --no-input --no-git` (target <= 0.3 s; cmake-init, the
           nearest peer, takes ~0.2 s on this machine kind)
  update   `perfproj update` in an up-to-date project (it renders the template)
  doctor   `perfproj doctor --json` (probes real LTO with each compiler)

Uses the installed `perfproj` when given with --perfproj (what users run),
else `python -m perfproj` from this checkout. The suite asserts behaviour
only; speed is measured here.

    python3 tests/benchmarks/bench_commands.py [--runs 15] [--perfproj .venv/bin/perfproj]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NEW_TARGET_SECONDS = 0.3


def _time(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command (at least 5)")
    parser.add_argument("--perfproj", help="perfproj executable to time (default: this checkout)")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")

    if args.perfproj:
        perfproj = [args.perfproj]
        env = dict(os.environ)
    else:
        perfproj = [sys.executable, "-m", "perfproj"]
        env = dict(os.environ, PYTHONPATH=str(REPO / "generator"))

    times: dict[str, list[float]] = {"new": [], "update": [], "doctor": []}
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        subprocess.run([*perfproj, "new", "warm", "--no-input", "--no-git"], cwd=work, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # warms the page cache; updated below
        for run in range(args.runs):  # interleaved, so drifts of a shared machine hit all three alike
            times["new"].append(_time([*perfproj, "new", f"bench{run}", "--no-input", "--no-git"], work, env))
            times["update"].append(_time([*perfproj, "update"], work / "warm", env))
            times["doctor"].append(_time([*perfproj, "doctor", "--json"], work, env))

    print(f"perfproj commands, {args.runs} interleaved runs each")
    print(f"  {'command':<8} {'median':>8} {'min':>8} {'max':>8}")
    for name, samples in times.items():
        print(f"  {name:<8} {statistics.median(samples):>7.3f}s {min(samples):>7.3f}s {max(samples):>7.3f}s")
    median_new = statistics.median(times["new"])
    verdict = "meets" if median_new <= NEW_TARGET_SECONDS else "MISSES"
    print(f"  new {verdict} the {NEW_TARGET_SECONDS:.1f} s target (cmake-init: ~0.2 s)")
    return 0 if median_new <= NEW_TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
