"""Hardening levels: the flags on the project's own code, Debian's
hardening-check on the release binary, and FORTIFY's interplay with ASan."""

from __future__ import annotations

import subprocess

import pytest

from helpers.build import Project, assert_all_have, assert_none_have
from helpers.packages import require

CHEAP = ("-fstack-protector-strong", "-fstack-clash-protection", "-fcf-protection=full",
         "-U_FORTIFY_SOURCE", "-D_FORTIFY_SOURCE=3")
FULL = ("-D_GLIBCXX_ASSERTIONS", "-fno-strict-aliasing", "-fno-strict-overflow", "-fno-delete-null-pointer-checks")
LINK = ("-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack", "-pie")
# -fcf-protection marks code for CET, but Debian 12's startup files (crt1.o)
# carry no CET property, so no binary linked here can have it: the check is
# skipped. Clang folds fortified calls it proves safe and cannot fortify the
# printf family with glibc, so hardening-check finds nothing "protected" to
# count in Clang binaries: FORTIFY is checked on the compile lines instead.
HARDENING_CHECK = {"gcc": ["--nocfprotection"], "clang": ["--nocfprotection", "--nofortify"]}


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_hardening_levels(make_project, toolchain: str) -> None:
    require("devscripts")  # hardening-check
    project: Project = make_project(toolchain)
    for level in ("none", "cheap", "full"):
        build = f"build/hardening-{level}"
        out = project.configure("release", build_dir=build, defines={"PERFPROJ_HARDENING": level}).stdout
        project.build(build, "demo_app")
        compiles = [c for c in project.own_compile_commands(build) if "/src/" in c["file"]]
        link = project.link_command(build, "demo")
        if level == "none":
            assert_none_have(compiles, *CHEAP, *FULL)
            continue
        assert_all_have(compiles, *CHEAP)
        assert_all_have([link], *LINK)
        if level == "full":
            assert_all_have(compiles, *FULL)
            assert "-fstrict-flex-arrays=3" in out  # GCC 12 / Clang 14 lack it: listed as skipped
        else:
            assert_none_have(compiles, *FULL)
        check = subprocess.run(["hardening-check", *HARDENING_CHECK[toolchain], str(project.path / build / "demo")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        assert "Stack protected: yes" in check.stdout and "Immediate binding: yes" in check.stdout
        if toolchain == "gcc":
            assert "Fortify Source functions: yes" in check.stdout


def test_fortify_is_dropped_under_asan(make_project) -> None:
    project: Project = make_project("gcc")
    project.configure("asan", defines={"PERFPROJ_HARDENING": "cheap"})
    compiles = [c for c in project.own_compile_commands("build/asan") if "/src/" in c["file"]]
    assert_all_have(compiles, "-fstack-protector-strong", "-fsanitize=address,undefined")
    assert_none_have(compiles, "-D_FORTIFY_SOURCE=3")
