"""How `perfproj asm` reads objdump's output, picks the function meant, and writes assembly for llvm-mca."""

from __future__ import annotations

import pytest

from perfproj.errors import UsageError
from perfproj.inspect import disassembly, listing, locate, mca

# Trimmed from `objdump -d -l -C --inlines --no-show-raw-insn -w` on a GCC 12 LTO build.
LISTING = """
build/release-v3/demo:     file format elf64-x86-64


Disassembly of section .text:

0000000000003000 <demo::app::run_cli(int, char**)>:
demo::app::run_cli(int, char**):
/p/build/release-v3/./src/app/main.cpp:120
    3000:\tendbr64
    3004:\tpush   %rbp
fingerprint_kernel():
/p/build/release-v3/./src/lib/fingerprint.cpp:18
inlined by /p/build/release-v3/./src/lib/fingerprint.cpp:24 (fingerprint_bytes)
inlined by /p/build/release-v3/./src/lib/fingerprint.cpp:31 ({FINGERPRINT})
inlined by /p/build/release-v3/./src/app/main.cpp:125 (_ZN4demo3app7run_cliEiPPc)
    3005:\tvpaddd %ymm1,%ymm0,%ymm0
inlined by /p/build/release-v3/./src/lib/fingerprint.cpp:24 (fingerprint_bytes)
inlined by /p/build/release-v3/./src/app/main.cpp:125 (_ZN4demo3app7run_cliEiPPc)
    3009:\tjne    3005 <demo::app::run_cli(int, char**)+0x5>
demo::app::run_cli(int, char**):
/p/build/release-v3/./src/app/main.cpp:126
    300b:\tcall   2000 <demo::run(demo::Program const&, unsigned long)>
    3010:\tlea    0x1000(%rip),%rdi        # 4010 <table+0x10>
    3017:\tlea    0x1000(%rip),%rdi        # 4017 <counter>
    301e:\tcs nopw 0x0(%rax,%rax,1)
    3028:\tret
""".replace("{FINGERPRINT}", "_ZN4demo11fingerprintESt17basic_string_viewIcSt11char_traitsIcEE")
DEMANGLED = {"_ZN4demo11fingerprintESt17basic_string_viewIcSt11char_traitsIcEE":
             "demo::fingerprint(std::basic_string_view<char, std::char_traits<char> >)",
             "_ZN4demo3app7run_cliEiPPc": "demo::app::run_cli(int, char**)"}


def parsed() -> list[disassembly.Instruction]:
    return disassembly.parse(LISTING, DEMANGLED)


def test_each_instruction_knows_its_symbol_source_line_and_inline_chain() -> None:
    code = parsed()
    assert [hex(i.address) for i in code] == ["0x3000", "0x3004", "0x3005", "0x3009", "0x300b", "0x3010",
                                              "0x3017", "0x301e", "0x3028"]
    assert all(i.symbol == "demo::app::run_cli(int, char**)" and i.symbol_address == 0x3000 for i in code)
    assert code[0].source == ("/p/build/release-v3/./src/app/main.cpp", 120)
    assert code[0].functions == ("demo::app::run_cli(int, char**)",)
    assert code[2].functions == ("fingerprint_kernel()", "fingerprint_bytes",
                                 "demo::fingerprint(std::basic_string_view<char, std::char_traits<char> >)",
                                 "demo::app::run_cli(int, char**)")
    # objdump reprinted only the outer chain: the inner function and line stay, the chain is the new one.
    assert code[3].source == ("/p/build/release-v3/./src/lib/fingerprint.cpp", 18)
    assert code[3].functions == ("fingerprint_kernel()", "fingerprint_bytes", "demo::app::run_cli(int, char**)")
    assert code[4].functions == ("demo::app::run_cli(int, char**)",) and code[4].offset == 0xb


def test_instruction_text_drops_addresses_and_keeps_what_they_name() -> None:
    code = parsed()
    assert listing.instruction_text(code[3]) == "jne     +0x5"  # inside the function: the offset
    assert listing.instruction_text(code[4]) == "call    <demo::run(demo::Program const&, unsigned long)>"
    assert listing.instruction_text(code[5]) == "lea     0x1000(%rip),%rdi"  # `table+0x10`: a guess, dropped
    assert listing.instruction_text(code[6]) == "lea     0x1000(%rip),%rdi  # <counter>"
    assert listing.vector_registers(code) == {"xmm": 0, "ymm": 1, "zmm": 0}


def test_source_lines_are_found_under_the_project_whatever_the_recorded_prefix(tmp_path) -> None:
    (tmp_path / "src/lib").mkdir(parents=True)
    (tmp_path / "src/lib/fingerprint.cpp").write_text("\n" * 17 + "    a += bytes[i];\n")
    sources = listing.SourceLines(tmp_path)
    assert sources.line("/p/build/release-v3/./src/lib/fingerprint.cpp", 18) == ("src/lib/fingerprint.cpp",
                                                                                 "a += bytes[i];")
    assert sources.line("./build/x/../../src/lib/fingerprint.cpp", 18)[0] == "src/lib/fingerprint.cpp"
    assert sources.line("/elsewhere/missing.cpp", 3) is None
    assert sources.line("/p/src/lib/fingerprint.cpp", 99) is None
    lines = listing.render(locate.Code("demo::fingerprint", tmp_path, True,
                                       [locate.Part("inlined into run_cli", [parsed()[2:4], parsed()[7:8]])]),
                           sources)
    assert "; src/lib/fingerprint.cpp:18  a += bytes[i];" in lines and "        ..." in lines


def test_the_name_meant() -> None:
    names = {"demo::fingerprint(std::basic_string_view<char, std::char_traits<char> >)",
             "demo::(anonymous namespace)::fingerprint_bytes(unsigned char const*, unsigned long)",
             "demo::(anonymous namespace)::fingerprint_bytes_perfproj_baseline(unsigned char const*, unsigned long)"}
    assert locate._choose("fingerprint", False, names).startswith("demo::fingerprint(")
    assert locate._choose("fingerprint_bytes", False, names).endswith("fingerprint_bytes(unsigned char const*, "
                                                                      "unsigned long)")
    assert locate._choose("demo::fingerprint(", False, names).startswith("demo::fingerprint(")
    with pytest.raises(locate.Ambiguous) as several:
        locate._choose("perfproj|bytes", True, names)
    assert len(several.value.candidates) == 3
    assert locate._choose("nothing", False, set()) is None
    assert locate.base_name("f(int) [clone .constprop.0] [clone .cold]") == "f(int)"
    assert locate.base_name("fingerprint_kernel()") == "fingerprint_kernel"
    with pytest.raises(UsageError):
        locate.matcher("(", True)


def test_assembly_for_llvm_mca() -> None:
    assembly = mca.to_assembly(parsed())
    assert ".Lperfproj_3005:\n  vpaddd %ymm1,%ymm0,%ymm0" in assembly
    assert "  jne .Lperfproj_3005" in assembly
    assert "  call perfproj_elsewhere" in assembly  # outside the function
    assert "nop" not in assembly and "#" not in assembly  # padding and objdump's comments left out
    assert mca.cpu_for("portable", None) == "x86-64" and mca.cpu_for("native", None) == "native"
    assert mca.cpu_for("armv8.2-a", "neoverse-n1") == "neoverse-n1"
    with pytest.raises(UsageError):
        mca.cpu_for("armv8.2-a", None)
