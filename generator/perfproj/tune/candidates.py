"""The builds `perfproj tune` can try on this machine, and how a user narrows them.

A candidate is one point of four choices:

  compiler  gcc, or a Clang whose matching ld.lld and llvm-profdata are installed
            (clang-14, clang-16, ...): ThinLTO and PGO break with tools of another major;
            without its profile runtime (libclang-rt-N-dev) a Clang builds LTO candidates only
  opt       lto (the release preset), pgo (PGO + LTO), pgo-bolt (then BOLT)
  arch      portable, or x86-64-v3 when this CPU runs it (never AVX-512)
  alloc     system, or mimalloc / jemalloc / tcmalloc when installed

By default every available value is tried, except that of several Clang
majors only the newest is (older ones rarely win and each costs a PGO chain),
and tcmalloc only when asked for. `--candidates "compiler=gcc,clang-14;opt=lto,pgo"`
lists exactly the values to try for the dimensions it names.
"""

from __future__ import annotations

import platform
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from perfproj.errors import UsageError
from perfproj.machine import cpu_level, toolchain_probe

DIMENSIONS = ("compiler", "opt", "arch", "alloc")
OPTS = ("lto", "pgo", "pgo-bolt")
# The shared library PerfprojAllocator.cmake links for each PERFPROJ_ALLOCATOR value.
ALLOCATOR_LIBRARIES = {"mimalloc": "libmimalloc.so", "jemalloc": "libjemalloc.so",
                       "tcmalloc": "libtcmalloc_minimal.so"}
# Allocators whose module also changes how the code compiles (tcmalloc: -fno-builtin-malloc ...): a
# preloaded library would not measure the same program, so these get a real build.
COMPILE_TIME_ALLOCATORS = ("tcmalloc",)
LIBRARY_DIRS = (Path("/usr/lib/x86_64-linux-gnu"), Path("/usr/lib64"), Path("/usr/lib"), Path("/usr/local/lib"))


def allocator_library(alloc: str) -> Path | None:
    """The installed shared library of `alloc` (the file the -dev package's symlink points at), or None."""
    name = ALLOCATOR_LIBRARIES.get(alloc)
    if name is None:
        return None
    return next(((folder / name).resolve() for folder in LIBRARY_DIRS if (folder / name).exists()), None)


@dataclass(frozen=True)
class Candidate:
    compiler: str = "gcc"
    opt: str = "lto"
    arch: str = "portable"
    alloc: str = "system"

    @property
    def name(self) -> str:
        parts = [self.compiler, self.opt]
        if self.arch != "portable":
            parts.append(self.arch.replace("x86-64-", ""))
        if self.alloc != "system":
            parts.append(self.alloc)
        return "-".join(parts)

    @property
    def complexity(self) -> int:
        """How much more a candidate asks of a build than gcc-lto: the simpler one wins a tie."""
        return (OPTS.index(self.opt) + (self.arch != "portable") + (self.alloc != "system")
                + (self.compiler != "gcc"))

    @property
    def pgo(self) -> bool:
        return self.opt != "lto"

    def with_(self, **changes: str) -> Candidate:
        return Candidate(**{**self.__dict__, **changes})


@dataclass
class Machine:
    """What each dimension can be here."""

    compilers: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (CC, CXX)
    opts: tuple[str, ...] = OPTS
    archs: tuple[str, ...] = ("portable",)
    allocs: tuple[str, ...] = ("system",)
    lto_only: tuple[str, ...] = ()  # compilers that cannot build PGO candidates here
    notes: list[str] = field(default_factory=list)  # why a value is missing

    def allows(self, candidate: Candidate) -> bool:
        return not (candidate.pgo and candidate.compiler in self.lto_only)

    def values(self, dimension: str) -> tuple[str, ...]:
        return {"compiler": tuple(self.compilers), "opt": self.opts, "arch": self.archs,
                "alloc": self.allocs}[dimension]


def _bolt_available() -> bool:
    return any(Path(bolt).parent.parent.joinpath("lib/libbolt_rt_instr.a").is_file()
               for bolt in Path("/usr/lib").glob("llvm-*/bin/llvm-bolt"))


def discover(path: str | None = None) -> Machine:
    machine = Machine()
    if shutil.which("g++", path=path) and shutil.which("gcc", path=path):
        machine.compilers["gcc"] = ("gcc", "g++")
    for cxx in toolchain_probe.versioned_clangs(path):
        match = re.fullmatch(r"clang\+\+-(\d+)", cxx)
        if not match:
            continue
        major = int(match.group(1))
        missing = [tool for tool in ("ld.lld", "llvm-profdata") if not toolchain_probe.llvm_tool(tool, major, path)]
        if missing:
            machine.notes.append(f"clang-{major} left out: no {' or '.join(f'{t}-{major}' for t in missing)}")
        elif shutil.which(f"clang-{major}", path=path):
            machine.compilers[f"clang-{major}"] = (f"clang-{major}", cxx)
            if not toolchain_probe.clang_runtime(major, "profile", platform.machine()):
                machine.lto_only += (f"clang-{major}",)
                machine.notes.append(f"clang-{major} PGO left out: no profile runtime "
                                     f"(Debian: libclang-rt-{major}-dev)")
    if not machine.compilers:
        raise UsageError("no C++ compiler to tune with: install g++ or clang")
    if not _bolt_available():
        machine.opts = ("lto", "pgo")
        machine.notes.append("pgo-bolt left out: no llvm-bolt with its instrumentation runtime "
                             "(Debian: bolt-16 libbolt-16-dev)")
    level = cpu_level.detect()
    if level.level in ("v3", "v4"):
        machine.archs = ("portable", "x86-64-v3")
    else:
        machine.notes.append(f"x86-64-v3 left out: this CPU is {level.level or 'not x86-64'}")
    machine.allocs = ("system", *(name for name in ALLOCATOR_LIBRARIES if allocator_library(name)))
    return machine


def defaults(machine: Machine) -> dict[str, tuple[str, ...]]:
    clangs = sorted((name for name in machine.compilers if name.startswith("clang-")),
                    key=lambda name: -int(name.split("-")[1]))
    compilers = tuple(name for name in machine.compilers if not name.startswith("clang-")) + tuple(clangs[:1])
    return {"compiler": compilers, "opt": machine.opts, "arch": machine.archs,
            "alloc": tuple(name for name in machine.allocs if name != "tcmalloc")}


def narrow(machine: Machine, spec: str | None) -> dict[str, tuple[str, ...]]:
    """The values to try per dimension: the defaults, or what --candidates lists."""
    chosen = defaults(machine)
    if not spec:
        return chosen
    for part in filter(None, (piece.strip() for piece in spec.split(";"))):
        dimension, equals, values = part.partition("=")
        dimension = dimension.strip()
        if not equals or dimension not in DIMENSIONS:
            raise UsageError(f"--candidates: {part!r} is not DIMENSION=VALUE[,VALUE] "
                             f"(dimensions: {', '.join(DIMENSIONS)})")
        wanted = tuple(value.strip() for value in values.split(",") if value.strip())
        unknown = [value for value in wanted if value not in machine.values(dimension)]
        if unknown or not wanted:
            available = ", ".join(machine.values(dimension))
            raise UsageError(f"--candidates: {dimension}={','.join(unknown) or '(nothing)'} is not available "
                             f"here (available: {available})")
        chosen[dimension] = wanted
    return chosen
