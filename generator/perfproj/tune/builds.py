"""Building a tune candidate with the project's own presets and the PGO chain.

Every candidate builds under build/tune/ from the project's release preset:

  plain     cmake -DCMAKE_BUILD_TYPE=Release, no preset: the baseline everyone knows
  lto       cmake --preset release -DPERFPROJ_ARCH=... -DPERFPROJ_ALLOCATOR=...
  pgo       the PGO chain (cmake -P <modules>/pgo.cmake), which trains and tests;
            a later variant of the same compiler (another arch or allocator)
            reuses that profile (PERFPROJ_PGO=USE) when its build reports no
            stale-profile warning, and trains afresh when it does
  pgo-bolt  the PGO chain with --bolt
  +alloc    the same build with the allocator's shared library preloaded
            (LD_PRELOAD): PerfprojAllocator.cmake links that very library
            dynamically, ahead of glibc, so the same malloc serves the same
            code, and measuring it costs no build. An allocator whose module
            also changes compile flags (tcmalloc) gets a real build.

The compiler cache makes the repeats cheap: only link-time optimization and
the profile-dependent compiles really run again.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from perfproj.errors import PerfprojError
from perfproj.tune.candidates import Candidate

STALE_PROFILE = re.compile(r"coverage-mismatch|control flow change detected|hash mismatch|"
                           r"function control flow change|profile data may be out of date")
TUNE_DIR = "build/tune"


@dataclass
class Project:
    """What tune needs to know of the project it tunes."""

    root: Path
    release_preset: str  # "release", or e.g. "perfproj-release" in an adopted repository
    modules_dir: str  # cmake/perfproj
    train_command: str | None = None  # --train-command for the PGO chain (else the pgo-training tests)
    compilers: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (CC, CXX)
    log: Callable[[str], None] = print


@dataclass
class Built:
    candidate: Candidate | None  # None: the plain Release baseline
    build_dir: Path
    seconds: float  # wall time of configure + build (+ training, for PGO)
    profile_dir: Path | None = None  # the PGO profile it was built with
    stale_warnings: int = 0
    trained: bool = False  # it ran the PGO chain itself
    preload: Path | None = None  # an allocator's shared library, loaded in front of glibc's malloc

    @property
    def name(self) -> str:
        return self.candidate.name if self.candidate else "plain"

    def env(self) -> dict[str, str]:
        """The environment its programs run in (the preloaded allocator, if any)."""
        if self.preload is None:
            return dict(os.environ)
        preload = [str(self.preload), *os.environ.get("LD_PRELOAD", "").split()]
        return dict(os.environ, LD_PRELOAD=" ".join(preload))


def with_allocator(base: Built, candidate: Candidate, library: Path) -> Built:
    """`base` (built with the system allocator) measured with `library` preloaded, as `candidate`."""
    return Built(candidate, base.build_dir, 0.0, base.profile_dir, base.stale_warnings, base.trained, library)


def _run(project: Project, command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, cwd=project.root, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        tail = " | ".join(line.strip() for line in result.stdout.strip().splitlines()[-3:])
        raise PerfprojError(f"tune: {what} failed: {shlex.join(command)}: {tail}")
    return result.stdout


def _env(project: Project, compiler: str) -> dict[str, str]:
    cc, cxx = project.compilers[compiler]
    return dict(os.environ, CC=cc, CXX=cxx)


def _defines(candidate: Candidate) -> list[str]:
    return [f"-DPERFPROJ_ARCH={candidate.arch}", f"-DPERFPROJ_ALLOCATOR={candidate.alloc}"]


def build_plain(project: Project, compiler: str) -> Built:
    build_dir = project.root / TUNE_DIR / "plain"
    start = time.monotonic()
    env = _env(project, compiler)
    _run(project, ["cmake", "--fresh", "-S", ".", "-B", str(build_dir), "-G", "Ninja",
                   "-DCMAKE_BUILD_TYPE=Release"], env, "configuring the plain Release build")
    _run(project, ["cmake", "--build", str(build_dir)], env, "building the plain Release build")
    return Built(None, build_dir, time.monotonic() - start)


def build_lto(project: Project, candidate: Candidate, profile: Path | None = None) -> Built:
    """The release preset (PGO=USE with `profile` when given), configured afresh and built."""
    build_dir = project.root / TUNE_DIR / candidate.name
    env = _env(project, candidate.compiler)
    start = time.monotonic()
    defines = _defines(candidate)
    if profile is not None:
        defines += ["-DPERFPROJ_PGO=USE", f"-DPERFPROJ_PGO_DIR={profile}"]
    _run(project, ["cmake", "--fresh", "--preset", project.release_preset, "-B", str(build_dir), *defines],
         env, f"configuring {candidate.name}")
    output = _run(project, ["cmake", "--build", str(build_dir)], env, f"building {candidate.name}")
    stale = len(STALE_PROFILE.findall(output)) if profile is not None else 0
    return Built(candidate, build_dir, time.monotonic() - start, profile, stale)


def build_pgo_chain(project: Project, candidate: Candidate) -> Built:
    """The PGO chain (with --bolt for pgo-bolt): instrumented build, training, optimized build, tests."""
    name = f"tune/{candidate.name}"
    command = ["cmake", "-P", f"{project.modules_dir}/scripts/pgo.cmake", project.release_preset, "--name", name,
               *_defines(candidate)]
    if candidate.opt == "pgo-bolt":
        command.append("--bolt")
    if project.train_command:
        command += ["--train-command", project.train_command]
    start = time.monotonic()
    _run(project, command, _env(project, candidate.compiler), f"the PGO chain of {candidate.name}")
    root = project.root / "build"
    return Built(candidate, root / f"{name}-pgo", time.monotonic() - start, root / f"{name}-pgo-profile",
                 trained=True)


def build(project: Project, candidate: Candidate, profiles: dict[str, Path]) -> Built:
    """`candidate`, reusing the profile of its compiler (in `profiles`) where that stays valid."""
    if candidate.opt == "lto":
        return build_lto(project, candidate)
    if candidate.opt == "pgo" and candidate.compiler in profiles:
        built = build_lto(project, candidate, profiles[candidate.compiler])
        if built.stale_warnings == 0:
            return built
        project.log(f"  {candidate.name}: the {candidate.compiler} profile is stale for this build "
                    f"({built.stale_warnings} warning(s)): training it afresh")
    built = build_pgo_chain(project, candidate)
    if candidate.opt == "pgo":
        profiles.setdefault(candidate.compiler, built.profile_dir or built.build_dir)
    return built


def binaries_size(build_dir: Path, binaries: list[Path]) -> int:
    return sum(path.stat().st_size for path in binaries if path.is_file())
