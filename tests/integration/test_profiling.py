"""The profile preset and its helpers: perf, callgrind and heaptrack each
produce output that names the sample workload's hot function."""

from __future__ import annotations

import subprocess

from helpers.build import Project, assert_all_have
from helpers.packages import require

HOT = ("demo::run", "demo::evaluate")


def test_profile_preset_and_helpers(make_project) -> None:
    require("linux-perf", "valgrind", "heaptrack")
    project: Project = make_project("gcc")
    project.configure("profile")
    compiles = project.own_compile_commands("build/profile")
    assert_all_have(compiles, "-g", "-fno-omit-frame-pointer", "-mno-omit-leaf-frame-pointer", "-O3")
    profiles = project.path / "build/profile/perfproj-profiles/demo_app"

    out = project.run("cmake", "--build", "--preset", "profile", "--target", "demo_app-perf").stdout
    assert "hottest functions:" in out and str(profiles / "perf") in out, out
    report = (profiles / "perf/perf-report.txt").read_text()
    assert any(name in report for name in HOT), report[:2000]
    svg = (profiles / "perf/flamegraph.svg").read_text()
    assert svg.startswith("<svg") and any(name in svg for name in HOT)

    out = project.run("cmake", "--build", "--preset", "profile", "--target", "demo_app-callgrind").stdout
    assert "most instructions:" in out, out
    annotated = (profiles / "callgrind/callgrind-annotated.txt").read_text()
    assert "demo::run" in annotated

    out = project.run("cmake", "--build", "--preset", "profile", "--target", "demo_app-heaptrack").stdout
    assert "peak heap memory consumption" in out, out
    assert (profiles / "heaptrack/heaptrack-summary.txt").read_text().count("allocation") > 0
    # Each tool keeps its own results.
    assert (profiles / "perf/perf.data").exists() and (profiles / "callgrind/callgrind.out").exists()


def test_a_missing_profiler_is_named(make_project, tmp_path) -> None:
    project: Project = make_project("gcc")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = subprocess.run(
        ["/usr/bin/cmake", "-DTOOL=heaptrack", f"-DPROGRAM={project.path}/build/profile/demo",
         f"-DOUT_DIR={tmp_path}/out", "-P", str(project.path / "cmake/perfproj/scripts/profile.cmake")],
        env={"PATH": str(empty)}, capture_output=True, text=True)
    assert result.returncode != 0
    assert "heaptrack is not installed: install the Debian package heaptrack" in result.stderr
