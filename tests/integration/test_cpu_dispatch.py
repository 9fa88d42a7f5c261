"""CPU dispatch in portable builds: the sample's fingerprint loop has an x86-64-v3 (AVX2) copy that runs
on this CPU, and the baseline copy runs on an older one (qemu's Nehalem); both compute the same."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers.build import Project
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
