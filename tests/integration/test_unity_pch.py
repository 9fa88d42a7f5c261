"""Unity builds (PERFPROJ_UNITY_BUILD) and precompiled headers
(perfproj_precompile_headers): real unity and PCH compiles of the project's own
targets only, the same program as the plain build, a compiler cache that keeps
hitting, nothing in the installed package, and a unity trap that fails loudly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.build import CommandFailed, Project
from helpers.packages import require

UNITY_FILE = re.compile(r"/CMakeFiles/(?P<target>[\w-]+)\.dir/Unity/unity_\d+_cxx\.cxx$")
# The targets the sample gives perfproj_target_defaults(): the only ones a unity build may batch.
OWN_TARGETS = {"demo", "demo_app", "demo_tests", "demo_bench", "demo_compile_fuzzer"}
PCH_CALL = "\nperfproj_precompile_headers(demo <string> <vector> <cstdint>)\n"


def unity_files(project: Project, build: str) -> dict[str, list[str]]:
    """target -> the unity sources compile_commands.json compiles for it."""
    found: dict[str, list[str]] = {}
    for entry in project.compile_commands(build):
        match = UNITY_FILE.search(entry["file"])
        if match:
            found.setdefault(match["target"], []).append(entry["file"])
    return found


def compiled_alone(project: Project, build: str, suffix: str) -> bool:
    return any(entry["file"].endswith(suffix) for entry in project.compile_commands(build))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_unity_build_batches_only_the_projects_own_targets(make_project, toolchain: str) -> None:
    project: Project = make_project(toolchain)
    configured = project.configure("dev", build_dir="build/unity", defines={"PERFPROJ_UNITY_BUILD": "ON"}).stdout
    assert "unity build: the project's own targets compile in batches of 8 sources" in configured
    project.build("build/unity")
    project.ctest("build/unity")

    # Real evidence: the library, app and tests compile as unity files that
    # include the sources, which are never compiled on their own.
    unity = unity_files(project, "build/unity")
    assert {"demo", "demo_app", "demo_tests"} <= set(unity) <= OWN_TARGETS, unity
    library_unity = Path(unity["demo"][0]).read_text()
    for source in ("compiler", "fingerprint", "lexer", "vm", "workload"):
        assert re.search(rf'#include "[^"]*/src/lib/{source}\.cpp"', library_unity), library_unity
        assert not compiled_alone(project, "build/unity", f"/src/lib/{source}.cpp")
    assert not compiled_alone(project, "build/unity", "/tests/lexer_test.cpp")
    # perfproj's own source in the benchmark stays alone, and so does every dependency.
    assert compiled_alone(project, "build/unity", "/runtime/perfproj_bench_main.cpp")
    for entry in project.compile_commands("build/unity"):
        if "/_deps/" in entry["file"] or "/perfproj/runtime/" in entry["file"]:
            assert not UNITY_FILE.search(entry["file"]), entry["file"]

    # The batch size is the number of sources per unity file: 5 library sources in 3 files of 2.
    project.configure("dev", build_dir="build/pairs", defines={"PERFPROJ_UNITY_BUILD": "ON",
                                                               "PERFPROJ_UNITY_BATCH_SIZE": "2"})
    assert len(unity_files(project, "build/pairs")["demo"]) == 3

    # A unity build computes exactly what the plain build computes.
    project.configure("dev", build_dir="build/plain")
    project.build("build/plain", "demo_app")
    assert unity_files(project, "build/plain") == {}
    assert project.app_result("build/unity") == project.app_result("build/plain")


def stats_log(path: Path) -> dict[str, set[str]]:
    """ccache's stats log (CCACHE_STATSLOG): source -> the results of its compiles."""
    results: dict[str, set[str]] = {}
    source = ""
    for line in path.read_text().splitlines():
        if line.startswith("# "):
            source = line[2:]
            results.setdefault(source, set())
        elif line:
            results[source].add(line)
    return results


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_precompiled_header_builds_and_keeps_hitting_ccache(make_project, tmp_path: Path, toolchain: str) -> None:
    project: Project = make_project(toolchain)
    project.env["CCACHE_DIR"] = str(tmp_path / "ccache")  # a cache of this test's own
    # The library through perfproj; the app with CMake's plain call, as the control
    # that shows what perfproj's launcher settings change.
    append(project.path / "CMakeLists.txt", PCH_CALL + "target_precompile_headers(demo_app PRIVATE <string>)\n")

    def build(copy: Project, log: str) -> dict[str, set[str]]:
        copy.env["CCACHE_STATSLOG"] = str(tmp_path / log)
        copy.configure("dev", build_dir="build/dev")
        copy.build("build/dev")
        return stats_log(tmp_path / log)

    first = build(project, "first.log")
    library = [entry for entry in project.compile_commands("build/dev") if "/src/lib/" in entry["file"]]
    assert len(library) == 5
    for entry in library:  # the precompiled header, force-included: -include (GCC), -include-pch (Clang)
        pch = "-include-pch" if toolchain == "clang" else "-include"
        assert re.search(rf"{pch} (-Xclang )?\S*/CMakeFiles/demo\.dir/cmake_pch\.hxx", entry["command"]), entry
        # Clang's .pch without its build time, else nothing using it ever hits the cache.
        assert ("-Xclang -fno-pch-timestamp" in entry["command"]) == (toolchain == "clang"), entry
    for entry in project.own_compile_commands("build/dev"):  # PRIVATE: not in the targets linking demo
        if "/tests/" in entry["file"] or "/bench/" in entry["file"]:
            assert "cmake_pch" not in entry["command"], entry["command"]
    project.ctest("build/dev")
    assert not [source for source, results in first.items() if "could_not_use_precompiled_header" in results
                and "/src/lib/" in source]
    assert any(source.endswith("src/app/main.cpp") and "could_not_use_precompiled_header" in results
               for source, results in first.items()), first

    # A fresh copy of the sources: with GCC in another directory; with Clang at
    # the same path (its .pch names its header by absolute path).
    shutil.move(project.path, tmp_path / "first")
    fresh = project.path if toolchain == "clang" else project.path.with_name("fresh")
    shutil.copytree(tmp_path / "first", fresh, ignore=shutil.ignore_patterns("build"))
    second = build(Project(fresh, dict(project.env)), "second.log")
    library_results = {source: results for source, results in second.items()
                       if "/src/lib/" in source or source.endswith("cmake_pch.hxx.cxx")}
    assert len(library_results) == 7, second  # 5 sources, the library's header and the control's
    for source, results in library_results.items():
        if "demo_app.dir" in source:
            continue  # the control: its header compile is cacheable, its uses are not
        assert results & {"direct_cache_hit", "preprocessed_cache_hit"}, (source, results)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_installed_package_carries_no_unity_or_precompiled_header(
        make_project, tmp_path: Path, toolchain: str) -> None:
    project: Project = make_project(toolchain)
    append(project.path / "CMakeLists.txt", PCH_CALL)
    prefix = tmp_path / "prefix"
    project.configure("dev", build_dir="build/dev", defines={
        "PERFPROJ_UNITY_BUILD": "ON", "DEMO_BUILD_TESTS": "OFF", "DEMO_BUILD_BENCHMARKS": "OFF"})
    project.build("build/dev")
    assert "demo" in unity_files(project, "build/dev")
    project.run("cmake", "--install", "build/dev", "--prefix", prefix)
    exported = "".join(path.read_text() for path in (prefix / "lib" / "cmake" / "demo").glob("*.cmake"))
    assert "demo::demo" in exported
    for leak in ("UNITY", "PRECOMPILE", "cmake_pch", "perfproj", "CCACHE"):
        assert leak not in exported, f"{leak} leaked into the installed package"

    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.25)\nproject(consumer CXX)\nfind_package(demo 0.1 REQUIRED)\n"
        "add_executable(consumer main.cpp)\ntarget_link_libraries(consumer PRIVATE demo::demo)\n")
    (consumer / "main.cpp").write_text(
        '#include "demo/workload.hpp"\nint main() { return demo::evaluate("emit 6 * 7;").ok ? 0 : 1; }\n')
    user = Project(consumer, project.env)
    user.run("cmake", "-S", ".", "-B", "build", "-G", "Ninja", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
             f"-DCMAKE_PREFIX_PATH={prefix}")
    user.build("build")
    user.run("build/consumer")
    for entry in user.compile_commands("build"):
        assert "cmake_pch" not in entry["command"] and "Unity" not in entry["file"], entry


