"""`perfproj doctor`: is this machine ready for perfproj's presets, and what to install if not.

Essential: CMake >= 3.25, Ninja, and one C++ compiler whose LTO really works
(the release presets need it). Everything else (Clang's matching LLVM tools,
caches, linters, profilers, BOLT) only limits some presets, so it is a warning.
"""

from __future__ import annotations

import json
import os
import platform
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

from perfproj.machine import cpu_level, icecream, toolchain_probe
from perfproj.machine.debian_packages import debian_package

MIN_CMAKE = (3, 25)

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass
class Check:
    name: str
    group: str
    status: str  # ok, warn (optional and missing or broken), FAIL (essential)
    detail: str
    version: str | None = None
    path: str | None = None
    package: str | None = None  # the Debian package that fixes a warn/FAIL
    essential: bool = False


@dataclass
class Report:
    checks: list[Check]
    cpu: cpu_level.CpuLevel

    @property
    def ok(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    def packages(self, status: str) -> list[str]:
        found: list[str] = []
        for check in self.checks:
            if check.status == status and check.package and check.package not in found:
                found.append(check.package)
        return found


@dataclass
class Machine:
    """Where doctor looks: the PATH, LLVM's install root and the cpuinfo file."""

    path: str | None = None  # None: the process's PATH
    llvm_root: Path = Path("/usr/lib")
    cpuinfo: Path = Path("/proc/cpuinfo")
    machine: str | None = None  # platform.machine() unless given
    icecc_config: Path = icecream.CONFIG
    icecc_sockets: tuple[Path, ...] = field(default_factory=icecream.daemon_sockets)


@dataclass
class _Compiler:
    name: str
    path: str
    family: str  # GNU or Clang
    is_cxx: bool
    version: Future[str | None]
    lto: Optional[Future[toolchain_probe.LtoResult]] = None


@dataclass
class _Probes:
    """Futures of the slow probes, so they all run at once on a small pool."""

    pool: ThreadPoolExecutor
    versions: dict[str, Future[str | None]] = field(default_factory=dict)

    def version(self, program: str, args: tuple[str, ...] = ("--version",)) -> Future[str | None]:
        key = f"{program} {' '.join(args)}"
        if key not in self.versions:
            self.versions[key] = self.pool.submit(toolchain_probe.version_of, program, args)
        return self.versions[key]


def _missing(name: str, group: str, why: str, essential: bool = False, package: str | None = None) -> Check:
    return Check(name, group, FAIL if essential else WARN, f"not found: {why}",
                 package=package or debian_package(name), essential=essential)


def _found_tool(name: str, group: str, path: str, probes: _Probes) -> Callable[[], Check]:
    future = probes.version(path)
    return lambda: Check(name, group, OK, path, future.result(), path)


def _plain_tool(name: str, group: str, why: str, probes: _Probes, machine: Machine,
                alternatives: tuple[str, ...] = ()) -> Callable[[], Check]:
    """An optional tool that only needs to exist; its version is informational."""
    for candidate in (name, *alternatives):
        path = toolchain_probe.which(candidate, machine.path)
        if path:
            return _found_tool(candidate, group, path, probes)
    return lambda: _missing(name, group, why)


def _build_tools(probes: _Probes, machine: Machine) -> list[Callable[[], Check]]:
    cmake = toolchain_probe.which("cmake", machine.path)
    ninja = toolchain_probe.which("ninja", machine.path)

    def cmake_check() -> Check:
        if not cmake or cmake_version is None:
            return _missing("cmake", "build", "needed to configure any project", essential=True)
        version = cmake_version.result()
        if toolchain_probe.version_tuple(version)[:2] < MIN_CMAKE:
            return Check("cmake", "build", FAIL, f"{cmake}: perfproj's presets need CMake >= 3.25",
                         version, cmake, "cmake", essential=True)
        return Check("cmake", "build", OK, cmake, version, cmake, essential=True)

    def ninja_check() -> Check:
        if not ninja or ninja_version is None:
            return _missing("ninja", "build", "every preset generates for Ninja", essential=True)
        return Check("ninja", "build", OK, ninja, ninja_version.result(), ninja, essential=True)

    cmake_version = probes.version(cmake) if cmake else None
    ninja_version = probes.version(ninja) if ninja else None
    return [cmake_check, ninja_check]


def _find_compilers(probes: _Probes, machine: Machine) -> list[_Compiler]:
    names = ["gcc", "g++", "clang", "clang++", *toolchain_probe.versioned_clangs(machine.path)]
    compilers: list[_Compiler] = []
    lto_by_binary: dict[str, Future[toolchain_probe.LtoResult]] = {}
    for name in names:
        path = toolchain_probe.which(name, machine.path)
        if not path:
            continue
        family = "GNU" if name.startswith("g") else "Clang"
        is_cxx = "++" in name
        args = ("-dumpfullversion",) if family == "GNU" else ("--version",)
        compiler = _Compiler(name, path, family, is_cxx, probes.version(path, args))
        compilers.append(compiler)
    for compiler in compilers:
        if not compiler.is_cxx:
            continue
        # clang++ and clang++-14 are one binary on Debian: probe it once.
        real = os.path.realpath(compiler.path)
        if real not in lto_by_binary:
            lld = None
            if compiler.family == "Clang":
                major = _clang_major(compiler)
                lld = toolchain_probe.llvm_tool("ld.lld", major, machine.path, machine.llvm_root) if major else None
            lto_by_binary[real] = probes.pool.submit(toolchain_probe.probe_lto, compiler.path, compiler.family, lld)
        compiler.lto = lto_by_binary[real]
    return compilers


def _clang_major(compiler: _Compiler) -> int | None:
    suffix = compiler.name.rsplit("-", 1)
    if len(suffix) == 2 and suffix[1].isdigit():
        return int(suffix[1])
    version = toolchain_probe.version_tuple(compiler.version.result())
    return version[0] if version else None


def _compiler_checks(compilers: list[_Compiler]) -> list[Check]:
    checks: list[Check] = []
    for compiler in compilers:
        version = compiler.version.result()
        if compiler.lto is None:
            checks.append(Check(compiler.name, "compiler", OK, compiler.path, version, compiler.path))
            continue
        lto = compiler.lto.result()
        if lto.ok:
            checks.append(Check(compiler.name, "compiler", OK, f"LTO works ({lto.flags})", version, compiler.path))
            continue
        fix = "binutils" if compiler.family == "GNU" else debian_package(f"ld.lld-{_clang_major(compiler)}")
        checks.append(Check(compiler.name, "compiler", WARN, f"LTO fails ({lto.flags}): {lto.detail}",
                            version, compiler.path, fix))
    found = {compiler.name for compiler in compilers}
    if "g++" not in found:
        checks.append(_missing("g++", "compiler", "GCC is perfproj's default compiler"))
    if not any(compiler.family == "Clang" and compiler.is_cxx for compiler in compilers):
        checks.append(_missing("clang++", "compiler", "the Clang presets (msan, ThinLTO, llvm-cov) need it"))
    working = [c.name for c in compilers if c.lto is not None and c.lto.result().ok]
    if working:
        checks.append(Check("C++ with LTO", "compiler", OK, ", ".join(working), essential=True))
    else:
        # The fix is what repairs a found compiler (binutils, lld-N), else GCC itself.
        fixes = [c.package for c in checks if c.group == "compiler" and c.status == WARN and c.package]
        checks.append(Check("C++ with LTO", "compiler", FAIL,
                            "no C++ compiler can build with LTO: the release presets need one",
                            package=fixes[0] if fixes else "g++", essential=True))
    return checks


def _llvm_companions(compilers: list[_Compiler], machine: Machine) -> list[Check]:
    """llvm-profdata-N and ld.lld-N for every Clang major found: other majors break PGO and ThinLTO."""
    majors = sorted({m for c in compilers if c.family == "Clang" and (m := _clang_major(c))}, reverse=True)
    checks: list[Check] = []
    for major in majors:
        for tool, why in (("llvm-profdata", f"Clang {major} PGO merges its profiles with it"),
                          ("ld.lld", f"Clang {major} ThinLTO links with it")):
            name = f"{tool}-{major}"
            path = toolchain_probe.llvm_tool(tool, major, machine.path, machine.llvm_root)
            if path:
                checks.append(Check(name, "llvm", OK, f"{path} (matches clang {major})", str(major), path))
            else:
                checks.append(_missing(name, "llvm", why))
        checks.append(_clang_runtimes(major, machine))
    return checks


def _clang_runtimes(major: int, machine: Machine) -> Check:
    """Clang's sanitizer, profile and libFuzzer runtimes: a package of their own on
    Debian 12 (libclang-rt-N-dev), which a plain clang install lacks."""
    name = f"clang-runtimes-{major}"
    arch = machine.machine or platform.machine()
    found = toolchain_probe.clang_runtime(major, "fuzzer", arch, machine.llvm_root)
    if found:
        return Check(name, "llvm", OK, f"{found.parent} (sanitizers, PGO, libFuzzer)", str(major), str(found.parent))
    return _missing(name, "llvm", f"Clang {major}'s sanitizer, PGO and fuzz presets need its runtimes",
                    package=f"libclang-rt-{major}-dev")


def _bolt_checks(probes: _Probes, machine: Machine) -> list[Callable[[], Check]]:
    """BOLT instruments only through the llvm-bolt under /usr/lib/llvm-N with its
    runtime (docs/pgo.md, BOLT), so that is what PerfprojBOLT.cmake and doctor look for."""
    majors = sorted(
        (int(p.parent.parent.name.split("-", 1)[1]) for p in machine.llvm_root.glob("llvm-*/bin/llvm-bolt")
         if p.parent.parent.name.split("-", 1)[1].isdigit()),
        reverse=True,
    )
    if not majors:
        on_path = toolchain_probe.which("llvm-bolt-16", machine.path)
        detail = (f"{on_path} has no /usr/lib/llvm-16 install to instrument with" if on_path
                  else "PERFPROJ_BOLT=ON needs it")
        return [lambda: _missing("llvm-bolt-16", "bolt", detail)]
    major = majors[0]
    bolt = machine.llvm_root / f"llvm-{major}" / "bin" / "llvm-bolt"
    runtime = machine.llvm_root / f"llvm-{major}" / "lib" / "libbolt_rt_instr.a"
    version = probes.version(str(bolt))

    def bolt_check() -> Check:
        return Check(f"llvm-bolt-{major}", "bolt", OK, str(bolt), version.result(), str(bolt))

    def runtime_check() -> Check:
        name = f"bolt-runtime-{major}"
        if runtime.is_file():
            return Check(name, "bolt", OK, str(runtime), str(major), str(runtime))
        return _missing(name, "bolt", "BOLT instrumentation needs libbolt_rt_instr.a")

    return [bolt_check, runtime_check]


def _icecream_checks(probes: _Probes, machine: Machine) -> list[Callable[[], Check]]:
    """icecc, its local daemon and its scheduler: only looked at when icecc is installed."""
    why = "PERFPROJ_DISTRIBUTED=icecc (the distributed preset) sends compiles to an icecream cluster"
    icecc = toolchain_probe.which("icecc", machine.path)
    if not icecc:
        return [lambda: _missing("icecc", "distributed", why)]
    daemon = probes.pool.submit(icecream.running_daemon, machine.icecc_sockets)
    host = icecream.configured_scheduler(machine.icecc_config)
    scheduler = probes.pool.submit(icecream.scheduler_reachable, host) if host else None

    def daemon_check() -> Check:
        found = daemon.result()
        if found:
            return Check("iceccd", "distributed", OK, f"running ({found})", path=str(found))
        return Check("iceccd", "distributed", WARN, "not running: icecc compiles locally until it runs "
                     "(Debian's icecc package starts it with systemd: systemctl start iceccd)")

    def scheduler_check() -> Check:
        if scheduler is None:
            return Check("icecc-scheduler", "distributed", OK if daemon.result() else WARN,
                         f"found by broadcast on the local network (no ICECC_SCHEDULER_HOST in "
                         f"{machine.icecc_config}); set it to have it checked here")
        reached = scheduler.result()
        if reached.reachable:
            return Check("icecc-scheduler", "distributed", OK, f"reachable at {reached.address}")
        return Check("icecc-scheduler", "distributed", WARN, f"unreachable at {reached.address} ({reached.why}): "
                     f"is icecc-scheduler running there, and TCP port {icecream.SCHEDULER_PORT} open?")

    return [_found_tool("icecc", "distributed", icecc, probes), daemon_check, scheduler_check]


def _cpu_check(level: cpu_level.CpuLevel) -> Check:
    if level.level is None:
        return Check("x86-64 level", "cpu", WARN, f"unknown: {level.source}")
    detail = f"from {level.source}"
    if level.level in ("v1", "v2"):
        detail += "; release-v3 binaries stop here with the CPU guard's exit 86"
    if level.missing_for_next:
        detail += f"; the next level needs {','.join(level.missing_for_next)}"
    if level.level == "v4":
        detail += "; valgrind 3.19 dies on AVX-512 code (perfproj uses it only with PERFPROJ_AVX512=ON)"
    return Check("x86-64 level", "cpu", OK, detail, level.level)


def run_checks(machine: Machine | None = None) -> Report:
    machine = machine or Machine()
    # Small pool: the machine may be shared, and each probe is short.
    with ThreadPoolExecutor(max_workers=4) as pool:
        probes = _Probes(pool)
        pending = _build_tools(probes, machine)
        compilers = _find_compilers(probes, machine)
        optional = [
            _plain_tool("ccache", "cache", "the ci-* presets (what CI runs) need it; locally PERFPROJ_COMPILER_CACHE"
                        "=auto uses sccache or ccache, whichever is installed", probes, machine),
            _plain_tool("sccache", "cache", "the other compiler cache perfproj can use", probes, machine),
            _plain_tool("clang-tidy", "lint", "the lint preset runs it", probes, machine,
                        ("clang-tidy-16", "clang-tidy-14")),
            _plain_tool("clang-format", "lint", "the format and format-check targets run it", probes, machine,
                        ("clang-format-16", "clang-format-14")),
            _plain_tool("gcovr", "lint", "the coverage preset's GCC report", probes, machine),
            _plain_tool("perf", "profiler", "the <target>-perf targets", probes, machine),
            _plain_tool("valgrind", "profiler", "callgrind targets and the bench gate", probes, machine),
            _plain_tool("heaptrack", "profiler", "the <target>-heaptrack targets", probes, machine),
            *_bolt_checks(probes, machine),
            *_icecream_checks(probes, machine),
        ]
        level = cpu_level.detect(machine.cpuinfo, machine.machine)
        checks = [make() for make in pending]
        checks += _compiler_checks(compilers)
        checks += _llvm_companions(compilers, machine)
        checks += [make() for make in optional]
        checks.append(_cpu_check(level))
    return Report(checks, level)


def render_table(report: Report) -> str:
    rows = [(c.status, c.name, c.version or "-", c.detail) for c in report.checks]
    widths = [max(len(row[i]) for row in rows + [("STATUS", "CHECK", "VERSION", "")]) for i in range(3)]
    lines = [f"{'STATUS':<{widths[0]}}  {'CHECK':<{widths[1]}}  {'VERSION':<{widths[2]}}  DETAIL"]
    lines += [f"{s:<{widths[0]}}  {n:<{widths[1]}}  {v:<{widths[2]}}  {d}" for s, n, v, d in rows]
    lines.append("")
    essential = report.packages(FAIL)
    optional = report.packages(WARN)
    if essential:
        lines.append(f"Missing essentials: sudo apt-get install {' '.join(essential)}")
    if optional:
        lines.append(f"Optional, for the presets that use them: sudo apt-get install {' '.join(optional)}")
    lines.append("Ready: the essentials (CMake >= 3.25, Ninja, a C++ compiler with LTO) are here."
                 if report.ok else "Not ready: an essential tool is missing or broken (FAIL above).")
    return "\n".join(lines)


def render_json(report: Report) -> str:
    return json.dumps({
        "ok": report.ok,
        "checks": [asdict(check) for check in report.checks],
        "x86_64_level": report.cpu.level,
        "install": {"essential": report.packages(FAIL), "optional": report.packages(WARN)},
    }, indent=2)
