"""PGO in one command with GCC and Clang, reusable profiles, BOLT, and the
errors and warnings around them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.build import Project, assert_all_have, flags_of
from helpers.packages import require

PGO = ["cmake", "-P", "cmake/perfproj/scripts/pgo.cmake"]
OWN_SOURCES = ("/src/", "/tests/", "/bench/")
# The sample's hot library functions, mangled (namespace demo).
HOT = ("_ZN4demo8tokenize", "_ZN4demo7compile", "_ZN4demo3run", "_ZN4demo8evaluate")


def profile_uses(commands: list, flag_prefix: str) -> bool:
    return all(any(flag.startswith(flag_prefix) for flag in flags_of(c)) for c in commands)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_pgo_and_bolt_chain_and_profile_reuse(make_project, toolchain: str, tmp_path: Path) -> None:
    require("bolt-16", "libbolt-16-dev", "binutils")
    project: Project = make_project(toolchain)
    result = project.run(*PGO, "release", "--bolt")
    out = result.stdout
    for stage in range(1, 7):
        assert f"perfproj pgo [{stage}/6]" in out, out
    assert "stale-profile warnings: 0, missing-profile warnings: 0" in out, out
    functions = re.search(r"functions with profile data: (\d+) of (\d+)", out)
    assert functions and 0 < int(functions.group(1)) <= int(functions.group(2)), out
    assert re.search(r"BOLT optimized [3-9] executable", out), out

    profile = project.path / "build/release-pgo-profile"
    optimized = "build/release-pgo"
    own = project.own_compile_commands(optimized)
    if toolchain == "gcc":
        assert_all_have(own, "-fno-reorder-blocks-and-partition", "-fprofile-correction")
        assert profile_uses(own, f"-fprofile-use={profile}")
        log = (project.path / "build/release-pgo-logs/build-use.log").read_text()
        assert "profile count data file not found" not in log  # every object found its profile
        gcda = {p.name for p in profile.glob("*.gcda")}
        for source in ("lexer.cpp", "compiler.cpp", "vm.cpp", "workload.cpp"):
            assert any(name.endswith(f"{source}.gcda") for name in gcda), (source, gcda)
    else:
        merged = profile / "merged.profdata"
        assert profile_uses(own, f"-fprofile-use={merged}")
        listing = subprocess.run(["llvm-profdata", "show", "--all-functions", "--counts", str(merged)],
                                 capture_output=True, text=True, check=True).stdout
        for symbol in HOT:  # the hot functions are in the profile, with counts
            match = re.search(rf"{symbol}\S*:\n(?:\s+.*\n)*?\s+Block counts: \[([0-9, ]+)\]", listing)
            assert match and re.search(r"[1-9]", match.group(1)), symbol
    assert_all_have(project.link_commands(optimized), "-Wl,--emit-relocs")
    info = project.run(f"{optimized}/demo", "--build-info").stdout
    assert re.search(r"^pgo:\s+USE", info, re.MULTILINE), info

    # BOLT rewrote the executables in place (the driver then ran every test).
    for name in ("demo", "tests/demo_tests", "bench/demo_bench"):
        binary = project.path / optimized / name
        sections = subprocess.run(["readelf", "-S", str(binary)], capture_output=True, text=True).stdout
        assert ".note.bolt_info" in sections, name
        assert binary.with_name(binary.name + ".pre-bolt").exists()

    # Same behaviour as the plain release build.
    project.configure("release")
    project.build("build/release", "demo_app")
    assert project.app_result(optimized) == project.app_result("build/release")

    # A saved profile (e.g. committed to the repo) serves a fresh build directory.
    saved = project.path / "pgo" / toolchain
    shutil.copytree(profile, saved)
    reuse = "build/reuse"
    defines = {"PERFPROJ_PGO": "USE", "PERFPROJ_PGO_DIR": f"pgo/{toolchain}"}
    project.configure("release", build_dir=reuse, defines=defines)
    built = project.build(reuse).stdout
    assert "profile count data file not found" not in built and "mismatch" not in built, built
    project.ctest(reuse)

    # Saved BOLT profiles too: each executable, in whichever folder CMakeLists.txt
    # creates it, is optimized right after it links.
    saved_bolt = project.path / "bolt" / toolchain
    shutil.copytree(project.path / optimized / "bolt-profile", saved_bolt)
    bolt_reuse = "build/reuse-bolt"
    project.configure("release", build_dir=bolt_reuse, defines={
        **defines, "PERFPROJ_BOLT": "ON", "PERFPROJ_BOLT_PROFILE_DIR": str(saved_bolt)})
    project.build(bolt_reuse)
    for name in ("demo", "tests/demo_tests", "bench/demo_bench"):
        sections = subprocess.run(["readelf", "-S", str(project.path / bolt_reuse / name)],
                                  capture_output=True, text=True).stdout
        assert ".note.bolt_info" in sections, name
    project.ctest(bolt_reuse)

    # A stale profile: the source changed since training. A warning, and the build succeeds.
    lexer = project.path / "src/lib/lexer.cpp"
    lexer.write_text(lexer.read_text().replace(
        "TokenKind classify_word(std::string_view word) {\n",
        "TokenKind classify_word(std::string_view word) {\n  if (word.empty()) {\n"
        "    return TokenKind::Error;\n  }\n", 1))
    stale = project.build(reuse).stdout
    stale_warning = "coverage-mismatch" if toolchain == "gcc" else "control flow change detected"
    assert stale_warning in stale, stale

    # No profile at all: a configure error that says how to make one.
    result = project.configure("release", build_dir="build/none", check=False,
                               defines={"PERFPROJ_PGO": "USE", "PERFPROJ_PGO_DIR": str(tmp_path / "empty")})
    assert result.returncode != 0
    assert "cmake -P cmake/perfproj/scripts/pgo.cmake" in result.stdout, result.stdout

    # A profile made by another compiler is refused before it can confuse the build.
    manifest = saved / "perfproj-profile.txt"
    other = "compiler=Clang 14" if toolchain == "gcc" else "compiler=GNU 12"
    manifest.write_text(re.sub(r"compiler=.*", other, manifest.read_text()))
    result = project.configure("release", build_dir="build/other", defines=defines, check=False)
    assert result.returncode != 0 and "with a profile made by" in result.stdout, result.stdout


def test_gcc_pgo_use_switches_sccache_to_ccache(make_project, tmp_path: Path) -> None:
    require("sccache")
    project: Project = make_project("gcc")
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "CMakeFiles#demo.dir#src#lib#vm.cpp.gcda").write_bytes(b"")  # enough to configure
    for pgo, expected in (("USE", "ccache"), ("OFF", "sccache")):
        build = f"build/cache-{pgo}"
        out = project.configure("release", build_dir=build, defines={
            "PERFPROJ_PGO": pgo, "PERFPROJ_PGO_DIR": str(profile), "PERFPROJ_COMPILER_CACHE": "sccache",
            "CMAKE_CXX_COMPILER_LAUNCHER": ""}).stdout
        rules = (project.path / build / "CMakeFiles/rules.ninja").read_text()
        # The cache program is the word before the compiler (ccache may come
        # through `cmake -E env CCACHE_...=...`, see PerfprojCompilerCache).
        launcher = re.search(r"command = (?:\S+ )*?(\S+) /usr/bin/(?:c\+\+|g\+\+)", rules)
        assert launcher and Path(launcher.group(1)).name == expected, (pgo, launcher)
        assert ("sccache cannot cache GCC -fprofile-use" in out) == (pgo == "USE")


def test_bolt_needs_elf(make_project) -> None:
    project: Project = make_project("gcc")
    result = project.configure("release", build_dir="build/macho", check=False, defines={
        "PERFPROJ_BOLT": "ON", "CMAKE_EXECUTABLE_FORMAT": "MACHO"})
    assert result.returncode != 0
    assert "BOLT optimizes ELF binaries only" in result.stdout, result.stdout
