"""`perfproj asm`: a function's machine code as a preset really built it, with GCC
and Clang, in a generated project and in an adopted one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers.build import build_env
from helpers.cli import generate, perfproj_on_path, run_perfproj, their_repository
from helpers.packages import require

ASM_TIMEOUT = 1800  # asm configures and builds the preset first
DOCS = Path(__file__).resolve().parents[2] / "docs/asm.md"


def _asm(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_perfproj("asm", *args, cwd=project, env=env, timeout=ASM_TIMEOUT)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _instructions(listing: str) -> list[str]:
    return [line for line in listing.splitlines() if re.match(r"^\s+\+0x[0-9a-f]+\s", line)]


def _uses(listing: str, register: str) -> bool:
    return any(f"%{register}" in line for line in _instructions(listing))


def test_gcc_v3_vectorizes_with_ymm_portable_does_not(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    require("binutils", "llvm")
    project = generate(tmp_path)
    env = build_env("gcc", tmp_path_factory.getbasetemp())
    # LTO inlined demo::fingerprint into its callers: asm shows its copy there, with source lines.
    v3 = _ok(_asm(project, env, "fingerprint", "--preset", "release-v3"))
    assert v3.startswith("demo::fingerprint(std::basic_string_view<char"), v3[:300]
    assert "inlined, no code of its own" in v3 and "preset release-v3: GNU 12" in v3
    assert _uses(v3, "ymm") and not _uses(v3, "zmm")  # AVX2, never AVX-512
    assert re.search(r"^; src/lib/fingerprint\.cpp:\d+  .*bytes\[i\]", v3, re.MULTILINE), v3[:3000]

    # The portable build's own copy of the loop has no AVX at all; its dispatched
    # x86-64-v3 copy has (PERFPROJ_DISPATCH).
    baseline = _ok(_asm(project, env, "fingerprint_bytes_perfproj_baseline"))  # release, the default
    assert _instructions(baseline) and not _uses(baseline, "ymm") and not _uses(baseline, "zmm"), baseline
    dispatched = _ok(_asm(project, env, "fingerprint_bytes_perfproj_x86_64_v3"))
    assert _uses(dispatched, "ymm") and not _uses(dispatched, "zmm")

    # Side by side: the summary line says what each build made of it.
    diff = _ok(_asm(project, env, "fingerprint_kernel", "--preset", "release-v3", "--diff", "release"))
    table = diff.split("\n\nrelease-v3", 1)[1].splitlines()
    summaries = re.split(r"\s{3,}", table[1].strip())
    assert "use ymm" in summaries[0] and len(summaries) == 2, table[:2]
    assert re.search(r"^\S.*\s[|<>~]\s", diff, re.MULTILINE)  # rows with differences, marked

    # llvm-mca for the build's CPU level.
    mca = _ok(_asm(project, env, "fingerprint_kernel", "--preset", "release-v3", "--mca", "--no-build"))
    assert "-mcpu=x86-64-v3" in mca and "Block RThroughput" in mca and "IPC:" in mca

    # Names that match several functions, or none; bad options.
    several = _asm(project, env, "fingerprint_bytes_perfproj", "--no-build")
    assert several.returncode == 2, several.stderr
    assert "fingerprint_bytes_perfproj_baseline(" in several.stdout
    assert "fingerprint_bytes_perfproj_x86_64_v3(" in several.stdout
    assert len(several.stderr.strip().splitlines()) == 1 and "matches 2 functions" in several.stderr

    none = _asm(project, env, "no_such_function_anywhere", "--no-build")
    assert none.returncode == 1 and len(none.stderr.strip().splitlines()) == 1
    assert "no function matching 'no_such_function_anywhere'" in none.stderr

    assert _asm(project, env, "run", "--preset", "nope").returncode == 2
    unbuilt = _asm(project, env, "run", "--preset", "release-native", "--no-build")
    assert unbuilt.returncode == 1 and "cmake --workflow --preset release-native" in unbuilt.stderr
    assert _asm(project, env, "x", "--mca", "--diff", "release-v3").returncode == 2
    assert _asm(project, env, "(", "--regex", "--no-build").returncode == 2

    # docs/asm.md's commands run as shown.
    documented = re.search(r"```sh\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert documented
    shell = perfproj_on_path(tmp_path / "bin", env)
    for command in documented.group(1).strip().splitlines():
        result = subprocess.run(["bash", "-c", command], cwd=project, env=shell, capture_output=True, text=True,
                                timeout=ASM_TIMEOUT)
        assert result.returncode == 0 and result.stdout, (command, result.stderr[-2000:])


def test_clang_build_is_read_the_same_way(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    require("binutils", "clang", "lld")
    project = generate(tmp_path)
    env = build_env("clang", tmp_path_factory.getbasetemp())
    v3 = _ok(_asm(project, env, "fingerprint", "--preset", "release-v3"))
    assert "preset release-v3: Clang 14" in v3
    assert _uses(v3, "ymm") and not _uses(v3, "zmm")
    assert re.search(r"^; src/lib/fingerprint\.cpp:\d+", v3, re.MULTILINE), v3[:3000]
    # ThinLTO inlined the kernel: found through the debug info's inlining records
    # (which binutils reads in DWARF 4 only, see PerfprojSplitDebug.cmake).
    kernel = _ok(_asm(project, env, "fingerprint_kernel", "--preset", "release-v3", "--no-build"))
    assert "inlined, no code of its own" in kernel and _uses(kernel, "ymm"), kernel[:3000]
    assert re.search(r"^; src/lib/fingerprint\.cpp:\d+  .*bytes\[i\]", kernel, re.MULTILINE), kernel[:3000]


ADOPTED = {
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.16)\nproject(vec CXX)\n"
                      "add_library(vec SHARED dot.cpp)\n"
                      "enable_testing()\nadd_executable(dot_test dot_test.cpp)\n"
                      "target_link_libraries(dot_test vec)\nadd_test(NAME dot COMMAND dot_test)\n",
    "dot.cpp": "int dot(const int* a, const int* b, int n) {\n  int s = 0;\n"
               "  for (int i = 0; i < n; ++i) s += a[i] * b[i];\n  return s;\n}\n",
    "dot_test.cpp": "int dot(const int*, const int*, int);\n"
                    "int main() { int a[] = {1, 2, 3}; return dot(a, a, 3) != 14; }\n",
}


def test_an_adopted_repository(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    require("binutils")
    repo = their_repository(tmp_path / "vec", ADOPTED)
    assert run_perfproj("adopt", repo, cwd=tmp_path).returncode == 0
    env = build_env("gcc", tmp_path_factory.getbasetemp())
    listing = _ok(_asm(repo, env, "dot("))  # perfproj's release preset, found through the record
    assert listing.startswith("dot(int const*, int const*, int)")
    assert "in build/release/libvec.so (symbol)" in listing
    assert _uses(listing, "xmm") and not _uses(listing, "ymm")  # portable: SSE2 vectorization only
    assert re.search(r"^; dot\.cpp:3  for \(int i = 0; i < n; \+\+i\) s \+= a\[i\] \* b\[i\];", listing,
                     re.MULTILINE), listing[:2000]
