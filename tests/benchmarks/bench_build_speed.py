#!/usr/bin/env python3
"""Where a release build's time goes, and what each way of speeding it up buys:
a cold local build, a warm-cache clone, unity, PCH and icecream, side by side
in one run, on each project given.

    python3 tests/benchmarks/bench_build_speed.py [--sample] [REPO=TARGET ...] [--workdir DIR]

REPO is a git repository made by `perfproj new` or brought in by `perfproj
adopt`, TARGET its main library (where unity and the precompiled header go);
--sample adds a freshly generated sample project (target: its library). Every
variant configures and builds the release preset in a fresh clone of its own
(configure + build timed together), with a compiler cache of its own:

  cold           an empty ccache: every compile runs here
  warm clone     a second clone in another folder on the cache `cold` filled
                 (a CI runner that restored its cache, a colleague's checkout)
  unity          PERFPROJ_UNITY_BUILD=ON (adopted repositories: plus
                 perfproj_target_unity(TARGET) appended to CMakeLists.txt), empty cache
  pch            perfproj_precompile_headers(TARGET <string> <vector> ...) appended, empty cache
  icecream       the `distributed` preset, empty cache, through a real scheduler
                 and worker (tests/helpers/icecream.py); needs root

Wall time, and the CPU time of this machine's processes (user + system of
every child waited for: the worker's compiles are not in it). On one machine
the icecream worker shares this machine's cores, so that row shows what the
distribution costs, not what a cluster gains.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import generate_project, log, run  # noqa: E402
from helpers.icecream import Cluster, ClusterBroken, ClusterUnavailable, local_cluster  # noqa: E402
from perfproj.project import record  # noqa: E402

PCH_HEADERS = ("<string>", "<vector>", "<memory>", "<map>", "<unordered_map>", "<algorithm>")
VARIANTS = ("cold", "warm clone", "unity", "pch", "icecream")


@dataclass
class Timing:
    wall: float
    cpu: float
    note: str = ""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(commands: list[list[str]], cwd: Path, env: dict[str, str]) -> Timing:
    cpu, start = _children_cpu(), time.perf_counter()
    for command in commands:
        run(command, cwd, env)
    return Timing(time.perf_counter() - start, _children_cpu() - cpu)


@dataclass
class Subject:
    repo: Path
    target: str

    @property
    def record(self) -> record.Record:
        return record.read_record_at(self.repo)

    def clone(self, where: Path) -> Path:
        subprocess.run(["git", "clone", "-q", str(self.repo), str(where)], check=True)
        return where

    def append(self, checkout: Path, line: str) -> None:
        with (checkout / "CMakeLists.txt").open("a") as cmakelists:
            cmakelists.write(f"\n{line}\n")


def _env(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CCACHE_", "CMAKE_")) and key not in ("CC", "CXX")}
    return dict(env, CC="gcc", CXX="g++", CCACHE_DIR=str(cache), CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count()))


def _release(subject: Subject, *defines: str) -> list[list[str]]:
    preset = subject.record.preset("release")
    return [["cmake", "--preset", preset, "-DPERFPROJ_COMPILER_CACHE=ccache", *defines],
            ["cmake", "--build", "--preset", preset]]


def measure(subject: Subject, work: Path, cluster: Callable[[], Cluster | str]) -> dict[str, Timing]:
    results: dict[str, Timing] = {}
    cold_cache = work / "cache-cold"
    log(f"{subject.repo.name}: cold")
    results["cold"] = timed(_release(subject), subject.clone(work / "cold"), _env(cold_cache))
    log(f"{subject.repo.name}: warm clone")
    results["warm clone"] = timed(_release(subject), subject.clone(work / "elsewhere" / "warm"), _env(cold_cache))

    log(f"{subject.repo.name}: unity")
    checkout = subject.clone(work / "unity")
    if subject.record.mode == "adopt":  # adopt leaves the repository's targets alone: say which one
        subject.append(checkout, f"perfproj_target_unity({subject.target})")
    results["unity"] = timed(_release(subject, "-DPERFPROJ_UNITY_BUILD=ON"), checkout, _env(work / "cache-unity"))

    log(f"{subject.repo.name}: pch")
    checkout = subject.clone(work / "pch")
    subject.append(checkout, f"perfproj_precompile_headers({subject.target} {' '.join(PCH_HEADERS)})")
    results["pch"] = timed(_release(subject), checkout, _env(work / "cache-pch"))

    log(f"{subject.repo.name}: icecream")
    running = cluster()
    if isinstance(running, str):
        results["icecream"] = Timing(float("nan"), float("nan"), running)
    else:
        checkout = subject.clone(work / "icecream")
        preset = subject.record.preset("distributed")
        before = running.remote_compiles()
        results["icecream"] = timed([running.command(checkout, "cmake", "--preset", preset),
                                     running.command(checkout, "cmake", "--build", "--preset", preset)],
                                    checkout, _env(work / "cache-icecream"))
        results["icecream"].note = f"{running.remote_compiles() - before} compiles on the worker"
    return results


def table(name: str, results: dict[str, Timing]) -> str:
    cold = results["cold"]
    lines = [f"### {name}", "", "| variant | wall s | CPU s (here) | wall vs cold | note |", "|---|---:|---:|---:|---|"]
    for variant in VARIANTS:
        timing = results[variant]
        if timing.wall != timing.wall:  # NaN: not measured
            lines.append(f"| {variant} | | | | {timing.note} |")
            continue
        lines.append(f"| {variant} | {timing.wall:.1f} | {timing.cpu:.1f} | {cold.wall / timing.wall:.2f}x "
                     f"| {timing.note} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="*", metavar="REPO=TARGET")
    parser.add_argument("--sample", action="store_true", help="also a freshly generated sample project")
    parser.add_argument("--workdir", type=Path, help="keep the clones here (default: a temporary folder)")
    args = parser.parse_args()
    subjects = []
    for spec in args.repos:
        path, _, target = spec.partition("=")
        if not target:
            parser.error(f"{spec}: write REPO=TARGET (the library that gets unity and the precompiled header)")
        subjects.append(Subject(Path(path).resolve(), target))
    if not subjects and not args.sample:
        parser.error("nothing to measure: give --sample or REPO=TARGET")

    with contextlib.ExitStack() as stack:
        work = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="perfproj-speed-")))
        if args.sample:
            (work / "generated").mkdir(parents=True, exist_ok=True)
            sample = generate_project(work / "generated", "calc")
            run(["git", "init", "-q"], sample)
            run(["git", "add", "-A"], sample)
            run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "sample"],
                sample)
            subjects.insert(0, Subject(sample, "calc"))
        cluster_state: dict[str, Cluster | str] = {}

        def cluster() -> Cluster | str:
            if "state" not in cluster_state:
                try:
                    cluster_state["state"] = stack.enter_context(local_cluster(worker_jobs=os.cpu_count() or 2))
                except (ClusterUnavailable, ClusterBroken) as why:
                    cluster_state["state"] = f"not measured: {why}"
            return cluster_state["state"]

        reports = []
        for index, subject in enumerate(subjects):
            folder = work / f"{index}-{subject.repo.name}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            reports.append(table(subject.repo.name, measure(subject, folder, cluster)))
    print("\n\n".join(reports))


if __name__ == "__main__":
    main()
