"""Inspecting built binaries: ELF files, AVX-512 instructions, symbols."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

# Prefixes allowed before an EVEX instruction in 64-bit code (segment, address size).
_SKIPPABLE_PREFIXES = {"26", "2e", "36", "3e", "64", "65", "67"}
_AVX512_OPERANDS = re.compile(r"%zmm\d|%k[1-7]\b|\{%k[0-7]\}|\{1to\d+\}|\{[rs]ae\}|\{evex\}")


def elf_binaries(build_dir: Path) -> list[Path]:
    """Executables and shared libraries built in `build_dir` (not objects, archives
    or the split debug info, PERFPROJ_SPLIT_DEBUG)."""
    found = []
    for path in sorted(build_dir.rglob("*")):
        if not path.is_file() or path.suffix in (".o", ".a", ".debug") or "CMakeFiles" in path.parts:
            continue
        with path.open("rb") as stream:
            header = stream.read(18)
        if header[:4] == b"\x7fELF" and header[16] in (2, 3):  # ET_EXEC, ET_DYN
            found.append(path)
    return found


def avx512_instructions(binary: Path, limit: int = 5) -> list[str]:
    """Disassembly lines that use AVX-512: zmm or opmask registers, or an EVEX encoding."""
    listing = subprocess.run(
        ["objdump", "-d", "--no-addresses", str(binary)], capture_output=True, text=True, check=True
    ).stdout
    hits = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[-1].strip():
            continue
        raw, text = parts[0].split(), parts[-1]
        first = next((byte for byte in raw if byte not in _SKIPPABLE_PREFIXES), "")
        if first == "62" or _AVX512_OPERANDS.search(text):
            hits.append(line.strip())
            if len(hits) >= limit:
                break
    return hits


def defined_symbols(binary: Path, dynamic: bool = False, demangle: bool = True) -> list[str]:
    args = ["nm", "--defined-only"] + (["-C"] if demangle else []) + (["-D"] if dynamic else [])
    args.append(str(binary))
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()


def needed_libraries(binary: Path) -> list[str]:
    dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic.stdout)


def section_names(binary: Path) -> list[str]:
    listing = subprocess.run(["readelf", "-SW", str(binary)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"^\s*\[\s*\d+\]\s+(\S+)", listing, re.MULTILINE)


def section_bytes(binary: Path, section: str) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "section.bin"
        subprocess.run(["objcopy", "-O", "binary", f"--only-section={section}", str(binary), str(out)],
                       check=True)
        return out.read_bytes()


def instruction_sequence(binary: Path) -> list[str]:
    """The mnemonics of .text in order: the code, whatever address it was placed at."""
    listing = subprocess.run(["objdump", "-d", "-j", ".text", "--no-show-raw-insn", str(binary)],
                             capture_output=True, text=True, check=True).stdout
    return re.findall(r"^\s*[0-9a-f]+:\s+(\S+)", listing, re.MULTILINE)