TRAP_SOURCES = {
    # The same helper name in each source's anonymous namespace, with different bodies.
    "trap/a.cpp": "namespace {\nint scale(int value) { return value * 2; }\n}  // namespace\n"
                  "int scale_in_a(int value) { return scale(value); }\n",
    "trap/b.cpp": "namespace {\nint scale(int value) { return value * 3; }\n}  // namespace\n"
                  "int scale_in_b(int value) { return scale(value); }\n",
    "trap/main.cpp": "int scale_in_a(int value);\nint scale_in_b(int value);\n"
                     "int main() { return scale_in_a(1) == 2 && scale_in_b(1) == 3 ? 0 : 1; }\n",
}
TRAP_CMAKE = "\nadd_executable(trap trap/a.cpp trap/b.cpp trap/main.cpp)\nperfproj_target_defaults(trap)\n"


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_unity_name_clash_is_a_compile_error_not_a_wrong_result(make_project, toolchain: str) -> None:
    project: Project = make_project(toolchain)
    for name, text in TRAP_SOURCES.items():
        (project.path / name).parent.mkdir(exist_ok=True)
        (project.path / name).write_text(text)
    append(project.path / "CMakeLists.txt", TRAP_CMAKE)

    # Each source alone: each keeps its own helper.
    project.configure("dev", build_dir="build/plain")
    project.build("build/plain", "trap")
    project.run("build/plain/trap")

    # One batch: the second definition is a redefinition, so the build stops
    # at the unity file instead of linking a program that calls the wrong one.
    project.configure("dev", build_dir="build/unity", defines={"PERFPROJ_UNITY_BUILD": "ON"})
    with pytest.raises(CommandFailed) as failed:
        project.build("build/unity", "trap")
    message = str(failed.value)
    assert re.search(r"FAILED: \S*CMakeFiles/trap\.dir/Unity/unity_0_cxx\.cxx\.o", message), message
    assert re.search(r"trap/b\.cpp:2:\d+: error: redefinition of", message), message
    assert not (project.path / "build/unity/trap").exists()

    # The documented way out: the source that must stay alone is kept out of the batch.
    append(project.path / "CMakeLists.txt",
           "set_source_files_properties(trap/b.cpp PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)\n")
    project.configure("dev", build_dir="build/unity", defines={"PERFPROJ_UNITY_BUILD": "ON"})
    project.build("build/unity", "trap")
    assert compiled_alone(project, "build/unity", "/trap/b.cpp")
    assert not compiled_alone(project, "build/unity", "/trap/a.cpp")
    project.run("build/unity/trap")


