#!/usr/bin/env python3
"""Is `perfproj tune`'s pick worth it? Its `tuned` preset against "always GCC
PGO" and plain Release, on a project that has been tuned, side by side in one
run.

    python3 tests/benchmarks/bench_tune.py PROJECT --workload 'CMD' [--train-command 'CMD'] [--rounds 15]

PROJECT is a generated or adopted project where `perfproj tune` has run (its
.perfproj/tune/presets.json holds the `tuned` preset). `{build}` in CMD is the
variant's build folder. Three builds, all in PROJECT/build/:

  plain Release   cmake -DCMAKE_BUILD_TYPE=Release, no preset (bench-plain/)
  GCC PGO         the PGO chain over the release preset with GCC (bench-gcc-pgo-pgo/)
  tuned           cmake --workflow --preset tuned (tune's winner, rebuilt from its preset)

then the workload runs interleaved for --rounds rounds (A B C, B C A, ...),
pinned to one CPU where taskset is installed, and the table shows medians
and the per-round speed ratio to plain Release with its 95% bootstrap
interval. Each variant's output must match plain Release's (a build that
computes something else is reported, not timed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Variant, interleave, log, paired_speed_interval, ratio_table, run  # noqa: E402
from perfproj.project import record  # noqa: E402


def _release_preset(project: Path) -> str:
    return record.read_record_at(project).preset("release")


def _env(cc: str, cxx: str) -> dict[str, str]:
    return dict(os.environ, CC=cc, CXX=cxx)


def build_variants(project: Path, train_command: str | None) -> list[Variant]:
    if not (project / ".perfproj/tune/presets.json").is_file():
        raise SystemExit(f"{project} has no .perfproj/tune/presets.json: run `perfproj tune` there first")
    gcc = _env("gcc", "g++")
    plain = Variant("plain Release", [], "build/bench-plain")
    log("  building plain Release")
    run(["cmake", "--fresh", "-S", ".", "-B", plain.build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"],
        project, gcc)
    run(["cmake", "--build", plain.build_dir], project, gcc)

    pgo = Variant("GCC PGO", [], "build/bench-gcc-pgo-pgo")
    log("  building GCC PGO (the PGO chain)")
    chain = ["cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", _release_preset(project), "--name", "bench-gcc-pgo"]
    if train_command:
        chain += ["--train-command", train_command]
    run(chain, project, gcc)

    tuned = Variant("tuned", [], "build/tuned")
    log("  building tuned (cmake --workflow --preset tuned)")
    run(["cmake", "--workflow", "--preset", "tuned", "--fresh"], project, dict(os.environ))
    return [plain, pgo, tuned]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path)
    parser.add_argument("--workload", required=True, help="shell command; {build} is the variant's build folder")
    parser.add_argument("--train-command", help="what the GCC PGO chain trains on (as tune was given)")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    project = args.project.resolve()
    variants = build_variants(project, args.train_command)
    pin = ["taskset", "-c", str(max(os.sched_getaffinity(0)))] if shutil.which("taskset") else []

    def output_of(variant: Variant) -> str:
        command = args.workload.replace("{build}", str(project / variant.build_dir))
        return subprocess.run([*pin, "bash", "-c", command], cwd=project, capture_output=True, text=True,
                              check=True).stdout

    expected = output_of(variants[0])
    for variant in variants[1:]:
        if output_of(variant) != expected:
            raise SystemExit(f"{variant.name} prints something else than plain Release: not timed")

    def measure(variant: Variant) -> float:
        start = time.perf_counter()
        output_of(variant)
        return (time.perf_counter() - start) * 1000

    interleave(variants, args.rounds, measure)
    print(f"workload: {args.workload} ({args.rounds} interleaved rounds)\n")
    print(ratio_table(variants, "ms", variants[0]))
    for variant in variants[1:]:
        low, high = paired_speed_interval(variant, variants[0])
        print(f"{variant.name}: 95% interval of the speed vs plain Release {low:.3f}-{high:.3f}")


if __name__ == "__main__":
    main()
