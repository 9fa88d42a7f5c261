"""Configuring, building and testing generated projects with real CMake.

Every build goes through ccache (CMAKE_<LANG>_COMPILER_LAUNCHER in the
environment) with paths made relative to the pytest base directory, so the
same sources built in two test directories share cache entries.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from helpers.packages import require
from helpers.paths import CCACHE_DIR

TOOLCHAINS = {
    "gcc": {"CC": "gcc", "CXX": "g++"},
    "clang": {"CC": "clang", "CXX": "clang++"},
}
# What each toolchain needs beyond the compiler: the matching linker, LLVM tools and runtimes.
TOOLCHAIN_PACKAGES = {
    "gcc": ("g++",),
    "clang": ("clang", "lld", "llvm", "libclang-rt-14-dev"),
}


def build_env(toolchain: str, cache_base: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    require(*TOOLCHAIN_PACKAGES[toolchain], "ccache")  # the suite always builds through ccache
    env = dict(os.environ)
    env.update(TOOLCHAINS[toolchain])
    env.update(
        CMAKE_C_COMPILER_LAUNCHER="ccache",
        CMAKE_CXX_COMPILER_LAUNCHER="ccache",
        CCACHE_BASEDIR=str(cache_base),
        CCACHE_NOHASHDIR="1",
    )
    env.setdefault("CCACHE_DIR", CCACHE_DIR)
    env.update(extra or {})
    return env


class CommandFailed(AssertionError):
    pass


@dataclass
class Project:
    """A generated project and the environment its builds run in."""

    path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def app_result(self, build_dir: str) -> str:
        """What the sample app computes (its checksums and counts, not its timing):
        equal across builds that must behave the same."""
        out = self.run(f"{build_dir}/{self.name}", "--statements", "400", "--iterations", "2").stdout
        match = re.search(r"checksum=[0-9a-f]{16} source=[0-9a-f]{16} emitted=\d+ steps=\d+", out)
        assert match, out
        return match.group(0)

    def run(
        self, *command: str | Path, check: bool = True, cwd: Path | None = None, timeout: int = 900
    ) -> subprocess.CompletedProcess[str]:
        args = [str(part) for part in command]
        result = subprocess.run(
            args, cwd=cwd or self.path, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=timeout,
        )
        if check and result.returncode != 0:
            raise CommandFailed(f"{shlex.join(args)} failed ({result.returncode}):\n{result.stdout[-6000:]}")
        return result

    def workflow(self, preset: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("cmake", "--workflow", "--preset", preset, check=check)

    def configure(
        self, preset: str | None = None, build_dir: str | None = None,
        defines: Mapping[str, str] | None = None, check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        command: list[str] = ["cmake"]
        if preset:
            command += ["--preset", preset]
        else:
            command += ["-S", ".", "-B", build_dir or "build/plain", "-G", "Ninja",
                        "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"]
        if build_dir and preset:
            command += ["-B", build_dir]
        command += [f"-D{key}={value}" for key, value in (defines or {}).items()]
        return self.run(*command, check=check)

    def build(self, build_dir: str, *targets: str) -> subprocess.CompletedProcess[str]:
        extra = ["--target", *targets] if targets else []
        return self.run("cmake", "--build", build_dir, *extra)

    def ctest(self, build_dir: str, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("ctest", "--test-dir", build_dir, "--output-on-failure", "--no-tests=error", *args)

    def compile_commands(self, build_dir: str) -> list[dict[str, str]]:
        return json.loads((self.path / build_dir / "compile_commands.json").read_text())

    def own_compile_commands(self, build_dir: str) -> list[dict[str, str]]:
        """Compile commands of the project's own sources (not fetched dependencies)."""
        own = ("/src/", "/tests/", "/bench/")
        return [
            entry for entry in self.compile_commands(build_dir)
            if entry["file"].startswith(str(self.path)) and any(part in entry["file"] for part in own)
            and "/_deps/" not in entry["file"]
        ]

    def link_commands(self, build_dir: str) -> list[str]:
        """The link command of every executable and shared library (from Ninja)."""
        out = self.run("ninja", "-C", build_dir, "-t", "commands").stdout
        links = []
        for line in out.splitlines():
            # Ninja wraps link steps as ": && <command> && :".
            command = line.removeprefix(": && ").removesuffix(" && :")
            if " -o " in command and " -c " not in command and not _is_archiver(command):
                links.append(command.split(" && ")[0])
        assert links, f"no link commands in {build_dir}"
        return links

    def link_command(self, build_dir: str, output: str) -> str:
        matches = [line for line in self.link_commands(build_dir) if f"-o {output} " in line
                   or line.endswith(f"-o {output}")]
        assert matches, f"no link command for {output} in {build_dir}"
        return matches[0]


def _is_archiver(command: str) -> bool:
    tool = Path(shlex.split(command)[0]).name
    return tool.endswith(("ar", "ranlib")) or tool in ("cmake",)


def flags_of(command: str | dict[str, str]) -> list[str]:
    """The command's arguments; `-Xlinker X` (Clang's spelling of LINKER:) reads as `-Wl,X`."""
    text = command["command"] if isinstance(command, dict) else command
    words = shlex.split(text)
    flags: list[str] = []
    for word in words:
        if flags and flags[-1] == "-Xlinker":
            flags[-1] = f"-Wl,{word}"
            if len(flags) > 1 and flags[-2] == "-Wl,-z":  # -z and its keyword: one -Wl,-z,KEY
                flags[-2:] = [f"-Wl,-z,{word}"]
        else:
            flags.append(word)
    return flags


def assert_all_have(commands: Sequence[str | dict[str, str]], *flags: str) -> None:
    assert commands, "no commands to check"
    for command in commands:
        present = flags_of(command)
        for flag in flags:
            assert flag in present, f"{flag} missing from: {command}"


def assert_none_have(commands: Sequence[str | dict[str, str]], *flags: str) -> None:
    assert commands, "no commands to check"
    for command in commands:
        present = flags_of(command)
        for flag in flags:
            assert flag not in present, f"{flag} unexpectedly in: {command}"
