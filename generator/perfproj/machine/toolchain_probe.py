"""Finding tools, reading their versions, and proving that a compiler can do LTO.

Everything takes the search PATH explicitly so doctor can be tested against a
directory holding only some tools. Probes run real commands with short
timeouts: a version string says nothing about a missing LTO linker plugin.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from perfproj.changes.scratch import temp_dir

PROBE_TIMEOUT = 20  # seconds for one compile or link; doctor runs probes in parallel

_VERSION_RE = re.compile(r"(\d+\.\d+(?:\.\d+)?)")
_VERSIONED_RE = re.compile(r"^(clang\+\+|clang)-(\d+)$")

# Two translation units: main's call to f can only be resolved (and inlined)
# when the link step reads the compiler IR of both objects.
_LTO_SOURCES = {
    "main.cpp": "int perfproj_f(int);\nint main() { return perfproj_f(41) == 42 ? 0 : 1; }\n",
    "f.cpp": "int perfproj_f(int x) { return x + 1; }\n",
}


def which(name: str, path: str | None) -> str | None:
    return shutil.which(name, path=path)


def version_of(program: str, args: tuple[str, ...] = ("--version",)) -> str | None:
    """The first dotted version number the program prints, or None."""
    try:
        result = subprocess.run(
            [program, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=PROBE_TIMEOUT, env=_c_locale(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION_RE.search(result.stdout)
    return match.group(1) if match else None


def version_tuple(version: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")) if version else ()


def versioned_clangs(path: str | None) -> list[str]:
    """clang-N and clang++-N command names on PATH, newest major first."""
    found: set[str] = set()
    for directory in (path if path is not None else os.environ.get("PATH", "")).split(os.pathsep):
        try:
            names = os.listdir(directory or ".")
        except OSError:
            continue
        for name in names:
            if _VERSIONED_RE.match(name) and which(name, path):
                found.add(name)
    return sorted(found, key=lambda name: (-int(name.rsplit("-", 1)[1]), "++" in name))


def llvm_tool(tool: str, major: int, path: str | None, llvm_root: Path = Path("/usr/lib")) -> str | None:
    """TOOL-MAJOR on PATH, else /usr/lib/llvm-MAJOR/bin/TOOL: the same search order as
    PerfprojToolchain.cmake, because a tool of another major version breaks PGO and ThinLTO."""
    on_path = which(f"{tool}-{major}", path)
    if on_path:
        return on_path
    beside = llvm_root / f"llvm-{major}" / "bin" / tool
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def clang_runtime(major: int, name: str, arch: str, llvm_root: Path = Path("/usr/lib")) -> Path | None:
    """Clang MAJOR's runtime library libclang_rt.NAME-ARCH.a (profile, fuzzer, asan, ...), where
    Debian installs it (the package libclang-rt-MAJOR-dev, which clang-MAJOR does not bring)."""
    found = sorted(llvm_root.glob(f"llvm-{major}/lib/clang/*/lib/linux/libclang_rt.{name}-{arch}.a"))
    return found[-1] if found else None


@dataclass
class LtoResult:
    ok: bool
    flags: str  # what was tried, for the report
    detail: str  # why it failed (first error line), or what proved it


def _c_locale() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    return env


def _is_lto_object(path: Path, family: str) -> bool:
    """Clang's -flto objects are LLVM bitcode; GCC's carry .gnu.lto_ sections."""
    data = path.read_bytes()
    if family == "Clang":
        return data[:4] == b"BC\xc0\xde"
    return b".gnu.lto_" in data


def _first_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower():
            return line
    return lines[0] if lines else "no output"


def probe_lto(compiler: str, family: str, lld: str | None = None) -> LtoResult:
    """Compile two files with -flto and link them the way perfproj would.

    GCC: -flto=auto with the system linker (GCC's plugin cannot load into lld).
    Clang: -flto=thin linked by the lld of the same major version when there is
    one, as PerfprojLTO.cmake does; otherwise the default linker (LLVMgold).
    """
    compile_flags = ["-O2", "-flto=auto", "-fno-fat-lto-objects"] if family == "GNU" else ["-O2", "-flto=thin"]
    link_flags = list(compile_flags)
    if family == "Clang" and lld:
        link_flags.append(f"--ld-path={lld}")
    shown = " ".join(link_flags[1:])
    with temp_dir("lto") as workdir:
        for name, text in _LTO_SOURCES.items():
            (workdir / name).write_text(text)
        steps = [
            [compiler, *compile_flags, "-c", "main.cpp", "f.cpp"],
            [compiler, *link_flags, "main.o", "f.o", "-o", "probe"],
            [str(workdir / "probe")],
        ]
        for index, step in enumerate(steps):
            try:
                result = subprocess.run(
                    step, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    text=True, timeout=PROBE_TIMEOUT, env=_c_locale(),
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                return LtoResult(False, shown, str(error))
            if result.returncode != 0:
                what = ("compile", "link", "run")[index]
                return LtoResult(False, shown, f"{what} failed: {_first_error(result.stdout)}")
            if index == 0 and not _is_lto_object(workdir / "f.o", family):
                return LtoResult(False, shown, "the objects contain no LTO IR")
    return LtoResult(True, shown, "2-file LTO program compiled, linked and ran")