def problems(output: str) -> list[str]:
    """The numbered problems of perfproj's one configure error, each with its fix."""
    assert output.count("problem(s) with the build options") == 1, output[-3000:]
    return re.findall(r"^\s+\d+\. (.*\n\s+fix: .*)$", output, re.MULTILINE)


def test_invalid_unity_options_and_conflicts_fail_configure_with_their_fix(make_project) -> None:
    require("clang-tidy")
    project: Project = make_project("gcc")
    bad = project.configure("dev", defines={"PERFPROJ_UNITY_BUILD": "maybe", "PERFPROJ_UNITY_BATCH_SIZE": "0"},
                            check=False)
    assert bad.returncode != 0
    found = problems(bad.stdout)
    assert len(found) == 2, found
    assert "PERFPROJ_UNITY_BUILD=maybe is not a boolean" in found[0] and "fix: set PERFPROJ_UNITY_BUILD to ON or OFF" \
        in found[0], found
    assert "PERFPROJ_UNITY_BATCH_SIZE=0 is not a positive integer" in found[1]
    assert "fix: set PERFPROJ_UNITY_BATCH_SIZE to a number of sources per unity file" in found[1], found

    words = project.configure("dev", build_dir="build/words", defines={"PERFPROJ_UNITY_BATCH_SIZE": "many"},
                              check=False)
    assert words.returncode != 0 and "PERFPROJ_UNITY_BATCH_SIZE=many is not a positive integer" in words.stdout

    lint = project.configure("lint", defines={"PERFPROJ_UNITY_BUILD": "ON"}, check=False)
    assert lint.returncode != 0
    found = problems(lint.stdout)
    assert len(found) == 1 and "PERFPROJ_UNITY_BUILD=ON with PERFPROJ_CLANG_TIDY=ON" in found[0], found
    assert "fix: set PERFPROJ_UNITY_BUILD=OFF in lint builds" in found[0]


def test_precompile_headers_refuses_what_would_leak_and_skips_lint_builds(make_project) -> None:
    require("clang-tidy")
    project: Project = make_project("gcc")
    lists = project.path / "CMakeLists.txt"
    original = lists.read_text()
    refusals = {
        "perfproj_precompile_headers(demo PUBLIC <vector>)":
            ("a PUBLIC precompiled header would reach the targets linking demo", "fix: drop PUBLIC"),
        "perfproj_precompile_headers(demo_typo <vector>)":
            ("there is no target demo_typo", "fix: call it after add_library(demo_typo ...)"),
        "add_library(headers_only INTERFACE)\nperfproj_precompile_headers(headers_only <vector>)":
            ("headers_only is an interface library", "fix: precompile the headers for the targets that link"),
        "perfproj_precompile_headers(demo)": ("no header to precompile", "fix: name the headers"),
    }
    for call, (what, fix) in refusals.items():
        lists.write_text(original + "\n" + call + "\n")
        result = project.configure("dev", build_dir="build/refused", check=False)
        assert result.returncode != 0, call
        error = " ".join(result.stdout.split())  # CMake wraps a FATAL_ERROR's lines
        assert what in error and fix in error, (call, error[-2000:])

    # A lint build checks each source as written: no precompiled header there.
    lists.write_text(original + PCH_CALL)
    lint = project.configure("lint").stdout
    assert "demo: no precompiled header in a clang-tidy build" in lint
    assert not any("cmake_pch" in entry["command"] for entry in project.compile_commands("build/lint"))
