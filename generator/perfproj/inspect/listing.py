"""What `perfproj asm` prints: a function's instructions with its source lines
between them, and two builds of it side by side."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from perfproj.inspect.disassembly import Instruction
from perfproj.inspect.locate import Code

# `jmp 7588 <sym+0x278>` and `# 21900 <table+0x100>`: an address objdump resolved to a symbol.
_TARGET = re.compile(r"\b[0-9a-f]+ <([^<>]+?)(\+0x[0-9a-f]+)?>")
_VECTOR = re.compile(r"%?\b([xyz]mm)\d+\b")


def instruction_text(instruction: Instruction) -> str:
    """The instruction without addresses: a jump inside the function shows its offset
    (`jmp +0x278`), any other target its symbol; runs of blanks become one."""
    def target(match: re.Match[str]) -> str:
        name, offset = match.group(1), match.group(2) or "+0x0"
        return offset if name == instruction.symbol else f"<{name}{match.group(2) or ''}>"

    mnemonic, _, operands = instruction.text.partition(" ")
    operands, _, comment = operands.partition("#")
    # objdump's comment names the symbol nearest an address the code loads: kept when
    # it is that symbol, dropped when it is an offset past one (a constant pool, mostly).
    named = _TARGET.search(comment)
    operands = _TARGET.sub(target, " ".join(operands.split()))
    if named and not named.group(2):
        operands += f"  # {_TARGET.sub(target, comment.strip())}"
    return f"{mnemonic:<7} {operands}".rstrip()


def vector_registers(instructions: list[Instruction]) -> dict[str, int]:
    """How many instructions use xmm, ymm and zmm registers (SSE, AVX2, AVX-512 width)."""
    counts = {"xmm": 0, "ymm": 0, "zmm": 0}
    for instruction in instructions:
        for kind in {match.group(1) for match in _VECTOR.finditer(instruction.text)}:
            counts[kind] += 1
    return counts


class SourceLines:
    """Source text for the file names in the debug info, which may be relative to the
    build folder or mapped (`./src/...`, see -ffile-prefix-map): each is tried as
    written, then by its trailing path components under the project."""

    def __init__(self, root: Path):
        self.root = root
        self._files: dict[str, tuple[str, list[str]] | None] = {}

    def _find(self, name: str) -> Path | None:
        written = Path(os.path.normpath(name))
        if written.is_absolute() and written.is_file():
            return written
        parts = written.parts
        for start in range(len(parts)):
            candidate = self.root.joinpath(*parts[start:])
            if parts[start] not in ("/", "..") and candidate.is_file():
                return candidate
        return None

    def line(self, name: str, number: int) -> tuple[str, str] | None:
        """(the file as shown, the line's text), or None when the file is not here."""
        if name not in self._files:
            path = self._find(name)
            try:
                shown = str(path.relative_to(self.root)) if path and path.is_relative_to(self.root) else str(path)
                self._files[name] = (shown, path.read_text(errors="replace").splitlines()) if path else None
            except OSError:
                self._files[name] = None
        found = self._files[name]
        if found is None or not 0 < number <= len(found[1]):
            return None
        return found[0], found[1][number - 1].strip()


def _source_line(instruction: Instruction, sources: SourceLines) -> str:
    assert instruction.source is not None
    name, number = instruction.source
    found = sources.line(name, number)
    if found is None:
        return f"; {Path(name).name}:{number}"
    return f"; {found[0]}:{number}  {found[1]}"


def render(code: Code, sources: SourceLines | None) -> list[str]:
    """The listing of `code`; source lines between the instructions unless `sources` is None."""
    lines: list[str] = []
    for part in code.parts:
        count = len(part.instructions)
        lines += ["", f"{part.title}  ({count} instruction{'s' if count != 1 else ''})"]
        for number, run in enumerate(part.runs):
            if number:
                lines.append("        ...")
            shown_source: tuple[str, int] | None = None
            for instruction in run:
                if sources is not None and instruction.source and instruction.source != shown_source:
                    lines.append(_source_line(instruction, sources))
                    shown_source = instruction.source
                lines.append(f"  {'+' + format(instruction.offset, '#x'):>8}  {instruction_text(instruction)}")
    return lines


def summary(code: Code) -> str:
    instructions = code.instructions
    vectors = vector_registers(instructions)
    used = ", ".join(f"{count} use {kind}" for kind, count in vectors.items() if count) or "no vector registers"
    return f"{len(instructions)} instructions; {used}"


def _align_key(text: str) -> str:
    # Offsets and registers differ between two builds of the same code; mnemonics and shapes align.
    return re.sub(r"\+0x[0-9a-f]+|%[a-z0-9]+|\$?0x[0-9a-f]+", "_", text)


def side_by_side(left: Code, right: Code, left_label: str, right_label: str, width: int) -> list[str]:
    """Both builds' instructions in two columns, aligned where they agree: ` ` the
    same, `~` the same but for registers or offsets, `|` different, `<` only on
    the left, `>` only on the right."""
    column = max(30, (width - 3) // 2)

    def cell(text: str) -> str:
        return text if len(text) <= column else text[:column - 1] + "…"

    left_text = [instruction_text(i) for i in left.instructions]
    right_text = [instruction_text(i) for i in right.instructions]
    lines = [f"{cell(left_label):<{column}}   {cell(right_label)}",
             f"{cell(summary(left)):<{column}}   {cell(summary(right))}", ""]
    matcher = difflib.SequenceMatcher(None, [_align_key(t) for t in left_text],
                                      [_align_key(t) for t in right_text], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            a = left_text[i1 + offset] if i1 + offset < i2 else ""
            b = right_text[j1 + offset] if j1 + offset < j2 else ""
            mark = (" " if a == b else "~") if tag == "equal" else "|" if a and b else "<" if a else ">"
            lines.append(f"{cell(a):<{column}} {mark} {cell(b)}".rstrip())
    return lines
