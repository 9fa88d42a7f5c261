"""CPU dispatch in portable builds: the sample's fingerprint loop has an x86-64-v3 (AVX2) copy that runs
on this CPU, and the baseline copy runs on an older one (qemu's Nehalem); both compute the same."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers.build import Project, build_env
from helpers.cli import run_perfproj, their_repository
from helpers.packages import require

ARGS = ["--statements", "300", "--iterations", "1"]


def results(line: str) -> str:
    """The app's output without its timing."""
    return re.sub(r" elapsed_ms=\S+", "", line.strip())


def run_app(binary: Path, cpu: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(binary), *ARGS] if cpu is None else ["qemu-x86_64", "-cpu", cpu, str(binary), *ARGS]
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env={"PERFPROJ_DISPATCH_REPORT": "1", "PATH": "/usr/bin:/bin"})


def function_body(binary: Path, name_part: str) -> str:
    """The disassembly of the first function whose name contains `name_part`."""
    listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", str(binary)], capture_output=True,
                             text=True, check=True).stdout
    match = re.search(rf"^[0-9a-f]+ <[^>]*{re.escape(name_part)}[^>]*>:\n(.*?)\n\n", listing, re.M | re.S)
    assert match, f"no function with {name_part} in {binary}"
    return match.group(1)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_the_v3_copy_runs_here_and_the_baseline_on_an_old_cpu(make_project, toolchain: str) -> None:
    require("qemu-user", "binutils")
    project: Project = make_project(toolchain)
    project.workflow("release")
    app = project.path / "build/release/demo"
    here = run_app(app)
    assert "fingerprint_bytes runs its x86-64-v3 copy" in here.stderr, here.stderr
    old = run_app(app, "Nehalem")
    assert old.returncode == 0 and "fingerprint_bytes runs its baseline copy" in old.stderr, old.stderr
    assert results(here.stdout) == results(old.stdout) and "source=" in here.stdout
    # The two copies really differ: AVX2's 256-bit registers in one, none in the other.
    assert "ymm" in function_body(app, "fingerprint_bytes_perfproj_x86_64_v3")
    assert "ymm" not in function_body(app, "fingerprint_bytes_perfproj_baseline")
    compile_flags = " ".join(entry["command"] for entry in project.own_compile_commands("build/release")
                             if entry["file"].endswith("fingerprint.cpp"))
    assert "-DPERFPROJ_DISPATCH=1" in compile_flags and "-march" not in compile_flags


def test_builds_for_v3_or_with_dispatch_off_have_one_copy(make_project) -> None:
    project: Project = make_project("gcc")
    project.workflow("release-v3")
    app = project.path / "build/release-v3/demo"
    run = run_app(app)
    assert "perfproj dispatch" not in run.stderr  # compiled for v3 as a whole: nothing to choose
    listing = subprocess.run(["nm", "-C", str(app)], capture_output=True, text=True, check=True).stdout
    assert "_perfproj_x86_64_v3" not in listing
    project.configure("release", build_dir="build/no-dispatch", defines={"PERFPROJ_DISPATCH": "OFF"})
    project.build("build/no-dispatch", "demo_app")
    plain = run_app(project.path / "build/no-dispatch/demo")
    assert "perfproj dispatch" not in plain.stderr and results(plain.stdout) == results(run.stdout)


# A repository of someone else's that adopts perfproj, then dispatches one loop
# itself: the guards keep it building without perfproj too.
ADOPTED = {
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.16)\nproject(sumv CXX)\n"
                      "add_executable(sumv main.cpp)\nenable_testing()\nadd_test(NAME sumv COMMAND sumv)\n",
    "main.cpp": "#include <cstdint>\n#include <cstdio>\n#include <vector>\n"
                "int main() {\n  std::vector<std::uint32_t> v(100000);\n"
                "  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint32_t>(i * 7);\n"
                "  std::uint64_t s = 0;\n  for (std::uint32_t x : v) s += x * 3u;\n"
                "  std::printf(\"sum=%llu\\n\", static_cast<unsigned long long>(s));\n}\n",
}
DISPATCHED_MAIN = """#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>
#if __has_include(<perfproj_dispatch.h>)
#include <perfproj_dispatch.h>
#else
#define PERFPROJ_DISPATCH_KERNEL inline
#define PERFPROJ_DISPATCH_V3(ret, name, params, args, kernel) ret name params { return kernel args; }
#endif

PERFPROJ_DISPATCH_KERNEL static std::uint64_t sum_kernel(const std::uint32_t* v, std::size_t n) {
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s += v[i] * 3u;
  return s;
}
PERFPROJ_DISPATCH_V3(std::uint64_t, sum3, (const std::uint32_t* v, std::size_t n), (v, n), sum_kernel)

int main() {
  std::vector<std::uint32_t> v(100000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint32_t>(i * 7);
  std::printf("sum=%llu\\n", static_cast<unsigned long long>(sum3(v.data(), v.size())));
}
"""


def test_an_adopted_repository_dispatches_its_own_loop(tmp_path: Path, tmp_path_factory) -> None:
    require("qemu-user", "binutils")
    repo = their_repository(tmp_path / "sumv", ADOPTED)
    assert run_perfproj("adopt", repo, cwd=tmp_path).returncode == 0
    project = Project(repo, build_env("gcc", tmp_path_factory.getbasetemp()))
    project.workflow("release")
    before = subprocess.run([str(repo / "build/release/sumv")], capture_output=True, text=True, check=True).stdout

    (repo / "main.cpp").write_text(DISPATCHED_MAIN)
    with (repo / "CMakeLists.txt").open("a") as cmake:
        cmake.write("if(COMMAND perfproj_cpu_dispatch)\n  perfproj_cpu_dispatch(sumv)\nendif()\n")
    project.workflow("release")
    binary = repo / "build/release/sumv"
    here = subprocess.run([str(binary)], capture_output=True, text=True, env={"PERFPROJ_DISPATCH_REPORT": "1"})
    assert here.stdout == before and "sum3 runs its x86-64-v3 copy" in here.stderr, here.stderr
    old = subprocess.run(["qemu-x86_64", "-cpu", "Nehalem", str(binary)], capture_output=True, text=True,
                         env={"PERFPROJ_DISPATCH_REPORT": "1"}, timeout=300)
    assert old.stdout == before and "sum3 runs its baseline copy" in old.stderr, old.stderr
    assert "ymm" in function_body(binary, "sum3_perfproj_x86_64_v3")
    assert "ymm" not in function_body(binary, "sum3_perfproj_baseline")
    # Without perfproj (a plain configure of the same tree) it still builds: one copy.
    project.run("cmake", "-S", ".", "-B", "build/plain", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release")
    project.build("build/plain")
    assert subprocess.run([str(repo / "build/plain/sumv")], capture_output=True, text=True).stdout == before
