"""Which machine code a function name means in a build.

A name (a substring of the demangled name, or a regular expression) is looked
up first among the binaries' function symbols. A function can have several
symbols in one binary: its body and the parts the compiler split off or
specialized (`[clone .cold]`, `.constprop`, `.lto_priv`); all of them are its
code. When no symbol matches, the optimizer may have inlined the function into
every caller, as LTO does with small hot functions: the debug info still says
which instructions came from it, so its copies inside the callers are its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from perfproj.errors import PerfprojError, UsageError
from perfproj.inspect import binaries, disassembly
from perfproj.inspect.binaries import Function
from perfproj.inspect.disassembly import Instruction

MAX_LISTED = 25  # candidates listed when a name is ambiguous


@dataclass
class Part:
    title: str  # the symbol, or "inlined into <caller>"
    runs: list[list[Instruction]]  # contiguous stretches of code, in address order

    @property
    def instructions(self) -> list[Instruction]:
        return [instruction for run in self.runs for instruction in run]


@dataclass
class Code:
    """One function's machine code in one binary."""

    name: str
    binary: Path
    inlined: bool  # True: it has no symbol, these are its copies inside callers
    parts: list[Part]
    also_in: list[Path] = field(default_factory=list)  # other binaries holding it
    has_line_info: bool = True

    @property
    def instructions(self) -> list[Instruction]:
        return [instruction for part in self.parts for instruction in part.instructions]


class Ambiguous(UsageError):
    """The name matches several functions; `candidates` lists them."""

    def __init__(self, pattern: str, candidates: list[str]):
        self.candidates = candidates
        super().__init__(f"{pattern!r} matches {len(candidates)} functions (listed above); give more of the "
                         "name, e.g. with its namespace or parameters, or a --regex")


def matcher(pattern: str, regex: bool) -> Callable[[str], bool]:
    if not regex:
        return lambda name: pattern in name
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise UsageError(f"--regex {pattern!r} is not a regular expression: {error}") from error
    return lambda name: compiled.search(name) is not None


def base_name(name: str) -> str:
    """A function's name without clone suffixes (and objdump's `()` after an unqualified name)."""
    name = name.split(" [clone ", 1)[0]
    return name[:-2] if name.endswith("()") and "(" not in name[:-2] else name


def _names_exactly(pattern: str, name: str) -> bool:
    """`pattern` is the whole name, or its last components, without the parameters."""
    head = name.replace("(anonymous namespace)", "{anonymous}").split("(", 1)[0]
    pattern = pattern.replace("(anonymous namespace)", "{anonymous}").rstrip("(")
    return name == pattern or head == pattern or head.endswith("::" + pattern)


def _choose(pattern: str, regex: bool, names: set[str]) -> str | None:
    """The one name meant: the only match, or of several the one the pattern names
    exactly (`fingerprint` means `ns::fingerprint(...)`, not `ns::fingerprint_bytes(...)`)."""
    if len(names) < 2:
        return next(iter(names), None)
    exact = [] if regex else sorted(name for name in names if _names_exactly(pattern, name))
    if len(exact) == 1:
        return exact[0]
    raise Ambiguous(pattern, exact or sorted(names))


def _runs(instructions: list[Instruction], chosen: list[int]) -> list[list[Instruction]]:
    runs: list[list[Instruction]] = []
    previous = -2
    for index in chosen:
        if index != previous + 1:
            runs.append([])
        runs[-1].append(instructions[index])
        previous = index
    return runs


def _symbol_code(name: str, symbols: list[Function], intel: bool) -> list[Part]:
    parts = []
    seen = set()
    for symbol in sorted(symbols, key=lambda f: (" [clone .cold]" in f.name, f.address)):
        if symbol.address in seen:  # aliases (a constructor's C1 and C2) share their code
            continue
        seen.add(symbol.address)
        code = disassembly.disassemble(symbol.binary, symbol.address, symbol.address + symbol.size, intel)
        parts.append(Part(symbol.name, [code]))
    return parts


def _inlined(binary: Path, matches: Callable[[str], bool],
             intel: bool) -> tuple[list[Instruction], dict[str, list[int]], bool]:
    """The whole .text of `binary`, the names of matching functions inlined in it with
    the indexes of their instructions, and whether the binary has line info at all."""
    code = disassembly.disassemble(binary, intel=intel)
    found: dict[str, list[int]] = {}
    for index, instruction in enumerate(code):
        # The last function of the chain is the symbol's own: only the ones before it were inlined.
        for name in {base_name(name) for name in instruction.functions[:-1] if matches(name)}:
            found.setdefault(name, []).append(index)
    return code, found, any(instruction.source for instruction in code)


def _inlined_parts(code: list[Instruction], indexes: list[int]) -> list[Part]:
    by_caller: dict[str, list[int]] = {}
    for index in indexes:
        by_caller.setdefault(code[index].symbol, []).append(index)
    return [Part(f"inlined into {caller}", _runs(code, chosen)) for caller, chosen in by_caller.items()]


def locate(build_dir: Path, pattern: str, regex: bool = False, binary_filter: str | None = None,
           intel: bool = False) -> Code:
    found = binaries.binaries(build_dir)
    if binary_filter:
        found = [path for path in found if binary_filter in str(path.relative_to(build_dir))]
        if not found:
            raise UsageError(f"--binary {binary_filter!r} names none of the executables and shared libraries "
                             f"in {build_dir}")
    if not found:
        raise PerfprojError(f"{build_dir} holds no executables or shared libraries: build it first")
    matches = matcher(pattern, regex)
    symbols = {path: [f for f in binaries.functions(path) if matches(f.name)] for path in found}
    symbol_names = {base_name(f.name) for fs in symbols.values() for f in fs}

    def symbol_code(name: str) -> Code:
        holders = [path for path in found if any(base_name(f.name) == name for f in symbols[path])]
        mine = [f for f in symbols[holders[0]] if base_name(f.name) == name]
        return Code(name, holders[0], False, _symbol_code(name, mine, intel), holders[1:])

    exact = {name for name in symbol_names if not regex and _names_exactly(pattern, name)}
    if len(exact) == 1 or len(symbol_names) == 1:
        return symbol_code(next(iter(exact or symbol_names)))

    # No symbol is the one meant: the function may live only inlined into its callers.
    any_lines = False
    for path in found:
        code, inlined, has_lines = _inlined(path, matches, intel)
        any_lines = any_lines or has_lines
        if inlined or symbol_names:
            name = _choose(pattern, regex, symbol_names | set(inlined))
            assert name is not None
            if name in symbol_names:
                return symbol_code(name)
            return Code(name, path, True, _inlined_parts(code, inlined[name]), has_line_info=has_lines)
    where = f"the {len(found)} executables and shared libraries of {build_dir}"
    if not any_lines:
        raise PerfprojError(f"no function matching {pattern!r} in {where}; the build has no debug info, so "
                            "functions inlined into their callers cannot be found (set PERFPROJ_SPLIT_DEBUG=ON)")
    raise PerfprojError(f"no function matching {pattern!r} in {where}, neither as a symbol nor inlined "
                        "into a caller")
