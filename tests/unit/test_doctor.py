"""`perfproj doctor`: package names, the x86-64 level, and essential vs optional tools."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.cli import run_perfproj
from helpers.packages import require
from perfproj.commands import doctor
from perfproj.machine import cpu_level
from perfproj.machine.debian_packages import debian_package

# A Zen 3 guest (this machine kind): v3, no AVX-512.
ZEN3 = (
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht "
    "syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl pni pclmulqdq ssse3 fma cx16 "
    "sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm sse4a bmi1 avx2 "
    "bmi2 erms rdseed adx sha_ni xsaveopt vaes vpclmulqdq"
).split()
# Nehalem: SSE4.2 and POPCNT, no AVX.
NEHALEM = "fpu cx8 cmov mmx fxsr sse sse2 syscall nx lm pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm".split()
# The x86-64 baseline only (QEMU's qemu64 model lacks even SSSE3).
BASELINE = "fpu cx8 cmov mmx fxsr sse sse2 syscall nx lm pni cx16 lahf_lm".split()
SKYLAKE_X = ZEN3 + "avx512f avx512dq avx512cd avx512bw avx512vl".split()


@pytest.mark.parametrize(
    ("tool", "package"),
    [
        ("clang-14", "clang-14"), ("clang++-16", "clang-16"), ("clang++", "clang"),
        ("llvm-profdata-14", "llvm-14"), ("ld.lld-14", "lld-14"), ("ld.lld-16", "lld-16"),
        ("llvm-bolt-16", "bolt-16"), ("bolt-runtime-16", "libbolt-16-dev"),
        ("perf", "linux-perf"), ("ninja", "ninja-build"), ("ccache", "ccache"),
        ("sccache", "sccache"), ("clang-tidy", "clang-tidy"), ("clang-format", "clang-format"),
        ("valgrind", "valgrind"), ("heaptrack", "heaptrack"), ("cmake", "cmake"), ("g++", "g++"),
    ],
)
def test_debian_package(tool: str, package: str) -> None:
    assert debian_package(tool) == package


@pytest.mark.parametrize(
    ("flags", "level", "next_missing"),
    [
        (ZEN3, "v3", "avx512f"),
        (NEHALEM, "v2", "avx2"),
        (BASELINE, "v1", "sse4_2"),
        (SKYLAKE_X, "v4", None),
        (["fpu", "lm", "sse"], None, "sse2"),
    ],
)
def test_level_from_cpuinfo_flags(flags: list[str], level: str | None, next_missing: str | None) -> None:
    result = cpu_level.level_from_flags(flags)
    assert result.level == level
    if next_missing:
        assert next_missing in result.missing_for_next
    else:
        assert result.missing_for_next == []


def test_detect_reads_the_first_flags_line(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {' '.join(NEHALEM)}\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert cpu_level.detect(cpuinfo, "x86_64").level == "v2"
    assert cpu_level.detect(cpuinfo, "aarch64").level is None


def test_level_from_ld_so_help() -> None:
    glibc_236 = (
        "Subdirectories of glibc-hwcaps directories, in priority order:\n"
        "  x86-64-v4\n  x86-64-v3 (supported, searched)\n  x86-64-v2 (supported, searched)\n"
    )
    assert cpu_level.level_from_ld_so(glibc_236).level == "v3"
    only_baseline = ("Subdirectories of glibc-hwcaps directories, in priority order:\n"
                     "  x86-64-v4\n  x86-64-v3\n  x86-64-v2\n")
    assert cpu_level.level_from_ld_so(only_baseline).level == "v1"
    assert cpu_level.level_from_ld_so("Usage: ld.so [OPTION]... EXECUTABLE-FILE\n").level is None


def _fake_path(tmp_path: Path, tools: list[str]) -> Path:
    """A PATH directory holding symlinks to only these real tools."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        real = shutil.which(tool)
        assert real, f"{tool} is needed for this test"
        (bin_dir / tool).symlink_to(real)
    return bin_dir


