"""objdump's disassembly of an address range, parsed: each instruction with where it came from.

With -l --inlines objdump says, whenever it changes, which function (the
innermost inlined one) and which source line an instruction belongs to, and the
chain of calls it was inlined through:

    0000000000007310 <rdm::run(...)>:          the symbol the code is in
    rdm::fingerprint_kernel(...):              the innermost function
    /src/lib/fingerprint.cpp:17                its source line
    inlined by /src/lib/fingerprint.cpp:24 (fingerprint_bytes)
        7350:   vpaddd %ymm1,%ymm0,%ymm0

Lines that are not needed (section headers, blank lines) are skipped; the
chain stays in force until objdump prints the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from perfproj.inspect.binaries import run_tool

_SYMBOL = re.compile(r"^([0-9a-f]+) <(.+)>:$")
_INSTRUCTION = re.compile(r"^\s+([0-9a-f]+):\t(.*)$")
_SOURCE = re.compile(r"^(.+):(\d+)(?: \(discriminator \d+\))?$")
_INLINED_BY = re.compile(r"^inlined by (.+?):(\d+)(?: \(discriminator \d+\))? \((.+)\)$")
_MANGLED = re.compile(r"^_Z\w+")


@dataclass
class Instruction:
    address: int
    text: str  # as objdump prints it: mnemonic, operands, `# comment`
    symbol: str  # the symbol (demangled) whose code this is
    symbol_address: int
    source: tuple[str, int] | None = None  # innermost (file, line), when the binary has line info
    functions: tuple[str, ...] = ()  # innermost function first, then each one it was inlined into

    @property
    def offset(self) -> int:
        return self.address - self.symbol_address


@dataclass
class _State:
    symbol: str = ""
    symbol_address: int = 0
    function: str = ""
    source: tuple[str, int] | None = None
    outer: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, function) outwards
    after_instruction: bool = True


def parse(listing: str, demangle: dict[str, str]) -> list[Instruction]:
    """Instructions of `objdump -d -l -C --inlines` output; `demangle` maps the mangled
    names of inlined-by lines (objdump leaves them mangled) to readable ones."""
    state = _State()
    instructions: list[Instruction] = []
    for line in listing.splitlines():
        if not line.strip():
            continue
        instruction = _INSTRUCTION.match(line)
        if instruction:
            text = instruction.group(2).strip()
            if text and text != "(bad)":
                chain = ((state.function,) if state.function else ()) + tuple(
                    demangle.get(name, name) for _, _, name in state.outer)
                instructions.append(Instruction(int(instruction.group(1), 16), " ".join(text.split("\t")),
                                                state.symbol, state.symbol_address, state.source, chain))
            state.after_instruction = True
            continue
        symbol = _SYMBOL.match(line)
        if symbol:
            state = _State(symbol.group(2), int(symbol.group(1), 16))
            continue
        inlined = _INLINED_BY.match(line)
        if inlined:
            if state.after_instruction:  # objdump reprints the whole outer chain when it changes
                state.outer = []
            state.outer.append((inlined.group(1), int(inlined.group(2)), inlined.group(3)))
            state.after_instruction = False
            continue
        source = _SOURCE.match(line)
        if source and not line.endswith(":"):
            state.source = (source.group(1), int(source.group(2)))
            state.outer = []
            state.after_instruction = False
        elif line.endswith(":") and not line.startswith(("Disassembly of section", " ")) \
                and "file format" not in line:
            state.function = line[:-1]
            state.after_instruction = False
    return instructions


def _outer_names(listing: str) -> list[str]:
    return sorted({match.group(3) for match in map(_INLINED_BY.match, listing.splitlines())
                   if match and _MANGLED.match(match.group(3))})


def disassemble(binary: Path, start: int | None = None, stop: int | None = None,
                intel: bool = False) -> list[Instruction]:
    """The instructions of `binary` between `start` and `stop` (the whole .text without them)."""
    args = ["objdump", "-d", "-l", "-C", "--inlines", "--no-show-raw-insn", "-w"]
    if intel:
        args += ["-M", "intel"]
    if start is not None and stop is not None:
        args += [f"--start-address={start:#x}", f"--stop-address={stop:#x}"]
    else:
        args += ["-j", ".text"]
    listing = run_tool([*args, str(binary)])
    mangled = _outer_names(listing)
    names = run_tool(["c++filt"], "\n".join(mangled) + "\n").splitlines() if mangled else []
    return parse(listing, dict(zip(mangled, names)))
