"""The release profile: architecture variants with a CPU guard and no AVX-512,
the allocator option, visibility, build info, and configure errors."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers.build import Project, assert_all_have, assert_none_have, flags_of
from helpers.elf import (avx512_instructions, defined_symbols, elf_binaries, instruction_sequence, needed_libraries,
                         section_bytes, section_names)
from helpers.packages import require

GUARD_EXIT = 86
ARCH_NAMES = {"release": "portable", "release-v3": "x86-64-v3", "release-native": "native"}
ARCH_FLAGS = {
    "release": [],
    "release-v3": ["-march=x86-64-v3"],
    "release-native": ["-march=native", "-mno-avx512f"],
}


def run_under_old_cpu(binary: Path, cpu: str = "Nehalem") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["qemu-x86_64", "-cpu", cpu, str(binary), "--statements", "50", "--iterations", "1"],
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_arch_variants_guard_and_never_use_avx512(make_project, toolchain: str) -> None:
    require("qemu-user", "binutils")
    project: Project = make_project(toolchain)
    for preset, flags in ARCH_FLAGS.items():
        configured = project.workflow(preset).stdout
        assert ("not for distribution" in configured) == (preset == "release-native")
        build = f"build/{preset}"
        compiles = project.own_compile_commands(build)
        links = project.link_commands(build)
        if flags:
            assert_all_have(compiles, *flags)
            assert_all_have(links, *flags)  # LTO generates code at link time
        else:
            assert_none_have(compiles, "-march=x86-64-v3", "-march=native")
        info = project.run(f"{build}/demo", "--build-info").stdout
        assert re.search(rf"^arch:\s+{ARCH_NAMES[preset]}\b", info, re.MULTILINE), info

        # No AVX-512 anywhere: every executable of every default preset.
        binaries = elf_binaries(project.path / build)
        assert len(binaries) >= 3, binaries  # app, tests, benchmarks
        for binary in binaries:
            assert avx512_instructions(binary) == [], binary

        # On a CPU from before x86-64-v3, the guard stops v3/native builds
        # cleanly; the portable build runs.
        app = project.path / build / "demo"
        old_cpu = run_under_old_cpu(app)
        if flags:
            assert old_cpu.returncode == GUARD_EXIT, old_cpu.stderr
            assert "but this CPU lacks:" in old_cpu.stderr and "avx2" in old_cpu.stderr
            assert any("perfproj_cpu_guard" in line for line in defined_symbols(app))
        else:
            assert old_cpu.returncode == 0, old_cpu.stderr
            assert "checksum=" in old_cpu.stdout
            assert not any("perfproj_cpu_guard" in line for line in defined_symbols(app))

    # The v3 build runs on a CPU that has what it needs.
    haswell = run_under_old_cpu(project.path / "build/release-v3/demo", "Haswell")
    assert haswell.returncode == 0 and "checksum=" in haswell.stdout, haswell.stderr


def test_the_avx512_detector_sees_avx512(tmp_path: Path) -> None:
    """Control for the test above: code built for x86-64-v4 is caught."""
    source = tmp_path / "avx512.c"
    source.write_text("#include <immintrin.h>\n__m512 add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }\n"
                      "int main(void) { return 0; }\n")
    binary = tmp_path / "avx512"
    subprocess.run(["gcc", "-O2", "-march=x86-64-v4", str(source), "-o", str(binary)], check=True)
    assert avx512_instructions(binary)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_allocators_serve_malloc_at_run_time(make_project, toolchain: str) -> None:
    require("libmimalloc-dev", "libjemalloc-dev", "libgoogle-perftools-dev")
    project: Project = make_project(toolchain)
    expected = {
        "system": ("glibc malloc 2.", "libc.so"),
        "mimalloc": ("mimalloc 2.", "libmimalloc.so"),
        "jemalloc": ("jemalloc 5.", "libjemalloc.so"),
        "tcmalloc": ("tcmalloc (gperftools 2.", "libtcmalloc_minimal.so"),
    }
    for allocator, (name, provider) in expected.items():
        build = f"build/alloc-{allocator}"
        project.configure("dev", build_dir=build, defines={"PERFPROJ_ALLOCATOR": allocator})
        project.build(build, "demo_app", "demo_tests")
        info = project.run(f"{build}/demo", "--build-info").stdout
        line = next(line for line in info.splitlines() if line.startswith("allocator:"))
        assert name in line and f"{provider}" in line and f"[configured: {allocator}]" in line, line
        link = project.link_command(build, "demo")
        app_binary = project.path / build / "demo"
        if allocator == "system":
            assert "--no-as-needed" not in link
            assert not any(lib in " ".join(needed_libraries(app_binary)) for lib in ("malloc", "tcmalloc"))
        else:
            # Wrapped against --as-needed, and really recorded as a dependency.
            linker_args = re.sub(r"-Xlinker (\S+)", r"-Wl,\1", link)  # Clang's spelling of LINKER:
            assert re.search(rf"-Wl,--push-state(,| -Wl,)--no-as-needed\s+\S*{provider}\s+-Wl,--pop-state",
                             linker_args), link
            assert any(lib.startswith(provider) for lib in needed_libraries(app_binary))
        app_compiles = [c for c in project.own_compile_commands(build) if c["file"].endswith("src/app/main.cpp")]
        if allocator == "tcmalloc":
            assert_all_have(app_compiles, "-fno-builtin-malloc", "-fno-builtin-free")
        else:
            assert_none_have(app_compiles, "-fno-builtin-malloc")
        project.ctest(build, "-R", "Vm|app-runs")  # runs fine on each allocator


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_shared_library_visibility_and_interposition(make_project, toolchain: str) -> None:
    project: Project = make_project(toolchain)
    build = "build/shared"
    project.configure("dev", build_dir=build, defines={
        "BUILD_SHARED_LIBS": "ON", "PERFPROJ_ARCH": "x86-64-v3", "PERFPROJ_ALLOCATOR": "mimalloc"})
    project.build(build)
    library = next((project.path / build).glob("libdemo.so.0*"))
    lib_compiles = [c for c in project.own_compile_commands(build) if "/src/lib/" in c["file"]]
    if toolchain == "gcc":
        assert_all_have(lib_compiles, "-fno-semantic-interposition", "-fvisibility=hidden")
    else:  # Clang already assumes no interposition
        assert_none_have(lib_compiles, "-fno-semantic-interposition")
    # Only the public API is exported from the shared library: every exported
    # function of namespace demo (mangled _ZN4demo...) is one of the API's.
    # (std:: template instantiations stay visible: libstdc++ declares them so.)
    exported = [line.split(" ", 2)[2] for line in defined_symbols(library, dynamic=True, demangle=False)
                if re.match(r"\S+ [TW] ", line)]
    ours = sorted(symbol for symbol in exported if symbol.startswith("_ZN4demo"))
    api = ("_ZN4demo8tokenize", "_ZN4demo9to_string", "_ZN4demo7compile", "_ZN4demo3run", "_ZN4demo3mix",
           "_ZN4demo16generate_program", "_ZN4demo8evaluate", "_ZN4demo11fingerprint")
    assert len(ours) == len(api) and all(symbol.startswith(api) for symbol in ours), ours
    # The allocator goes into executables only, never into a library.
    assert not any("mimalloc" in lib for lib in needed_libraries(library))
    assert any("mimalloc" in lib for lib in needed_libraries(project.path / build / "demo"))
    # The shared library carries its own CPU guard: its constructor runs first.
    assert any("perfproj_cpu_guard" in line for line in defined_symbols(library))
    old_cpu = run_under_old_cpu(project.path / build / "demo")
    assert old_cpu.returncode == GUARD_EXIT and "libdemo.so" not in old_cpu.stdout, old_cpu.stderr
    project.ctest(build)


def gdb_line(binary: Path, function: str, *init: str) -> str:
    args = ["gdb", "-nx", "-batch"]
    for command in init:  # before gdb loads the binary
        args += ["-iex", command]
    result = subprocess.run(args + ["-ex", f"info line {function}", str(binary)],
                            capture_output=True, text=True, timeout=120)
    return result.stdout + result.stderr


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_split_debug_info_keeps_the_shipped_code_and_finds_source_lines(
        make_project, toolchain: str, tmp_path: Path) -> None:
    require("binutils", "gdb", "linux-perf")
    project: Project = make_project(toolchain)
    shared = {"BUILD_SHARED_LIBS": "ON"}
    project.configure("release", build_dir="build/split", defines=shared)
    project.configure("release", build_dir="build/plain", defines={**shared, "PERFPROJ_SPLIT_DEBUG": "OFF"})
    for build in ("build/split", "build/plain"):
        project.build(build, "demo_app")
    own = [c for c in project.own_compile_commands("build/split") if "/src/" in c["file"]]
    debug_flag = "-gdwarf-4"  # not DWARF 5: see PerfprojSplitDebug.cmake
    assert_all_have(own, debug_flag)
    assert_all_have([project.link_command("build/split", "demo")], debug_flag)  # LTO generates the code there
    assert_none_have(project.own_compile_commands("build/plain"), "-g", "-gdwarf-4")

    split, plain = project.path / "build/split", project.path / "build/plain"
    library = next(path for path in split.glob("libdemo.so.0.*") if path.suffix != ".debug")
    for binary in (split / "demo", library):
        # What ships has no debug sections, a link to its debug file, and the
        # same machine code as a build without -g: byte for byte with GCC; with
        # Clang, whose -g adds unwind entries for nounwind functions, the same
        # instructions a few bytes further on.
        sections = section_names(binary)
        assert ".gnu_debuglink" in sections and not any(s.startswith(".debug_") for s in sections), sections
        assert ".debug_info" in section_names(binary.with_name(binary.name + ".debug"))
        twin = plain / binary.name
        if toolchain == "gcc":
            assert section_bytes(binary, ".text") == section_bytes(twin, ".text"), binary
        assert len(section_bytes(binary, ".text")) == len(section_bytes(twin, ".text")), binary
        assert instruction_sequence(binary) == instruction_sequence(twin), binary
        assert binary.stat().st_size <= twin.stat().st_size * 1.02, binary

    # gdb and addr2line find the source line of the optimized binary.
    source_line = r'Line \d+ of "[^"]*src/app/main\.cpp"'
    assert re.search(source_line, gdb_line(split / "demo", "main"))
    assert not re.search(source_line, gdb_line(plain / "demo", "main"))
    address = next(line.split()[0] for line in defined_symbols(library, demangle=False)
                   if re.search(r" T _ZN4demo8tokenize", line))
    where = subprocess.run(["addr2line", "-e", str(library), f"0x{address}"],
                           capture_output=True, text=True, check=True).stdout
    assert re.search(r"src/lib/lexer\.cpp:\d+", where), where

    # perf attributes samples of the optimized binary to source lines.
    lines = {}
    for name, build in (("split", split), ("plain", plain)):
        data = tmp_path / f"{name}.perf"
        subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-o", str(data), "--", str(build / "demo"),
                        "--statements", "3000", "--iterations", "10"], capture_output=True, check=True, timeout=300)
        lines[name] = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--sort", "srcline"],
                                     capture_output=True, text=True, check=True, timeout=300).stdout
    # (Without debug info perf still names a file, from the symbol table, at line 0.)
    source_lines = r"(vm|lexer|compiler)\.cpp:[1-9]"
    assert re.search(source_lines, lines["split"]), lines["split"]
    assert "<artificial>" not in lines["split"], lines["split"]  # GCC LTO's DWARF 5 misread by binutils
    assert not re.search(source_lines, lines["plain"]), lines["plain"]

    # A copy shipped elsewhere finds its debug info by build ID.
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "demo").write_bytes((split / "demo").read_bytes())
    assert not re.search(source_line, gdb_line(shipped / "demo", "main"))
    by_build_id = f"set debug-file-directory {split / 'perfproj-debug'}"
    assert re.search(source_line, gdb_line(shipped / "demo", "main", by_build_id))


def test_clang_16_links_with_lld_16_and_llvm_ar_16(make_project) -> None:
    require("clang-16", "lld-16", "llvm-16")
    project: Project = make_project("clang")
    project.env.update(CC="clang-16", CXX="clang++-16")
    project.workflow("release")
    for link in project.link_commands("build/release"):
        ld_path = next(flag for flag in flags_of(link) if flag.startswith("--ld-path="))
        assert re.search(r"(lld-16|llvm-16)", ld_path), ld_path
    cache = (project.path / "build/release/CMakeCache.txt").read_text()
    assert re.search(r"CMAKE_CXX_COMPILER_AR:FILEPATH=\S*llvm-ar-16", cache)


def test_gcc_archives_with_gcc_ar(make_project) -> None:
    project: Project = make_project("gcc")
    project.configure("release")
    cache = (project.path / "build/release/CMakeCache.txt").read_text()
    assert re.search(r"CMAKE_CXX_COMPILER_AR:FILEPATH=\S*gcc-ar", cache)
    commands = project.run("ninja", "-C", "build/release", "-t", "commands", "demo").stdout
    assert any("gcc-ar" in line for line in commands.splitlines())


CROSS_AARCH64 = """set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
"""


def test_configure_errors_list_every_problem(make_project, tmp_path: Path) -> None:
    project: Project = make_project("gcc")

    def problems(defines: dict[str, str], build: str = "build/bad") -> str:
        result = project.configure("release", build_dir=build, defines=defines, check=False)
        assert result.returncode != 0, result.stdout
        return result.stdout

    out = problems({
        "PERFPROJ_ARCH": "x86-64-v4",
        "PERFPROJ_ALLOCATOR": "mimalloc",
        "CMAKE_IGNORE_PATH": "/usr/lib/x86_64-linux-gnu;/lib/x86_64-linux-gnu",
        "CMAKE_CXX_FLAGS": "-mavx512f",
    })
    assert "3 problem(s)" in out, out
    assert "PERFPROJ_ARCH=x86-64-v4 means AVX-512, which needs PERFPROJ_AVX512=ON" in out
    assert "libmimalloc is not installed" in out and "install the Debian package libmimalloc-dev" in out
    assert "CMAKE_CXX_FLAGS enables AVX-512 but PERFPROJ_AVX512 is OFF" in out

    assert "armv8.2-a is an AArch64 level" in problems({"PERFPROJ_ARCH": "armv8.2-a"}, "build/bad2")
    assert "PERFPROJ_ARCH=i9 is not a known value" in problems({"PERFPROJ_ARCH": "i9"}, "build/bad3")

    toolchain = tmp_path / "aarch64.cmake"
    toolchain.write_text(CROSS_AARCH64)
    out = problems({"PERFPROJ_ARCH": "x86-64-v3", "CMAKE_TOOLCHAIN_FILE": str(toolchain)}, "build/bad4")
    assert "PERFPROJ_ARCH=x86-64-v3 is an x86-64 level, but the target CPU is aarch64" in out

    # LTO asked for but impossible (here: an archiver that cannot archive).
    out = problems({"CMAKE_CXX_COMPILER_AR": "/bin/false"}, "build/bad5")
    assert "PERFPROJ_LTO=ON but GNU 12 cannot build with LTO here" in out

    # With the opt-in, x86-64-v4 is accepted.
    project.configure("release", build_dir="build/v4", defines={"PERFPROJ_ARCH": "x86-64-v4", "PERFPROJ_AVX512": "ON"})
