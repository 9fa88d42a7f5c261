"""`perfproj asm NAME`: the machine code of one function, as a preset really built it.

The plan: which project and preset(s), and their build folders, built first
(configure reuses the folder's cache; the build is incremental) unless
--no-build. Then the function is located (inspect/locate.py) in the build's
binaries, and printed with its source lines, side by side with a second
preset's build (--diff), or with llvm-mca's analysis for the build's CPU level
(--mca). Nothing in the project changes but its build folders.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from perfproj.errors import PerfprojError, UsageError
from perfproj.inspect import listing, mca
from perfproj.inspect.locate import MAX_LISTED, Code, locate
from perfproj.machine.cmake_run import build_preset, cache_values, compiler_of, require_preset
from perfproj.project import record

__all__ = ["MAX_LISTED", "AsmRequest", "default_preset", "run"]


@dataclass
class AsmRequest:
    pattern: str
    project: Path
    preset: str | None = None
    diff: str | None = None
    mca: bool = False
    mcpu: str | None = None
    regex: bool = False
    binary: str | None = None
    intel: bool = False
    source: bool = True
    build: bool = True


@dataclass
class _Build:
    preset: str
    folder: Path
    cache: dict[str, str]
    compiler: tuple[str, str]  # id, version

    def describe(self) -> str:
        options = [f"{name}={self.cache[name]}" for name in
                   ("PERFPROJ_ARCH", "PERFPROJ_LTO", "PERFPROJ_PGO", "PERFPROJ_DISPATCH") if name in self.cache]
        return f"preset {self.preset}: {' '.join(self.compiler)}, {', '.join(options) or 'no PERFPROJ_* options'}"


def default_preset(project: Path) -> str:
    """`release`, or the adopted name of perfproj's release preset (e.g. perfproj-release)."""
    try:
        made = record.read_record_at(project)
    except PerfprojError:
        return "release"
    return made.preset("release")


def _plan(request: AsmRequest) -> list[_Build]:
    project = request.project.absolute()
    if request.mca and request.diff:
        raise UsageError("--mca and --diff do not go together: run one, then the other")
    if request.mca and request.intel:
        raise UsageError("--mca reads AT&T syntax: leave out --intel")
    presets = [request.preset or default_preset(project)] + ([request.diff] if request.diff else [])
    for preset in presets:
        require_preset(project, preset)
    builds = []
    for preset in presets:
        folder = build_preset(project, preset) if request.build else _existing_folder(project, preset)
        builds.append(_Build(preset, folder, cache_values(folder), compiler_of(folder)))
    return builds


def _existing_folder(project: Path, preset: str) -> Path:
    # --no-build: the folder perfproj's presets use; an unbuilt one says how to build it.
    folder = project / "build" / preset
    if not (folder / "CMakeCache.txt").is_file():
        raise PerfprojError(f"{folder} is not built; leave out --no-build, or run: cmake --workflow --preset {preset}")
    return folder


def _header(code: Code, build: _Build, project: Path) -> list[str]:
    where = code.binary.relative_to(project) if code.binary.is_relative_to(project) else code.binary
    kind = "inlined, no code of its own" if code.inlined else "symbol"
    lines = [code.name, f"  in {where} ({kind}), {build.describe()}", f"  {listing.summary(code)}"]
    if code.also_in:
        others = ", ".join(str(path.relative_to(build.folder)) for path in code.also_in)
        lines.append(f"  also in: {others} (choose with --binary)")
    if code.inlined:
        lines.append("  (the instructions the debug info attributes to it, in each caller)")
    return lines


def run(request: AsmRequest, echo: Callable[[str], None]) -> None:
    builds = _plan(request)
    project = request.project.absolute()
    codes = [locate(build.folder, request.pattern, request.regex, request.binary, request.intel)
             for build in builds]
    if request.diff:
        width = shutil.get_terminal_size((160, 40)).columns
        for code, build in zip(codes, builds):
            echo("\n".join(_header(code, build, project)))
        echo("")
        left, right = builds
        echo("\n".join(listing.side_by_side(codes[0], codes[1], left.preset, right.preset, width)))
        return
    code, build = codes[0], builds[0]
    echo("\n".join(_header(code, build, project)))
    sources = listing.SourceLines(project) if request.source else None
    echo("\n".join(listing.render(code, sources)))
    if request.mca:
        arch = build.cache.get("PERFPROJ_ARCH", "portable")
        cpu = mca.cpu_for(arch, request.mcpu)
        note = ""
        wide = listing.vector_registers(code.instructions)["ymm"] > 0
        if not request.mcpu and arch in ("portable", "x86-64-v2") and wide:
            # AVX registers in a build for an older level: a CPU-dispatched copy, run only on x86-64-v3 CPUs.
            cpu, note = "x86-64-v3", f"; AVX2 code in a {arch} build is a dispatched copy for x86-64-v3"
        tool = mca.llvm_mca(*build.compiler)
        echo(f"\n{Path(tool).name} -mcpu={cpu} (branches not taken, nop padding left out{note}):\n")
        echo(mca.run(code.instructions, cpu, tool))
