"""The ELF binaries a build folder holds and the functions each defines."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from perfproj.errors import PerfprojError

TOOL_TIMEOUT = 300  # seconds for one nm, c++filt or objdump run
_FUNCTION_TYPES = frozenset("TtWwi")  # text (global, local), weak, GNU ifunc
_SKIPPED_SUFFIXES = (".o", ".a", ".debug", ".pre-bolt")  # objects, archives, split debug info, BOLT's input


@dataclass(frozen=True)
class Function:
    binary: Path
    mangled: str
    name: str  # demangled, with clone suffixes such as " [clone .cold]"
    address: int
    size: int

    @property
    def base(self) -> str:
        """The name without clone suffixes: a function's .cold or .constprop parts share it."""
        return self.name.split(" [clone ", 1)[0]


def run_tool(args: list[str], stdin: str | None = None) -> str:
    try:
        result = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=TOOL_TIMEOUT,
                                errors="replace")
    except FileNotFoundError as error:
        raise PerfprojError(f"{args[0]} is not installed (Debian package binutils)") from error
    except subprocess.TimeoutExpired as error:
        raise PerfprojError(f"{args[0]} took longer than {TOOL_TIMEOUT} s on {args[-1]}") from error
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise PerfprojError(f"{' '.join(args[:2])} ... failed: {reason}")
    return result.stdout


def _is_elf_program(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            header = stream.read(18)
    except OSError:
        return False
    return len(header) == 18 and header[:4] == b"\x7fELF" and header[16] in (2, 3)  # ET_EXEC, ET_DYN


def _preference(build_dir: Path, path: Path) -> tuple[int, int, str]:
    """Shared libraries first (a library's code lives there), then programs; tests and benchmarks last."""
    relative = path.relative_to(build_dir)
    words = " ".join(relative.parts).lower()
    helper = "test" in words or "bench" in words
    return (int(helper), len(relative.parts), str(relative)) if ".so" not in path.name else (-1, 0, str(relative))


def binaries(build_dir: Path) -> list[Path]:
    """The build's executables and shared libraries, the likeliest home of a function first."""
    found = []
    for path in build_dir.rglob("*"):
        if ("CMakeFiles" in path.parts or path.is_symlink() or not path.is_file()
                or path.name.endswith(_SKIPPED_SUFFIXES)):
            continue
        if _is_elf_program(path):
            found.append(path)
    return sorted(found, key=lambda path: _preference(build_dir, path))


def functions(binary: Path) -> list[Function]:
    """Every function symbol `binary` defines, with its address and size (nm, demangled by c++filt)."""
    rows = []
    for line in run_tool(["nm", "--defined-only", "--format=posix", str(binary)]).splitlines():
        parts = line.split()
        # name type value [size]; a symbol without a size (hand-written assembly) cannot be delimited.
        if len(parts) == 4 and parts[1] in _FUNCTION_TYPES and int(parts[3], 16) > 0:
            rows.append((parts[0], int(parts[2], 16), int(parts[3], 16)))
    names = run_tool(["c++filt"], "\n".join(row[0] for row in rows) + "\n").splitlines() if rows else []
    return [Function(binary, mangled, name, address, size)
            for (mangled, address, size), name in zip(rows, names)]
