#!/usr/bin/env python3
"""What `perfproj adopt` buys on real repositories, printed as a Markdown table (docs/adopt.md).

Each case is a repository already adopted with `perfproj adopt` and a shell
command that runs its own workload. The repository is built three ways:
  plain     cmake -S . -B build/bench-plain -G Ninja -DCMAKE_BUILD_TYPE=Release
            (its own CMakeLists.txt and nothing else: -O3 -DNDEBUG)
  release   cmake --preset <prefix>release (LTO, portable x86-64): build/<prefix>release
  PGO       cmake -P <modules dir>/pgo.cmake <prefix>release (trains on the
            repository's test suite, or its pgo-training tests): build/<prefix>release-pgo
  PGO, workload-trained (with --train NAME COMMAND): the same chain with
            --train-command COMMAND, in build/bench-trained-pgo
then the workload runs interleaved (plain, release, PGO; release, PGO, plain;
...) for --rounds rounds; medians of the CPU time (user + sys), speed
relative to plain (> 1 = faster), and the spread ((max - min) / median) of
the noisiest variant. With --reuse, build directories configured earlier
(e.g. by trying the presets by hand) are measured as they are.

    python3 tests/benchmarks/bench_adopt.py --rounds 7 \\
        --case zlib /path/to/zlib '{build}/minigzip -c -9 < /tmp/corpus > /dev/null' \\
        --train zlib '{build}/minigzip < /tmp/other-text > /dev/null' \\
        --case yyjson /path/to/yyjson 'ctest --test-dir {build} -Q' --define yyjson YYJSON_BUILD_TESTS=ON

In the command, {build} is the variant's build directory (absolute); it runs
in the repository. --define NAME VAR=VALUE adds -DVAR=VALUE to every
configure of case NAME. The repositories' code is not part of this script.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Variant, interleave, log, run  # noqa: E402


@dataclass
class Case:
    name: str
    repo: Path
    command: str
    defines: list[str] = field(default_factory=list)
    train: str = ""  # a --train-command for a second PGO variant, trained on a workload

    @property
    def settings(self) -> dict[str, str]:
        data = json.loads((self.repo / ".perfproj.json").read_text())
        if data.get("mode") != "adopt":
            raise SystemExit(f"{self.repo}: run `perfproj adopt` first")
        return dict(data["settings"])


def _env() -> dict[str, str]:
    env = dict(os.environ, CMAKE_BUILD_PARALLEL_LEVEL=os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2"))
    if shutil.which("ccache"):  # the same launcher for every variant (perfproj keeps one set here)
        env.setdefault("CMAKE_C_COMPILER_LAUNCHER", "ccache")
        env.setdefault("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")
        env.setdefault("CCACHE_DIR", str(Path(__file__).resolve().parents[2] / ".cache" / "ccache"))
    return env


def _built(case: Case, build_dir: str, reuse: bool) -> bool:
    return reuse and (case.repo / build_dir / "CMakeCache.txt").exists()


def build_variants(case: Case, reuse: bool) -> list[Variant]:
    settings, env = case.settings, _env()
    release = f"{settings['preset_prefix']}release"
    plain = Variant("plain Release", ["-S", ".", "-B", "build/bench-plain", "-G", "Ninja",
                                      "-DCMAKE_BUILD_TYPE=Release", *case.defines], "build/bench-plain")
    tuned = Variant(f"perfproj {release}", ["--preset", release, *case.defines], f"build/{release}")
    pgo = Variant("PGO", [], f"build/{release}-pgo")
    for variant in (plain, tuned):
        if _built(case, variant.build_dir, reuse):
            continue
        log(f"{case.name}: building {variant.name}")
        run(["cmake", "--fresh", *variant.configure], cwd=case.repo, env=env)
        run(["cmake", "--build", variant.build_dir], cwd=case.repo, env=env)
    driver = ["cmake", "-P", f"{settings['modules_dir']}/pgo.cmake", release, *case.defines]
    if not _built(case, pgo.build_dir, reuse):
        log(f"{case.name}: PGO chain")
        run(driver, cwd=case.repo, env=env)
    if not case.train:
        return [plain, tuned, pgo]
    trained = Variant("PGO, workload-trained", [], "build/bench-trained-pgo")
    if not _built(case, trained.build_dir, reuse):
        log(f"{case.name}: PGO chain trained with {case.train}")
        run([*driver, "--name", "bench-trained", "--train-command", case.train], cwd=case.repo, env=env)
    return [plain, tuned, pgo, trained]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(case: Case, variant: Variant) -> float:
    """CPU time (user + sys, ms) of the workload and everything it starts.

    CPU time, not wall time: this machine is shared, and waiting for a core
    inflates wall time by whatever the neighbours do.
    """
    command = case.command.replace("{build}", str(case.repo / variant.build_dir))
    before = _children_cpu()
    subprocess.run(command, shell=True, cwd=case.repo, check=True, stdout=subprocess.DEVNULL)
    return (_children_cpu() - before) * 1000


def table_rows(case: Case, variants: list[Variant]) -> list[str]:
    plain = statistics.median(variants[0].samples)
    cells = [f"{statistics.median(v.samples):.0f} ms ({plain / statistics.median(v.samples):.2f}x)"
             for v in variants[1:]]
    if len(cells) == 2:
        cells.append("-")
    spread = max((max(v.samples) - min(v.samples)) / statistics.median(v.samples) for v in variants)
    return [f"| {case.name} | `{case.command}` | {plain:.0f} ms | {' | '.join(cells)} | "
            f"{len(variants[0].samples)} | {spread:.0%} |"]


def parse_cases(argv: list[str]) -> tuple[list[Case], int, bool]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (>= 5)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep build directories that are already configured (e.g. by an earlier run)")
    parser.add_argument("--case", nargs=3, action="append", required=True, metavar=("NAME", "REPO", "COMMAND"))
    parser.add_argument("--train", nargs=2, action="append", default=[], metavar=("NAME", "COMMAND"),
                        help="also build PGO trained with this command (pgo.cmake --train-command)")
    parser.add_argument("--define", nargs=2, action="append", default=[], metavar=("NAME", "VAR=VALUE"),
                        help="a cache variable for every configure of case NAME")
    args = parser.parse_args(argv)
    defines: dict[str, list[str]] = {}
    for name, value in args.define:
        defines.setdefault(name, []).append(f"-D{value}")
    trains = dict(args.train)
    cases = [Case(name, Path(repo).resolve(), command, defines.get(name, []), trains.get(name, ""))
             for name, repo, command in args.case]
    return cases, max(args.rounds, 5), args.reuse


def main(argv: list[str]) -> None:
    cases, rounds, reuse = parse_cases(argv)
    rows = []
    for case in cases:
        variants = build_variants(case, reuse)
        interleave(variants, rounds, lambda variant, case=case: measure(case, variant))
        rows += table_rows(case, variants)
    print(f"Machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs; "
          f"{time.strftime('%Y-%m-%d')}; {rounds} interleaved rounds, median CPU time (user+sys); "
          "(Nx) = speed vs plain")
    print()
    print("| repository | workload | plain Release | perfproj release | PGO (trained on tests) "
          "| PGO (trained on a workload) | runs | spread |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