def _doctor(bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_perfproj("doctor", *args, cwd=bin_dir.parent, env={"PATH": str(bin_dir)})


def _rows(output: str) -> dict[str, str]:
    """CHECK -> STATUS from the table."""
    rows = {}
    for line in output.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("ok", "warn", "FAIL"):
            rows[line[len(parts[0]):].strip().split("  ")[0]] = parts[0]
    return rows


def test_essentials_only_exit_0_with_warnings(tmp_path: Path) -> None:
    # GCC needs the assembler and linker on PATH to compile anything.
    bin_dir = _fake_path(tmp_path, ["cmake", "ninja", "g++", "as", "ld"])
    result = _doctor(bin_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = _rows(result.stdout)
    assert rows["cmake"] == rows["ninja"] == rows["g++"] == rows["C++ with LTO"] == "ok"
    assert rows["ccache"] == rows["perf"] == rows["clang++"] == "warn"
    install = next(line for line in result.stdout.splitlines() if line.startswith("Optional"))
    assert "linux-perf" in install.split() and "ccache" in install.split() and "clang" in install.split()
    assert "Ready:" in result.stdout


def test_missing_cmake_and_ninja_exit_1(tmp_path: Path) -> None:
    bin_dir = _fake_path(tmp_path, ["g++", "as", "ld"])
    result = _doctor(bin_dir, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    failed = {check["name"]: check for check in report["checks"] if check["status"] == "FAIL"}
    assert set(failed) == {"cmake", "ninja"}
    assert report["install"]["essential"] == ["cmake", "ninja-build"]


def test_compiler_without_working_lto_exit_1(tmp_path: Path) -> None:
    # g++ without `as`: it is found, but cannot compile, so LTO is not available.
    bin_dir = _fake_path(tmp_path, ["cmake", "ninja", "g++"])
    result = _doctor(bin_dir)
    assert result.returncode == 1
    rows = _rows(result.stdout)
    assert rows["g++"] == "warn" and rows["C++ with LTO"] == "FAIL"
    assert "LTO fails" in result.stdout and "cannot execute 'as'" in result.stdout
    assert "Missing essentials: sudo apt-get install binutils" in result.stdout


def test_old_cmake_is_not_enough(tmp_path: Path) -> None:
    bin_dir = _fake_path(tmp_path, ["ninja", "g++", "as", "ld"])
    fake_cmake = bin_dir / "cmake"
    fake_cmake.write_text("#!/bin/sh\necho 'cmake version 3.18.4'\n")
    fake_cmake.chmod(0o755)
    report = doctor.run_checks(doctor.Machine(path=str(bin_dir), llvm_root=tmp_path / "no-llvm"))
    cmake = next(check for check in report.checks if check.name == "cmake")
    assert (cmake.status, cmake.version, cmake.package) == ("FAIL", "3.18.4", "cmake")
    assert not report.ok


def test_clang_without_matching_llvm_tools(tmp_path: Path) -> None:
    require("clang-16")
    # clang++-16 alone: ThinLTO falls back to the default linker, and the
    # version-matched llvm-profdata-16 and ld.lld-16 are reported missing.
    bin_dir = _fake_path(tmp_path, ["cmake", "ninja", "clang++-16", "as", "ld"])
    report = doctor.run_checks(doctor.Machine(path=str(bin_dir), llvm_root=tmp_path / "no-llvm"))
    by_name = {check.name: check for check in report.checks}
    assert by_name["llvm-profdata-16"].status == "warn" and by_name["llvm-profdata-16"].package == "llvm-16"
    assert by_name["ld.lld-16"].status == "warn" and by_name["ld.lld-16"].package == "lld-16"
    assert by_name["llvm-bolt-16"].package == "bolt-16"
    assert by_name["clang-runtimes-16"].status == "warn"
    assert by_name["clang-runtimes-16"].package == "libclang-rt-16-dev"
    assert by_name["g++"].status == "warn"


def test_clang_runtimes_are_found_where_debian_puts_them(tmp_path: Path) -> None:
    require("clang-16")
    bin_dir = _fake_path(tmp_path, ["cmake", "ninja", "clang++-16", "as", "ld"])
    runtimes = tmp_path / "lib/llvm-16/lib/clang/16/lib/linux"
    runtimes.mkdir(parents=True)
    (runtimes / "libclang_rt.fuzzer-x86_64.a").write_bytes(b"!<arch>\n")
    report = doctor.run_checks(doctor.Machine(path=str(bin_dir), llvm_root=tmp_path / "lib", machine="x86_64"))
    check = next(check for check in report.checks if check.name == "clang-runtimes-16")
    assert check.status == "ok" and check.path == str(runtimes)


def test_this_machine_is_checked(tmp_path: Path) -> None:
    # How long this takes is measured by tests/benchmarks/bench_commands.py, not asserted here.
    result = run_perfproj("doctor", "--json", cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert any(check["name"] == "C++ with LTO" for check in report["checks"])


def test_icecream_daemon_and_scheduler_are_checked_when_icecc_is_installed(tmp_path: Path) -> None:
    import socket

    require("icecc")
    bin_dir = _fake_path(tmp_path, ["cmake", "ninja", "g++", "as", "ld", "icecc"])
    config = tmp_path / "icecc.conf"
    daemon_socket = tmp_path / "iceccd.socket"
    with socket.socket(socket.AF_UNIX) as daemon, socket.create_server(("127.0.0.1", 0)) as scheduler:
        daemon.bind(str(daemon_socket))
        daemon.listen()
        config.write_text(f'ICECC_NETNAME=""\nICECC_SCHEDULER_HOST="127.0.0.1:{scheduler.getsockname()[1]}"\n')
        machine = doctor.Machine(path=str(bin_dir), llvm_root=tmp_path / "no-llvm", icecc_config=config,
                                 icecc_sockets=(tmp_path / "absent.socket", daemon_socket))
        checks = {check.name: check for check in doctor.run_checks(machine).checks}
    assert checks["icecc"].status == "ok"
    assert (checks["iceccd"].status, checks["iceccd"].path) == ("ok", str(daemon_socket))
    assert checks["icecc-scheduler"].status == "ok" and "reachable at 127.0.0.1:" in checks["icecc-scheduler"].detail

    # Both gone (the listening sockets are closed): each says what is wrong, neither is essential.
    checks = {check.name: check for check in doctor.run_checks(machine).checks}
    assert checks["iceccd"].status == "warn" and "compiles locally" in checks["iceccd"].detail
    assert checks["icecc-scheduler"].status == "warn" and "unreachable" in checks["icecc-scheduler"].detail
    # Without a configured host the scheduler is found by broadcast, which only the daemon can see.
    config.write_text('ICECC_SCHEDULER_HOST=""\n')
    checks = {check.name: check for check in doctor.run_checks(machine).checks}
    assert "found by broadcast" in checks["icecc-scheduler"].detail


def test_no_icecc_is_an_optional_warning(tmp_path: Path) -> None:
    bin_dir = _fake_path(tmp_path, ["cmake", "ninja", "g++", "as", "ld"])
    report = doctor.run_checks(doctor.Machine(path=str(bin_dir), llvm_root=tmp_path / "no-llvm"))
    check = next(check for check in report.checks if check.name == "icecc")
    assert (check.status, check.package) == ("warn", "icecc") and "iceccd" not in {c.name for c in report.checks}
