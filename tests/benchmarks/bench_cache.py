#!/usr/bin/env python3
"""A fresh clone built in another directory on a warm ccache, against cold.

Each round clones the generated project twice into new directories: the
"cold" clone builds with an empty cache (filling it), then the "warm" clone
builds with the cache the cold one filled: the situation of a CI runner that
restored the cache, or a colleague's checkout on a shared cache. The warm
build needs the cold one first, so the order is fixed; each round starts from
an empty cache and the cold and warm builds of a round run back to back, so
drift hits both sides of a round alike. Prints, per preset,
median configure+build seconds cold and warm, the ratio, and the warm hit
rate from the perfproj-cache-stats target.

Targets: >= 90% hits and >= 3x faster warm (docs/ci.md).

    python3 tests/benchmarks/bench_cache.py [--rounds 3] [--preset dev --preset release] [--compiler gcc]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

from benchlib import COMPILERS, generate_project, log, median, run, timed


def build_seconds(checkout: Path, preset: str, env: dict[str, str]) -> float:
    return timed(["bash", "-c", f"cmake --preset {preset} -DPERFPROJ_COMPILER_CACHE=ccache >/dev/null && "
                  f"cmake --build --preset {preset}"], checkout, env)


def hit_rate(checkout: Path, preset: str, env: dict[str, str]) -> tuple[int, int]:
    out = run(["cmake", "--build", "--preset", preset, "--target", "perfproj-cache-stats"], checkout, env)
    found = re.search(r"(\d+) hits, \d+ misses of (\d+) compiles", out)
    if not found:
        raise SystemExit(f"no cache statistics in:\n{out}")
    return int(found.group(1)), int(found.group(2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--preset", action="append", help="presets to build (default: dev and release)")
    parser.add_argument("--compiler", choices=sorted(COMPILERS), default="gcc")
    args = parser.parse_args()
    presets = args.preset or ["dev", "release"]

    with tempfile.TemporaryDirectory(prefix="perfproj-bench-cache-") as work_dir:
        work = Path(work_dir)
        origin = generate_project(work, "calc")
        run(["git", "init", "-q"], origin)
        run(["git", "add", "-A"], origin)
        run(["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "init"], origin)
        cc, cxx = COMPILERS[args.compiler]
        rows = []
        for preset in presets:
            cold, warm, rates = [], [], []
            for round_ in range(args.rounds):
                cache = work / f"cache-{preset}-{round_}"
                env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "CC": cc, "CXX": cxx,
                       "CCACHE_DIR": str(cache), "CMAKE_BUILD_PARALLEL_LEVEL": "2"}
                clones = []
                for side in ("cold", "warm"):
                    clone = work / f"{side}-{preset}-{round_}" / "calc"
                    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
                    clones.append(clone)
                cold.append(build_seconds(clones[0], preset, env))
                hit_rate(clones[0], preset, env)  # empties the cold clone's log
                warm.append(build_seconds(clones[1], preset, env))
                rates.append(hit_rate(clones[1], preset, env))
                log(f"{preset} round {round_ + 1}: cold {cold[-1]:.1f} s, warm {warm[-1]:.1f} s, "
                    f"warm hits {rates[-1][0]}/{rates[-1][1]}")
            hits = sum(h for h, _ in rates) / max(1, sum(t for _, t in rates))
            rows.append((preset, median(cold), median(warm), median(cold) / median(warm), hits))

    print(f"Fresh clone in another directory, {args.compiler}, {args.rounds} rounds, medians:\n")
    print("| preset | cold s | warm s | speed-up | warm hit rate |")
    print("|---|---:|---:|---:|---:|")
    for preset, cold_s, warm_s, ratio, hits in rows:
        print(f"| {preset} | {cold_s:.1f} | {warm_s:.1f} | {ratio:.2f}x | {hits:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
