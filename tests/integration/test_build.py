"""Generated projects configure, build, test and run with GCC and Clang,
with the dev and release presets and without presets."""

from __future__ import annotations

import re
import subprocess

import pytest

from helpers.build import assert_all_have, assert_none_have, flags_of

LTO_FLAG = {"gcc": "-flto=auto", "clang": "-flto=thin"}


def clang_major() -> str:
    version = subprocess.run(["clang", "--version"], capture_output=True, text=True, check=True).stdout
    return re.search(r"version (\d+)", version).group(1)


@pytest.mark.parametrize("toolchain", ["gcc", "clang"])
def test_dev_release_and_plain_builds(make_project, toolchain: str) -> None:
    project = make_project(toolchain)

    project.workflow("release")  # configure + build + ctest
    release = project.own_compile_commands("build/release")
    assert release, "no compile commands for the project's sources"
    assert_all_have(release, LTO_FLAG[toolchain], "-O3", "-DNDEBUG", "-fvisibility=hidden", "-Wall")
    links = project.link_commands("build/release")
    assert_all_have(links, LTO_FLAG[toolchain])
    if toolchain == "clang":  # lld of Clang's own major version
        major = clang_major()
        for link in links:
            ld_path = next(flag for flag in flags_of(link) if flag.startswith("--ld-path="))
            version = subprocess.run([ld_path.split("=", 1)[1], "--version"], capture_output=True, text=True)
            assert f"LLD {major}." in version.stdout, (ld_path, version.stdout)
    else:
        assert_none_have(links, "-fuse-ld=lld")

    project.workflow("dev")
    dev = project.own_compile_commands("build/dev")
    assert_all_have(dev, "-g", "-Wall", "-Wextra", "-Wconversion", "-Wshadow")
    assert_none_have(dev, LTO_FLAG[toolchain], "-O3")

    project.configure()  # no presets at all
    project.build("build/plain")
    project.ctest("build/plain")

    # The same workload gives the same result in every build: optimisation
    # levels and LTO must not change behaviour (they would, given UB).
    assert project.app_result("build/release") == project.app_result("build/dev") \
        == project.app_result("build/plain")


GTEST_SOURCE = "/usr/src/googletest"  # Debian's googletest package


@pytest.mark.parametrize(("toolchain", "kind", "standard"), [("gcc", "lib", "17"), ("clang", "app", "23")])
def test_kinds_and_standards(make_project, toolchain: str, kind: str, standard: str) -> None:
    project = make_project(toolchain, "kinds", "--kind", kind, "--cxx-standard", standard)
    # GCC also takes the FetchContent fallback for GoogleTest: find_package is
    # disabled and the "download" comes from Debian's copy of the sources.
    fallback = {"CMAKE_DISABLE_FIND_PACKAGE_GTest": "ON", "FETCHCONTENT_SOURCE_DIR_GOOGLETEST": GTEST_SOURCE}
    project.configure(defines=fallback if toolchain == "gcc" else None)
    project.build("build/plain")
    project.ctest("build/plain")
    built_gtest = (project.path / "build/plain/lib/libgtest.a").exists() or any(
        (project.path / "build/plain").rglob("libgtest*.a"))
    assert built_gtest == (toolchain == "gcc")
    commands = project.own_compile_commands("build/plain")
    assert any(re.match(rf"-std=c\+\+({standard}|2b)$", flag) for flag in flags_of(commands[0]))
    assert (project.path / "build/plain/kinds").exists() == (kind != "lib")


def test_release_configure_is_warm_the_second_time(make_project) -> None:
    project = make_project("gcc")
    first = project.configure("release").stdout
    assert "probing LTO support" in first
    second = project.configure("release").stdout
    assert "probing" not in second  # every probe result came from the cache


def test_invalid_options_fail_configure_with_every_problem_listed(make_project) -> None:
    project = make_project("gcc")
    result = project.configure(
        "release", defines={"PERFPROJ_LTO": "maybe", "PERFPROJ_LINKR": "lld", "PERFPROJ_LINKER": "fast"},
        check=False,
    )
    assert result.returncode != 0
    out = result.stdout
    assert "3 problem(s) with the build options" in out, out
    assert "PERFPROJ_LTO=maybe is not a boolean" in out
    assert "PERFPROJ_LINKR is not a perfproj option" in out
    assert "PERFPROJ_LINKER=fast is not a known value" in out
    assert out.count("fix:") == 3


def test_gcc_lto_refuses_lld(make_project) -> None:
    project = make_project("gcc")
    result = project.configure("release", defines={"PERFPROJ_LINKER": "lld"}, check=False)
    assert result.returncode != 0
    assert "lld cannot load GCC's LTO plugin" in result.stdout
