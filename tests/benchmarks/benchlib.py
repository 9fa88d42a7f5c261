"""Shared machinery of the benchmark scripts: generate the sample project,
build variants of it, run them interleaved, and print medians and ratios.

Wall time on a shared machine drifts by several percent, so every script
runs its variants interleaved (A B C A B C ...), reports medians, and says
when a difference is within the noise.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

REPO = Path(__file__).resolve().parents[2]
COMPILERS = {"gcc": ("gcc", "g++"), "clang": ("clang", "clang++")}

# A stand-in for cmake/perfproj found first on CMAKE_MODULE_PATH: the project
# builds as plain CMake, with none of perfproj's flags. Every public function
# of the real modules becomes a no-op, except the ones whose effect the
# project needs to build and test at all.
KEPT_FUNCTIONS = {
    "perfproj_build_info": """function(perfproj_build_info target)
  set(support "@SUPPORT@")
  target_sources(${target} PRIVATE "${support}/perfproj_build_info.c")
  set_source_files_properties("${support}/perfproj_build_info.c" TARGET_DIRECTORY ${target}
                              PROPERTIES LANGUAGE CXX)
  target_include_directories(${target} PRIVATE "${support}")
  target_compile_definitions(${target} PRIVATE PERFPROJ_BUILD_COMPILER="plain"
    PERFPROJ_BUILD_TYPE="${CMAKE_BUILD_TYPE}" PERFPROJ_BUILD_LTO="off" PERFPROJ_BUILD_PGO="off"
    PERFPROJ_BUILD_ARCH="default" PERFPROJ_BUILD_SANITIZERS="none" PERFPROJ_BUILD_ALLOCATOR="system")
endfunction()""",
    "perfproj_benchmark": """function(perfproj_benchmark target)
  set(support "@SUPPORT@")
  perfproj_build_info(${target})
  file(WRITE "${CMAKE_BINARY_DIR}/perfproj/perfproj_git_revision.h"
       "#pragma once\\n#define PERFPROJ_GIT_REVISION \\"plain\\"\\n")
  target_sources(${target} PRIVATE "${support}/perfproj_bench_main.cpp")
  target_compile_definitions(${target} PRIVATE PERFPROJ_BUILD_DIRECTORY_NAME="plain")
  target_include_directories(${target} PRIVATE "${support}" "${CMAKE_BINARY_DIR}/perfproj")
endfunction()""",
    "perfproj_cpu_dispatch": """function(perfproj_cpu_dispatch target)
  target_include_directories(${target} SYSTEM PRIVATE "@SUPPORT@")  # one copy: PERFPROJ_DISPATCH unset
endfunction()""",
    "perfproj_discover_tests": """function(perfproj_discover_tests)
  include(GoogleTest)
  gtest_discover_tests(${ARGN})
endfunction()""",
}


def plain_stub_text(modules: Path) -> str:
    names = set()
    for module in sorted((modules / "modules").glob("*.cmake")):
        names.update(re.findall(r"^function\((perfproj_[a-z_]+)", module.read_text(), re.MULTILINE))
    lines = ["# Plain CMake: perfproj's functions exist but add nothing."]
    for name in sorted(names):
        lines.append(KEPT_FUNCTIONS.get(name, f"function({name})\nendfunction()"))
    return "\n".join(lines).replace("@SUPPORT@", str(modules / "runtime")) + "\n"


def parse_arguments(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """--compiler, --rounds (at least 5) and --workdir, shared by the variant benchmarks."""
    parser.add_argument("--compiler", choices=sorted(COMPILERS), default="gcc")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (at least 5)")
    parser.add_argument("--workdir", type=Path, help="keep builds here (default: a temporary directory)")
    args = parser.parse_args()
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")
    return args


@contextlib.contextmanager
def project_in_workdir(workdir: Path | None) -> Iterator[Path]:
    """The generated sample project in `workdir`, or in a temporary directory removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="perfproj-bench-") as temporary:
        where = workdir or Path(temporary)
        where.mkdir(parents=True, exist_ok=True)
        yield generate_project(where)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(command: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, command))}\n{result.stdout[-4000:]}")
    return result.stdout


def compiler_env(compiler: str) -> dict[str, str]:
    cc, cxx = COMPILERS[compiler]
    env = dict(os.environ, CC=cc, CXX=cxx)
    if shutil.which("ccache"):  # compiles are cached, LTO links never are
        env.update(CMAKE_C_COMPILER_LAUNCHER="ccache", CMAKE_CXX_COMPILER_LAUNCHER="ccache")
    return env


def generate_project(workdir: Path, name: str = "calc") -> Path:
    project = workdir / name
    if not project.exists():
        env = dict(os.environ, PYTHONPATH=str(REPO / "generator"))
        run([sys.executable, "-m", "perfproj", "new", name, "--no-input", "--no-git", "-o", workdir],
            cwd=workdir, env=env)
    return project


def write_plain_stub(project: Path) -> Path:
    stub = project / "build" / "plain-stub"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "Perfproj.cmake").write_text(plain_stub_text(project / "cmake" / "perfproj"))
    return stub


