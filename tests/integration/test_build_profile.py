"""The build-profile preset, one real build per compiler: every compile is timed by the
compiler itself, past the compiler cache, and the report names the project's real headers
(Clang), GCC's phases, and the build's real objects; its Markdown copy is written."""

from __future__ import annotations

import re

from helpers.build import Project, assert_all_have

BUILD = "build/build-profile"
OBJECT = re.compile(r"CMakeFiles/demo\.dir/src/lib/\w+\.cpp\.o\b")


def section(markdown: str, title: str) -> str:
    """The text under a heading, up to the next heading of any level."""
    assert f"{title}" in markdown, markdown[:3000]
    return re.split(r"\n#+ ", markdown.split(title, 1)[1], maxsplit=1)[0]


def compile_lines(project: Project) -> list[str]:
    """The compile commands Ninja runs (launchers included, unlike compile_commands.json)."""
    out = project.run("ninja", "-C", BUILD, "-t", "commands").stdout
    return [line for line in out.splitlines() if " -c " in line and "/src/lib/" in line]


def build_profile(project: Project) -> tuple[str, str]:
    """Build with the preset's workflow (the suite's ccache launcher is in the environment):
    the workflow's output and the Markdown report."""
    out = project.workflow("build-profile").stdout
    assert "bypassing ccache so that every compile is timed" in out, out[-3000:]
    commands = compile_lines(project)
    assert commands and not any("ccache" in line for line in commands), commands[:2]
    markdown = (project.path / BUILD / "build-profile.md").read_text()
    assert f"wrote {project.path / BUILD / 'build-profile.md'}" in out
    assert section(markdown, "### The critical path") in out  # printed as written
    assert OBJECT.search(section(markdown, "slowest steps")), markdown[:3000]
    assert re.search(r"Critical path: [\d.]+ s through [1-9]\d* steps", markdown)
    return out, markdown


def test_clang_time_traces(make_project) -> None:
    project: Project = make_project("clang")
    out, markdown = build_profile(project)
    assert_all_have(project.own_compile_commands(BUILD), "-ftime-trace")
    headers = section(markdown, "### Headers")
    # The project's own header or one of the standard library's, among the top headers.
    assert re.search(r"\| include/demo/\w+\.hpp |/c\+\+/\d+/(string|vector|memory) ", headers), headers
    assert "| std::" in section(markdown, "### Templates")
    assert (project.path / BUILD / "CMakeFiles/demo.dir/src/lib/compiler.cpp.json").is_file()
    assert "ui.perfetto.dev" in markdown


def test_gcc_time_reports_and_the_option_off(make_project) -> None:
    project: Project = make_project("gcc")
    out, markdown = build_profile(project)
    assert_all_have(project.own_compile_commands(BUILD), "-ftime-report")
    assert all("build_profile_launcher.py" in line for line in compile_lines(project))
    assert "Time variable" not in out  # the launcher kept GCC's tables out of the build's output
    phases = section(markdown, "### Phases")
    assert "phase parsing" in phases and "phase opt and generate" in phases, phases
    assert OBJECT.search(section(markdown, "slowest translation units"))
    report = project.path / BUILD / "CMakeFiles/demo.dir/src/lib/compiler.cpp.o.time-report.txt"
    assert report.read_text().startswith("Time variable")

    # Without the option the target exists and says how to turn it on.
    project.configure(build_dir="build/plain")
    said = project.build("build/plain", "perfproj-build-profile").stdout
    assert "configure with -DPERFPROJ_BUILD_PROFILE=ON" in said
    # A compiler cache asked for by name would time lookups: a conflict with its fix.
    refused = project.configure("build-profile", build_dir="build/cached",
                                defines={"PERFPROJ_COMPILER_CACHE": "ccache"}, check=False)
    assert refused.returncode != 0
    assert "a cache hit times a lookup" in refused.stdout and "fix: set PERFPROJ_COMPILER_CACHE=auto" in refused.stdout
