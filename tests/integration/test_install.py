"""Libraries install and export a package that another project can use,
without perfproj's build flags leaking into it."""

from __future__ import annotations

import pytest

from helpers.build import Project

CONSUMER_CMAKE = """cmake_minimum_required(VERSION 3.25)
project(consumer CXX)
find_package(demo 0.1 REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE demo::demo)
"""
CONSUMER_MAIN = """#include "demo/workload.hpp"
#include <cstdio>
int main() {
  const auto result = demo::evaluate("let x = 6; emit x * 7;");
  std::printf("%s %llu\\n", result.ok ? "ok" : "failed", static_cast<unsigned long long>(result.emitted));
  return result.ok ? 0 : 1;
}
"""
LEAKS = ("-flto", "-fvisibility", "-Wall", "-Wconversion", "perfproj", "-ffat-lto-objects")


@pytest.mark.parametrize(("toolchain", "preset"), [("gcc", "release"), ("clang", "dev")])
def test_installed_package_is_usable_and_clean(make_project, tmp_path, toolchain: str, preset: str) -> None:
    project: Project = make_project(toolchain)
    prefix = tmp_path / "prefix"
    project.configure(preset, defines={"DEMO_BUILD_TESTS": "OFF", "DEMO_BUILD_BENCHMARKS": "OFF"})
    project.build(f"build/{preset}")
    project.run("cmake", "--install", f"build/{preset}", "--prefix", prefix)

    package_dir = prefix / "lib" / "cmake" / "demo"
    exported = "".join(path.read_text() for path in package_dir.glob("*.cmake"))
    assert "demo::demo" in exported
    for leak in LEAKS:
        assert leak not in exported, f"{leak} leaked into the installed package"
    assert (prefix / "bin" / "demo").exists() and (prefix / "include" / "demo" / "vm.hpp").exists()

    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "CMakeLists.txt").write_text(CONSUMER_CMAKE)
    (consumer / "main.cpp").write_text(CONSUMER_MAIN)
    user = Project(consumer, project.env)
    # A consumer without LTO: GCC's installed archive must hold real machine code.
    user.run("cmake", "-S", ".", "-B", "build", "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}")
    user.build("build")
    assert user.run("build/consumer").stdout.strip() == "ok 1"