@dataclass
class Variant:
    name: str
    configure: list[str]  # arguments after `cmake`
    build_dir: str
    samples: list[float] = field(default_factory=list)

    def build(self, project: Path, env: dict[str, str], *targets: str) -> None:
        log(f"  building {self.name}")
        run(["cmake", *self.configure], cwd=project, env=env)
        run(["cmake", "--build", self.build_dir, "--target", *targets], cwd=project, env=env)


def preset_variant(name: str, preset: str, *defines: str) -> Variant:
    build_dir = f"build/{name}"
    return Variant(name, ["--preset", preset, "-B", build_dir, *defines], build_dir)


def plain_variant(project: Path, name: str = "plain Release") -> Variant:
    stub = write_plain_stub(project)
    return Variant(name, ["-S", ".", "-B", "build/plain", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                          f"-DCMAKE_MODULE_PATH={stub}"], "build/plain")


def app_elapsed_ms(project: Path, variant: Variant, app: str, args: Sequence[str]) -> float:
    out = run([project / variant.build_dir / app, *args], cwd=project)
    match = re.search(r"elapsed_ms=([0-9.]+)", out)
    if not match:
        raise SystemExit(f"no elapsed_ms in output of {variant.name}: {out}")
    return float(match.group(1))


def interleave(variants: list[Variant], rounds: int, measure: Callable[[Variant], float],
               more: Callable[[], bool] | None = None, max_rounds: int = 0) -> None:
    """A B C, B C A, C A B, ...: every variant runs once per round, starting place rotating.

    After `rounds` rounds, keeps going while `more()` says the answer is still
    too uncertain, up to `max_rounds`.
    """
    round_index = 0
    while round_index < rounds or (more and round_index < max_rounds and more()):
        shift = round_index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            variant.samples.append(measure(variant))
        round_index += 1
        log(f"  round {round_index} done")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired_speed(variant: Variant, baseline: Variant, higher_is_better: bool = False) -> float:
    """Median over rounds of the speed ratio within each round (>1 = faster).

    The variants of one round run back to back, so a slow drift of the
    machine's load cancels out of each ratio, which a ratio of two overall
    medians does not manage on a busy shared machine.
    """
    pairs = zip(variant.samples, baseline.samples)
    return median([(v / b) if higher_is_better else (b / v) for v, b in pairs])


def paired_speed_interval(variant: Variant, baseline: Variant, confidence: float = 0.95) -> tuple[float, float]:
    """Bootstrap confidence interval of paired_speed (seeded: the same samples give the same interval)."""
    ratios = [b / v for v, b in zip(variant.samples, baseline.samples)]
    rng = random.Random(1)
    medians = sorted(median(rng.choices(ratios, k=len(ratios))) for _ in range(2000))
    tail = (1 - confidence) / 2
    return medians[int(tail * len(medians))], medians[int((1 - tail) * len(medians)) - 1]


def ratio_table(variants: list[Variant], unit: str, baseline: Variant, higher_is_better: bool = False) -> str:
    """Markdown table: medians, spread, and speed relative to the baseline (>1 = faster)."""
    lines = [f"| variant | median {unit} | min-max {unit} | noise (MAD) | speed vs {baseline.name} |",
             "|---|---:|---:|---:|---:|"]
    for variant in variants:
        mid = median(variant.samples)
        speed = paired_speed(variant, baseline, higher_is_better)
        lines.append(f"| {variant.name} | {mid:.1f} | {min(variant.samples):.1f}-{max(variant.samples):.1f} "
                     f"| {noise(variant.samples):.1%} | {speed:.3f} |")
    lines.append("")
    lines.append(f"Speed: median over rounds of the per-round ratio to {baseline.name} (>1 = faster).")
    return "\n".join(lines)


def noise(values: Sequence[float]) -> float:
    """Median absolute deviation relative to the median: the run-to-run spread."""
    mid = median(values)
    return median([abs(v - mid) for v in values]) / mid


GUARD_EXIT = 86  # the CPU guard's exit status (cmake/perfproj/PerfprojArch.cmake)


def instructions(binary: Path, args: Sequence[str], cwd: Path) -> int | str:
    """Instructions executed, counted by callgrind: repeatable where wall time is not.

    Returns the guard's complaint instead when valgrind's virtual CPU lacks a
    feature the build uses (e.g. -march=native on a recent CPU).
    """
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(binary), *args],
                         cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if out.returncode == GUARD_EXIT:
        missing = re.search(r"lacks: (.*)", out.stderr)
        return f"n/a: valgrind's CPU lacks {missing.group(1) if missing else 'a feature'}"
    match = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not match:
        raise SystemExit(f"callgrind failed on {binary}: {out.stderr[-2000:]}")
    return int(match.group(1))


def instructions_table(project: Path, variants: list[Variant], binary: str, args: Sequence[str]) -> str:
    counts = {v.name: instructions(project / v.build_dir / binary, args, project) for v in variants}
    base = counts[variants[0].name]
    lines = [f"| variant | instructions (callgrind, `{' '.join(args)}`) | vs {variants[0].name} |",
             "|---|---:|---:|"]
    for variant in variants:
        count = counts[variant.name]
        if isinstance(count, int) and isinstance(base, int):
            lines.append(f"| {variant.name} | {count:,} | {count / base:.3f} |")
        else:
            lines.append(f"| {variant.name} | {count} | |")
    return "\n".join(lines)


def timed(command: Sequence[str | Path], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    run(command, cwd, env)
    return time.perf_counter() - start
