"""The fuzz preset and perfproj_add_fuzzer(): libFuzzer with ASan/UBSan under Clang,
a bounded run that finds a seeded parser bug, the crash kept as a test input that
every build replays (GCC included), and conflicts that stop configure."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from helpers.build import Project, assert_all_have, build_env, flags_of
from helpers.cli import run_perfproj, their_repository
from helpers.packages import require

# An off-by-one of the classic kind: the lexer's look-ahead reads the byte just
# past the end of the text (for text ending in `<`, `=`, `&`, ...).
BUG = ("return at < source_.size() ? source_[at] : '\\0';", "return at <= source_.size() ? source_[at] : '\\0';")


def _fuzz(project: Project, seconds: int, target: str = "fuzz") -> subprocess.CompletedProcess[str]:
    env = {**project.env, "PERFPROJ_FUZZ_SECONDS": str(seconds)}
    return subprocess.run(["cmake", "--build", "--preset", "fuzz", "--target", target], cwd=project.path, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)


def test_clang_fuzz_preset_finds_a_seeded_parser_bug_and_keeps_it_as_a_test(make_project) -> None:
    require("clang", "libclang-rt-14-dev")
    project: Project = make_project("clang")
    fuzzer = f"{project.name}_compile_fuzzer"
    workflow = project.workflow("fuzz")  # configure, build, every test under the sanitizers
    assert "100% tests passed" in workflow.stdout
    assert f"{fuzzer}-inputs" in workflow.stdout  # the seeds and the kept regression, replayed
    build = "build/fuzz"
    library = [c for c in project.compile_commands(build) if "/src/lib/" in c["file"]]
    assert_all_have(library, "-fsanitize=fuzzer-no-link", "-fsanitize=address,undefined",
                    "-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION")
    assert "-fsanitize=fuzzer" in flags_of(project.link_command(build, f"fuzz/{fuzzer}"))

    # The clean sample survives a bounded run; what it found stays for the next run.
    clean = _fuzz(project, 5)
    assert clean.returncode == 0, clean.stdout[-3000:]
    assert f"{fuzzer}: no crash in 5 s" in clean.stdout
    corpus = project.path / build / "perfproj-fuzz" / fuzzer / "corpus"
    assert any(corpus.iterdir())
    assert not any((project.path / "fuzz/regressions/compile").glob("crash-*"))  # the repository is not written

    # The seeded bug is found, and the message says how to keep the input.
    lexer = project.path / "src/lib/lexer.cpp"
    source = lexer.read_text()
    assert BUG[0] in source
    lexer.write_text(source.replace(BUG[0], BUG[1]))
    found = _fuzz(project, 600)
    assert found.returncode != 0
    assert "ERROR: AddressSanitizer: heap-buffer-overflow" in found.stdout, found.stdout[-3000:]
    assert re.search(r"#\d+ .* in .*Lexer.* .*src/lib/lexer\.cpp:\d+", found.stdout), found.stdout[-3000:]
    keep = re.search(r"keep it as a test input: (cp .+)$", found.stdout, re.MULTILINE)
    assert keep, found.stdout[-2000:]
    subprocess.run(["bash", "-c", keep.group(1)], cwd=project.path, check=True)  # runs as printed
    kept = list((project.path / "fuzz/regressions/compile").glob("crash-*"))
    assert len(kept) == 1

    # The kept input is a test now: it fails while the bug is there, passes once fixed.
    # (The test reads the folder when it runs: a new file needs no reconfigure.)
    failing = project.run("ctest", "--preset", "fuzz", "-L", "fuzz", check=False)
    assert failing.returncode != 0 and "heap-buffer-overflow" in failing.stdout, failing.stdout[-3000:]
    lexer.write_text(source)
    project.build(build)
    fixed = project.run("ctest", "--preset", "fuzz", "-L", "fuzz")
    assert "100% tests passed" in fixed.stdout


def test_gcc_builds_replay_the_inputs_and_refuse_to_fuzz(make_project) -> None:
    project: Project = make_project("gcc")
    fuzzer = f"{project.name}_compile_fuzzer"
    regression = project.path / "fuzz/regressions/compile/crash-example"
    regression.write_bytes(b"emit 1 <")
    project.workflow("dev")
    replay = project.ctest("build/dev", "-L", "fuzz", "-V")
    assert f"{fuzzer}-inputs" in replay.stdout and "perfproj fuzz: ran 5 inputs" in replay.stdout, replay.stdout[-3000:]
    assert "crash-example" in replay.stdout
    assert not any("-fsanitize=fuzzer" in " ".join(flags_of(c)) for c in project.compile_commands("build/dev"))

    # The asan preset replays them with GCC's AddressSanitizer: the seeded bug is caught there too.
    lexer = project.path / "src/lib/lexer.cpp"
    lexer.write_text(lexer.read_text().replace(BUG[0], BUG[1]))
    project.configure("asan")
    project.build("build/asan")
    caught = project.run("ctest", "--preset", "asan", "-L", "fuzz", check=False)
    assert caught.returncode != 0 and "heap-buffer-overflow" in caught.stdout, caught.stdout[-3000:]

    # No fuzzing without libFuzzer: the fuzz target says why, the fuzz preset names Clang.
    refused = project.run("cmake", "--build", "build/dev", "--target", "fuzz", check=False)
    assert refused.returncode != 0 and "PERFPROJ_FUZZ=OFF" in refused.stdout
    configured = project.configure("fuzz", check=False)
    assert configured.returncode != 0
    assert "PERFPROJ_FUZZ=ON needs Clang's libFuzzer: GNU has none" in configured.stdout
    assert "fix: configure with CC=clang CXX=clang++" in configured.stdout


def test_fuzz_conflicts_fail_configure_with_every_problem(make_project) -> None:
    require("clang")
    project: Project = make_project("clang")
    result = project.configure("fuzz", defines={"PERFPROJ_LTO": "ON", "PERFPROJ_PGO": "USE", "PERFPROJ_BOLT": "ON",
                                                "PERFPROJ_FUZZ_SECONDS": "soon"}, check=False)
    assert result.returncode != 0
    for problem in ("PERFPROJ_FUZZ=ON with PERFPROJ_LTO=ON", "PERFPROJ_FUZZ=ON with PERFPROJ_PGO=USE",
                    "PERFPROJ_FUZZ=ON with PERFPROJ_BOLT=ON", "PERFPROJ_FUZZ_SECONDS=soon is not a number"):
        assert problem in result.stdout, result.stdout[-3000:]
    thread = project.configure("fuzz", build_dir="build/fuzz-tsan", defines={"PERFPROJ_SANITIZERS": "thread"},
                               check=False)
    assert thread.returncode != 0 and "PERFPROJ_SANITIZERS containing thread" in thread.stdout


ADOPTED = {
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.16)\nproject(kv C)\n"
                      "add_library(kv STATIC kv.c)\nenable_testing()\n"
                      "add_executable(kv_test kv_test.c)\ntarget_link_libraries(kv_test kv)\n"
                      "add_test(NAME kv COMMAND kv_test)\n",
    # Counts `key=value` pairs; the look-ahead past '=' has the seeded off-by-one.
    "kv.c": "#include <stddef.h>\n"
            "int kv_count(const char* text, size_t size) {\n"
            "  int pairs = 0;\n"
            "  for (size_t i = 0; i < size; ++i) {\n"
            "    if (text[i] == '=' && i + 1 <= size && text[i + 1] != ';') pairs++;\n"
            "  }\n"
            "  return pairs;\n"
            "}\n",
    "kv_test.c": "#include <stddef.h>\nint kv_count(const char*, size_t);\n"
                 "int main(void) { return kv_count(\"a=1;b=2\", 7) != 2; }\n",
}
USER_FUZZER = """
# Added after adoption: perfproj's helper when perfproj's modules are there.
if(COMMAND perfproj_add_fuzzer)
  perfproj_add_fuzzer(kv_fuzzer kv_fuzzer.c LINK kv CORPUS seeds)
