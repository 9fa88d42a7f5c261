"""Sanitizer presets: the clean skeleton passes them with GCC and Clang, and
each catches its classic bug with a report that names it."""

from __future__ import annotations

import re
import shutil

import pytest

from helpers.build import Project, assert_all_have, assert_none_have
from helpers.paths import REPO

SEEDED = REPO / "tests" / "data" / "seeded"
# preset -> (seeded program, the words of the sanitizer's report)
BUGS = {
    "asan": [("heap_overflow", "heap-buffer-overflow"), ("use_after_free", "heap-use-after-free"),
             ("leak", "detected memory leaks")],
    "tsan": [("data_race", "data race")],
    "ubsan": [("signed_overflow", "signed integer overflow")],
    "msan": [("uninitialized_read", "use-of-uninitialized-value"),
             # in a GoogleTest test of the project: a branch on an uninitialized local, named by file:line
             ("uninitialized_local_test", "uninitialized_local_test.cpp:22")],
}
CASES = [(toolchain, preset) for toolchain in ("gcc", "clang") for preset in BUGS
         if not (toolchain == "gcc" and preset == "msan")]


def seed_bugs(project: Project) -> None:
    """Adds each seeded program as a test of the generated project."""
    (project.path / "tests" / "seeded").mkdir()
    lines = ["find_package(Threads REQUIRED)"]
    for bugs in BUGS.values():
        for program, _ in bugs:
            shutil.copy(SEEDED / f"{program}.cpp", project.path / "tests" / "seeded")
            lines += [f"add_executable(seeded_{program} seeded/{program}.cpp)"]
            if program.endswith("_test"):  # a GoogleTest test, discovered like the project's own
                lines += [f"target_link_libraries(seeded_{program} PRIVATE GTest::gtest_main)",
                          f"gtest_discover_tests(seeded_{program} TEST_PREFIX seeded-{program}. "
                          "DISCOVERY_MODE PRE_TEST)"]
            else:
                lines += [f"target_link_libraries(seeded_{program} PRIVATE Threads::Threads)",
                          f"add_test(NAME seeded-{program} COMMAND seeded_{program})"]
    with (project.path / "tests" / "CMakeLists.txt").open("a") as cmake:
        cmake.write("\n" + "\n".join(lines) + "\n")


@pytest.mark.parametrize(("toolchain", "preset"), CASES)
def test_sanitizer_presets_pass_clean_code_and_catch_seeded_bugs(make_project, toolchain, preset) -> None:
    project: Project = make_project(toolchain)
    seed_bugs(project)
    project.configure(preset)
    project.build(f"build/{preset}")
    sanitizers = {"asan": "address,undefined", "tsan": "thread", "ubsan": "undefined", "msan": "memory"}[preset]
    assert_all_have(project.own_compile_commands(f"build/{preset}"), f"-fsanitize={sanitizers}",
                    "-fno-omit-frame-pointer")
    assert_all_have(project.link_commands(f"build/{preset}"), f"-fsanitize={sanitizers}")
    assert_none_have(project.own_compile_commands(f"build/{preset}"), "-flto=auto", "-flto=thin")

    # The skeleton itself is clean under the preset's test settings, its GoogleTest tests included.
    clean = project.run("ctest", "--preset", preset, "-E", "seeded")
    assert "tests passed" in clean.stdout and "0 tests failed" in clean.stdout, clean.stdout
    assert re.search(r"^unit +=.*\([0-9]+ tests?\)", clean.stdout, re.M), clean.stdout[-2000:]

    for program, report in BUGS[preset]:
        caught = project.run("ctest", "--preset", preset, "-R", f"seeded-{program}", check=False)
        assert caught.returncode != 0, f"{preset} missed {program}:\n{caught.stdout}"
        assert report in caught.stdout, f"{preset}: no '{report}' report for {program}:\n{caught.stdout[-3000:]}"


def test_sanitizer_conflicts_are_listed_in_one_error(make_project) -> None:
    project: Project = make_project("gcc")
    result = project.configure("release", build_dir="build/bad", check=False, defines={
        "PERFPROJ_SANITIZERS": "address;thread;memory;frobnicate", "PERFPROJ_ALLOCATOR": "mimalloc",
        "PERFPROJ_PGO": "GENERATE", "PERFPROJ_BOLT": "ON", "CMAKE_CXX_FLAGS": "-D_FORTIFY_SOURCE=2"})
    out = result.stdout
    assert result.returncode != 0
    for needle in ("contains 'frobnicate'", "ThreadSanitizer cannot run with AddressSanitizer",
                   "MemorySanitizer runs alone", "MemorySanitizer", "with PERFPROJ_PGO=GENERATE",
                   "with PERFPROJ_LTO=ON", "with PERFPROJ_BOLT=ON", "with PERFPROJ_ALLOCATOR=mimalloc",
                   "_FORTIFY_SOURCE under AddressSanitizer"):
        assert needle in out, (needle, out)
    assert "memory needs Clang" in out
    assert out.count("fix:") >= 9
