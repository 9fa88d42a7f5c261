"""llvm-mca on a function's instructions: how the build's CPU level would run them.

llvm-mca reads assembly, so the disassembly is turned back into it: jumps
inside the function go to labels, calls and jumps elsewhere to one external
symbol, objdump's `# address <symbol>` comments are dropped, and so is the
alignment padding (nop). llvm-mca then simulates the instructions as one block
repeated in a loop, branches not taken: read its numbers for straight-line
and loop-body code, not for a whole function full of branches.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from perfproj.errors import PerfprojError, UsageError
from perfproj.inspect.disassembly import Instruction

MCA_TIMEOUT = 120  # seconds
# PERFPROJ_ARCH -> llvm-mca's -mcpu: the x86-64 levels are CPU names to LLVM 12 and newer.
CPUS = {"portable": "x86-64", "x86-64-v2": "x86-64-v2", "x86-64-v3": "x86-64-v3", "x86-64-v4": "x86-64-v4",
        "native": "native"}
_TARGET = re.compile(r"\b([0-9a-f]+) <[^<>]+>")
_PADDING = re.compile(r"^(?:(?:cs|ds|data16)\s+)*(?:nop[wlq]?|xchg\s+%ax,%ax)\b")
_EXTERNAL = "perfproj_elsewhere"


def cpu_for(arch: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    if arch not in CPUS:
        raise UsageError(f"--mca has no CPU model for PERFPROJ_ARCH={arch}; name one with --mcpu "
                         "(llvm-mca -mcpu=help lists them)")
    return CPUS[arch]


def to_assembly(instructions: list[Instruction]) -> str:
    """AT&T assembly llvm-mca accepts, for instructions disassembled in AT&T syntax."""
    inside = {instruction.address for instruction in instructions}
    targets: set[int] = set()
    lines: list[tuple[int, str]] = []
    for instruction in instructions:
        text = instruction.text.split("#", 1)[0].strip()
        if not text or _PADDING.match(text):
            continue

        def label(match: re.Match[str]) -> str:
            address = int(match.group(1), 16)
            if address in inside:
                targets.add(address)
                return f".Lperfproj_{address:x}"
            return _EXTERNAL

        lines.append((instruction.address, _TARGET.sub(label, " ".join(text.split()))))
    out = []
    for address, text in lines:
        if address in targets:
            out.append(f".Lperfproj_{address:x}:")
        out.append(f"  {text}")
    return "\n".join(out) + "\n"


def llvm_mca(compiler_id: str, compiler_version: str) -> str:
    """The llvm-mca to use: Clang N's own (llvm-mca-N), else the newest on PATH."""
    if compiler_id == "Clang":
        own = shutil.which(f"llvm-mca-{compiler_version.split('.')[0]}")
        if own:
            return own
    versions = []
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names = os.listdir(directory or ".")
        except OSError:
            continue
        versions += [(int(name[9:]), os.path.join(directory, name)) for name in names
                     if re.fullmatch(r"llvm-mca-\d+", name)]
    if versions:
        return max(versions)[1]
    found = shutil.which("llvm-mca")
    if not found:
        raise PerfprojError("--mca needs llvm-mca: install the Debian package llvm")
    return found


def run(instructions: list[Instruction], cpu: str, tool: str) -> str:
    assembly = to_assembly(instructions)
    try:
        result = subprocess.run([tool, f"-mcpu={cpu}"], input=assembly, capture_output=True, text=True,
                                timeout=MCA_TIMEOUT)
    except subprocess.TimeoutExpired as error:
        raise PerfprojError(f"{tool} took longer than {MCA_TIMEOUT} s") from error
    if result.returncode != 0:
        first = next((line for line in result.stderr.splitlines() if "error" in line), result.stderr.strip())
        raise PerfprojError(f"{Path(tool).name} could not read the disassembly: {first}")
    return result.stdout
