#!/usr/bin/env python3
"""Release profile benchmark, printed as Markdown tables (recorded in docs/release-profile.md).

1. The sample workload built as plain CMake Release (no perfproj modules) and
   with the release, release-v3 and release-native presets, run interleaved;
   medians and speed relative to plain Release. Target: release >= 0.98.
2. The allocation-heavy benchmark (BM_AllocationChurn) with each allocator.
3. Hardening: release with PERFPROJ_HARDENING=none, cheap and full. Target:
   cheap costs at most 1% at the median.
4. Configure time: a warm re-configure with perfproj's modules against plain
   CMake. Target: the modules add at most 1 s.

    python3 tests/benchmarks/bench_release.py [--compiler gcc|clang] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchlib import (Variant, app_elapsed_ms, compiler_env, parse_arguments, project_in_workdir, instructions_table,
                      interleave, log, median, paired_speed, paired_speed_interval, plain_variant,
                      preset_variant, ratio_table, run, timed)

ALLOCATORS = ("system", "mimalloc", "jemalloc", "tcmalloc")


def workload(project: Path, env: dict[str, str], rounds: int, app_args: list[str]) -> bool:
    variants = [plain_variant(project), preset_variant("release", "release"),
                preset_variant("release-v3", "release-v3"), preset_variant("release-native", "release-native")]
    for variant in variants:
        variant.build(project, env, "calc_app")
    log("timing the sample workload")

    def uncertain() -> bool:  # keep sampling until release/plain is known within +-1%
        low, high = paired_speed_interval(variants[1], variants[0])
        return high - low > 0.02

    interleave(variants, rounds, lambda v: app_elapsed_ms(project, v, "calc", app_args),
               more=uncertain, max_rounds=4 * rounds)
    print(f"### Sample workload (`calc {' '.join(app_args)}`), {len(variants[0].samples)} interleaved rounds\n")
    print(ratio_table(variants, "ms", variants[0]))
    print()
    print(instructions_table(project, variants, "calc", ["--statements", "1000", "--iterations", "3"]))
    speed = paired_speed(variants[1], variants[0])
    low, high = paired_speed_interval(variants[1], variants[0])
    verdict = "meets" if speed >= 0.98 else "MISSES"
    print(f"\n`release` runs at {speed:.3f}x plain Release (95% CI {low:.3f}-{high:.3f}): "
          f"{verdict} the >= 0.98 target.\n")
    return speed >= 0.98


def churn_ns(project: Path, variant: Variant, threads: int) -> float:
    out = run([project / variant.build_dir / "bench/calc_bench", "--benchmark_format=json",
               f"--benchmark_filter=BM_AllocationChurn.*threads:{threads}$", "--benchmark_min_time=0.3"],
              cwd=project)
    results = json.loads(out[out.index("{"):])["benchmarks"]
    return float(results[0]["real_time"]) / 1000.0  # us per iteration


def allocators(project: Path, env: dict[str, str], rounds: int) -> None:
    for threads in (1, 2):
        variants = [preset_variant(f"release + {a}", "release", f"-DPERFPROJ_ALLOCATOR={a}")
                    for a in ALLOCATORS]
        for variant in variants:
            variant.build_dir = f"build/alloc-{variant.name.split()[-1]}"
            variant.configure[variant.configure.index("-B") + 1] = variant.build_dir
            if threads == 1:
                variant.build(project, env, "calc_bench")
        log(f"timing BM_AllocationChurn on {threads} thread(s)")
        interleave(variants, rounds, lambda v: churn_ns(project, v, threads))
        print(f"### BM_AllocationChurn, {threads} thread(s), {rounds} interleaved rounds\n")
        print(ratio_table(variants, "us/iter", variants[0]))
        print()


def hardening(project: Path, env: dict[str, str], rounds: int, app_args: list[str]) -> bool:
    variants = [preset_variant(f"release, hardening {level}", "release", f"-DPERFPROJ_HARDENING={level}")
                for level in ("none", "cheap", "full")]
    for variant in variants:
        variant.build_dir = f"build/hardening-{variant.name.split()[-1]}"
        variant.configure[variant.configure.index("-B") + 1] = variant.build_dir
        variant.build(project, env, "calc_app")
    log("timing the hardening levels")

    def uncertain() -> bool:
        low, high = paired_speed_interval(variants[1], variants[0])
        return high - low > 0.02

    interleave(variants, rounds, lambda v: app_elapsed_ms(project, v, "calc", app_args),
               more=uncertain, max_rounds=4 * rounds)
    print(f"### Hardening cost (`calc {' '.join(app_args)}`), {len(variants[0].samples)} interleaved rounds\n")
    print(ratio_table(variants, "ms", variants[0]))
    cost = 1 / paired_speed(variants[1], variants[0]) - 1
    low, high = paired_speed_interval(variants[1], variants[0])
    verdict = "meets" if cost <= 0.01 else "MISSES"
    print(f"\n`cheap` costs {cost:+.1%} against `none` (speed 95% CI {low:.3f}-{high:.3f}): "
          f"{verdict} the <= 1% target.\n")
    return cost <= 0.01


def configure_time(project: Path, env: dict[str, str], rounds: int) -> bool:
    plain = plain_variant(project)
    release = preset_variant("release", "release")
    for variant in (plain, release):  # both build trees exist: these are warm re-configures
        variant.samples.clear()
    log("timing warm re-configures")
    interleave([plain, release], rounds, lambda v: timed(["cmake", *v.configure], project, env))
    added = median(release.samples) - median(plain.samples)
    print(f"### Warm re-configure, {rounds} interleaved rounds\n")
    print(f"| variant | median s |\n|---|---:|\n| plain CMake | {median(plain.samples):.2f} |"
          f"\n| perfproj release | {median(release.samples):.2f} |")
    verdict = "meets" if added <= 1.0 else "MISSES"
    print(f"\nperfproj's modules add {added:+.2f} s to a warm re-configure: {verdict} the <= 1 s target.\n")
    return added <= 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=3000)
    parser.add_argument("--iterations", type=int, default=60)
    args = parse_arguments(parser)

    with project_in_workdir(args.workdir) as project:
        env = compiler_env(args.compiler)
        print(f"## Release profile, {args.compiler}\n")
        ok = workload(project, env, args.rounds,
                      ["--statements", str(args.statements), "--iterations", str(args.iterations)])
        allocators(project, env, args.rounds)
        ok = hardening(project, env, args.rounds,
                       ["--statements", str(args.statements), "--iterations", str(args.iterations)]) and ok
        ok = configure_time(project, env, args.rounds) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