endif()
"""


def test_an_adopted_c_repository_fuzzes_with_its_own_target(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    require("clang", "libclang-rt-14-dev")
    repo = their_repository(tmp_path / "kv", ADOPTED)
    assert run_perfproj("adopt", repo, cwd=tmp_path).returncode == 0
    with (repo / "CMakeLists.txt").open("a") as cmake:
        cmake.write(USER_FUZZER)
    (repo / "kv_fuzzer.c").write_text(
        "#include <stddef.h>\n#include <stdint.h>\nint kv_count(const char*, size_t);\n"
        "int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {\n"
        "  kv_count((const char*)data, size);\n  return 0;\n}\n")
    (repo / "seeds").mkdir()
    (repo / "seeds/one").write_text("a=1;b=2")

    project = Project(repo, build_env("clang", tmp_path_factory.getbasetemp()))
    # The repository's own build without the fuzz preset: its tests and the replay (C only, no C++).
    assert "100% tests passed" in project.workflow("release").stdout
    # The fuzz preset: the repository's tests under ASan, then the bounded run finds the bug.
    assert "100% tests passed" in project.workflow("fuzz").stdout
    found = _fuzz(project, 600, target="perfproj-fuzz")  # an adopted repository's name for it
    assert found.returncode != 0
    assert "heap-buffer-overflow" in found.stdout and "kv.c:5" in found.stdout, found.stdout[-3000:]
    assert re.search(r"reproduce: (.+)$", found.stdout, re.MULTILINE)
    reproduce = shlex.split(re.search(r"reproduce: (.+)$", found.stdout, re.MULTILINE).group(1))
    again = subprocess.run(reproduce, cwd=repo, capture_output=True, text=True)
    assert again.returncode != 0 and "heap-buffer-overflow" in again.stderr
