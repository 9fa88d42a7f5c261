#!/usr/bin/env python3
"""PGO benchmark, printed as Markdown tables (recorded in docs/pgo.md).

For one compiler: the sample workload built as plain CMake Release (no perfproj
modules), with the release preset, with PGO (the one-command chain) and with
PGO + BOLT, run interleaved; medians and speed relative to plain Release.
Target: PGO >= 1.10x. The training (tests labelled pgo-training) uses another
seed and size than the timed run. Also times the whole chain against one
release build (configure + build + test), both without a compiler cache.
Target: at most 2.5x.

    python3 tests/benchmarks/bench_pgo.py [--compiler gcc|clang] [--rounds 15]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from benchlib import (Variant, app_elapsed_ms, compiler_env, parse_arguments, project_in_workdir, instructions_table,
                      interleave, log, paired_speed, paired_speed_interval, plain_variant, preset_variant,
                      ratio_table, run, timed)

# Two sizes of the same work: large programs stream megabytes of tokens and
# bytecode through the caches; small ones stay cache-resident, where the
# compiler's code generation (what PGO improves) decides the speed.
WORKLOADS = {
    "large programs": ["--statements", "3000", "--iterations", "60", "--seed", "1"],
    "small programs": ["--statements", "300", "--iterations", "600", "--seed", "1"],
}


def uncached(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.endswith("_COMPILER_LAUNCHER")}


def keep_app(project: Path, name: str) -> Variant:
    """Copy the optimized app out of build/release-pgo before the next chain rebuilds it."""
    destination = project / "build" / "bench-bins" / name
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(project / "build" / "release-pgo" / "calc", destination / "calc")
    return Variant(name, [], str(destination.relative_to(project)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args = parse_arguments(parser)

    with project_in_workdir(args.workdir) as project:
        env = compiler_env(args.compiler)
        cold = uncached(env)

        log("timing one release build (configure, build, test) without a compiler cache")
        shutil.rmtree(project / "build" / "time-release", ignore_errors=True)
        build_dir = "build/time-release"
        start_args = ["--preset", "release", "-B", build_dir, "-DPERFPROJ_COMPILER_CACHE=none"]
        release_time = (timed(["cmake", *start_args], project, cold)
                        + timed(["cmake", "--build", build_dir], project, cold)
                        + timed(["ctest", "--test-dir", build_dir], project, cold))

        log("timing the PGO chain without a compiler cache")
        for stale in ("release-pgo", "release-pgo-generate", "release-pgo-profile"):
            shutil.rmtree(project / "build" / stale, ignore_errors=True)
        chain_time = timed(["cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", "release",
                            "-DPERFPROJ_COMPILER_CACHE=none"], project, cold)
        pgo = keep_app(project, "release + PGO")
        log("building PGO + BOLT")
        run(["cmake", "-P", "cmake/perfproj/scripts/pgo.cmake", "release", "--bolt"], project, env)
        bolt = keep_app(project, "release + PGO + BOLT")

        variants = [plain_variant(project), preset_variant("release", "release")]
        for variant in variants:
            variant.build(project, env, "calc_app")
        variants += [pgo, bolt]

        print(f"## PGO, {args.compiler}\n")
        speeds = {}
        for label, workload in WORKLOADS.items():
            for variant in variants:
                variant.samples.clear()
            log(f"timing the sample workload, {label}")

            def uncertain() -> bool:
                low, high = paired_speed_interval(pgo, variants[0])
                return high - low > 0.02

            interleave(variants, args.rounds, lambda v: app_elapsed_ms(project, v, "calc", workload),
                       more=uncertain, max_rounds=4 * args.rounds)
            print(f"### Sample workload, {label} (`calc {' '.join(workload)}`; trained on "
                  f"`--statements 2000 --iterations 5 --seed 7` and the benchmarks), "
                  f"{len(pgo.samples)} interleaved rounds\n")
            print(ratio_table(variants, "ms", variants[0]))
            speed = speeds[label] = paired_speed(pgo, variants[0])
            low, high = paired_speed_interval(pgo, variants[0])
            print(f"\nPGO runs at {speed:.3f}x plain Release (95% CI {low:.3f}-{high:.3f}).\n")
        print(instructions_table(project, variants, "calc", ["--statements", "1000", "--iterations", "3"]))
        speed = speeds["large programs"]
        verdict = "meets" if speed >= 1.10 else "MISSES"
        print(f"\nOn the default (large) workload PGO runs at {speed:.3f}x plain Release: "
              f"{verdict} the >= 1.10 target.\n")
        ratio = chain_time / release_time
        verdict = "meets" if ratio <= 2.5 else "MISSES"
        print(f"### Build time, no compiler cache\n\n| build | seconds |\n|---|---:|\n"
              f"| release: configure, build, test | {release_time:.0f} |\n"
              f"| PGO chain: instrumented build, training, optimized build, tests | {chain_time:.0f} |\n\n"
              f"The chain takes {ratio:.2f}x one release build: {verdict} the <= 2.5x target.\n")
        return 0 if speed >= 1.10 and ratio <= 2.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
