#!/usr/bin/env python3
"""CPU dispatch, measured: the sample's fingerprint loop (BM_Fingerprint, 64 KiB of text) built as

  portable           the release preset with PERFPROJ_DISPATCH=OFF: baseline x86-64 code only
  portable+dispatch  the release preset: an x86-64-v3 copy picked at run time
  release-v3         the whole build for x86-64-v3

run interleaved, with speed relative to portable (recorded in docs/release-profile.md).

    python3 tests/benchmarks/bench_dispatch.py [--compiler gcc|clang] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchlib import (Variant, compiler_env, interleave, log, paired_speed_interval, parse_arguments,
                      preset_variant, project_in_workdir, ratio_table, run)


def fingerprint_ns(project: Path, variant: Variant) -> float:
    out = run([project / variant.build_dir / "bench/calc_bench", "--benchmark_format=json",
               "--benchmark_filter=BM_Fingerprint", "--benchmark_min_time=0.2"], cwd=project)
    return float(json.loads(out[out.index("{"):])["benchmarks"][0]["real_time"])


def main() -> int:
    args = parse_arguments(argparse.ArgumentParser(description=__doc__,
                                                   formatter_class=argparse.RawDescriptionHelpFormatter))
    env = compiler_env(args.compiler)
    with project_in_workdir(args.workdir) as project:
        variants = [preset_variant("portable", "release", "-DPERFPROJ_DISPATCH=OFF"),
                    preset_variant("portable+dispatch", "release"),
                    preset_variant("release-v3", "release-v3")]
        for variant in variants:
            variant.build(project, env, "calc_bench")
        log("timing BM_Fingerprint")
        interleave(variants, args.rounds, lambda variant: fingerprint_ns(project, variant))
        print(f"### CPU dispatch, BM_Fingerprint ({args.compiler}), {args.rounds} interleaved rounds\n")
        print(ratio_table(variants, "ns", variants[0]))
        low, high = paired_speed_interval(variants[1], variants[0])
        print(f"\nportable+dispatch vs portable: 95% CI {low:.2f}-{high:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
