"""The x86-64 microarchitecture level (v1..v4) of the CPU perfproj runs on.

The level decides which release variant can run here: a release-v3 binary on
a v2 CPU dies with SIGILL (or the CPU guard's exit 86). The flags come from
/proc/cpuinfo; where that is unreadable, glibc 2.33+ `ld.so --help` lists the
glibc-hwcaps levels this CPU supports.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

# The psABI levels, as /proc/cpuinfo spells the features (pni is SSE3, abm is
# LZCNT). Each level needs its own features and every lower level's.
LEVELS: tuple[tuple[str, frozenset[str]], ...] = (
    ("v1", frozenset({"lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2"})),
    ("v2", frozenset({"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"})),
    ("v3", frozenset({"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"})),
    ("v4", frozenset({"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"})),
)

LD_SO_CANDIDATES = ("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")


@dataclass
class CpuLevel:
    level: str | None  # "v1".."v4"; None when unknown or not x86-64
    source: str  # where the answer came from
    missing_for_next: list[str] = field(default_factory=list)  # features the next level needs


def level_from_flags(flags: Iterable[str]) -> CpuLevel:
    """The highest level whose features (and all lower levels') are all present."""
    present = set(flags)
    reached: str | None = None
    for name, needed in LEVELS:
        missing = sorted(needed - present)
        if missing:
            return CpuLevel(reached, "/proc/cpuinfo", missing)
        reached = name
    return CpuLevel(reached, "/proc/cpuinfo")


def cpuinfo_flags(text: str) -> list[str] | None:
    """The first `flags` line of /proc/cpuinfo, split; None if there is none."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return value.split()
    return None


def level_from_ld_so(help_text: str) -> CpuLevel:
    """The highest `x86-64-vN (supported, ...)` line of `ld.so --help`; v1 is implied."""
    levels = re.findall(r"^\s*x86-64-(v[234]) \(supported", help_text, re.MULTILINE)
    if not levels and "glibc-hwcaps" not in help_text:
        return CpuLevel(None, "ld.so --help (no glibc-hwcaps: glibc older than 2.33)")
    return CpuLevel(max(levels) if levels else "v1", "ld.so --help")


def detect(cpuinfo: Path = Path("/proc/cpuinfo"), machine: str | None = None) -> CpuLevel:
    import platform

    machine = machine or platform.machine()
    if machine.lower() not in ("x86_64", "amd64"):
        return CpuLevel(None, f"not x86-64 ({machine})")
    try:
        flags = cpuinfo_flags(cpuinfo.read_text(errors="replace"))
    except OSError:
        flags = None
    if flags is not None:
        return level_from_flags(flags)
    for loader in LD_SO_CANDIDATES:
        if Path(loader).exists():
            try:
                result = subprocess.run([loader, "--help"], capture_output=True, text=True, timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                continue
            return level_from_ld_so(result.stdout)
    return CpuLevel(None, "no /proc/cpuinfo flags and no ld.so")
