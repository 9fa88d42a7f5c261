"""Running cmake on a project's presets: one way to call it, read its errors, and check a preset's name."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from perfproj.errors import PerfprojError, UsageError

CONFIGURE_TIMEOUT = 600  # seconds; a first configure runs every perfproj probe
BUILD_TIMEOUT = 3600  # seconds; an LTO build of a large project on two cores


def run_cmake(args: list[str], cwd: Path, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    """cmake with its output captured (stdout and stderr together)."""
    try:
        return subprocess.run(
            ["cmake", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=timeout,
        )
    except FileNotFoundError as error:
        raise PerfprojError("cmake is not installed (Debian package cmake); see 'perfproj doctor'") from error
    except subprocess.TimeoutExpired as error:
        raise PerfprojError(f"cmake {' '.join(args)} took longer than {timeout} s") from error


def first_cmake_error(output: str) -> str:
    """The first `CMake Error` with its message paragraph, as one line."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("CMake Error"):
            message = [line.strip()]
            for follower in lines[index + 1:]:
                # The message is indented; "Call Stack" or any unindented line ends it.
                if follower.strip().startswith("Call Stack") or (follower and not follower[0].isspace()):
                    break
                message.append(follower.strip())
            text = " ".join(" ".join(message).split())
            return text if len(text) <= 400 else text[:397] + "..."
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else "no output"


def configure_presets(project: Path) -> list[str]:
    result = run_cmake(["--list-presets=configure"], project)
    if result.returncode != 0:
        raise PerfprojError(f"cannot read the presets of {project}: {first_cmake_error(result.stdout)}")
    return re.findall(r'^\s+"([^"]+)"', result.stdout, re.MULTILINE)


def require_preset(project: Path, preset: str) -> None:
    """A usage error unless `project` has presets and `preset` is one of them."""
    if not (project / "CMakePresets.json").is_file():
        raise UsageError(f"no CMakePresets.json in {project}: run in a project directory or pass --project")
    available = configure_presets(project)
    if preset not in available:
        raise UsageError(f"unknown preset {preset!r}; available: {', '.join(available)}")


def build_preset(project: Path, preset: str) -> Path:
    """Configure `preset` (reusing its build folder's cache) and build it; its build folder.

    The build's progress goes to stderr as it happens, so that stdout stays the
    command's own output."""
    configured = run_cmake(["--preset", preset], project, CONFIGURE_TIMEOUT)
    if configured.returncode != 0:
        raise PerfprojError(f"configuring preset {preset!r} failed: {first_cmake_error(configured.stdout)}")
    match = re.search(r"^-- Build files have been written to: (.+)$", configured.stdout, re.MULTILINE)
    if not match:
        raise PerfprojError(f"configuring preset {preset!r} did not say where its build folder is")
    build_dir = Path(match.group(1).strip())
    try:
        progress: int | None = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr is not a file (an embedding caller)
        progress = None
    try:
        built = subprocess.run(["cmake", "--build", str(build_dir)], cwd=project, stdin=subprocess.DEVNULL,
                               stdout=progress if progress is not None else subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired as error:
        raise PerfprojError(f"building {build_dir} took longer than {BUILD_TIMEOUT} s") from error
    if progress is None and built.stdout:
        sys.stderr.write(built.stdout.decode(errors="replace"))
    if built.returncode != 0:
        raise PerfprojError(f"building preset {preset!r} failed (its errors are above); "
                            f"fix the build, or pass --no-build to look at what {build_dir} holds")
    return build_dir


def cache_values(build_dir: Path) -> dict[str, str]:
    """NAME -> value of a configured build folder's CMakeCache.txt."""
    values: dict[str, str] = {}
    try:
        text = (build_dir / "CMakeCache.txt").read_text(errors="replace")
    except OSError as error:
        raise PerfprojError(f"{build_dir} is not a configured build folder (no CMakeCache.txt)") from error
    for line in text.splitlines():
        match = re.match(r"([A-Za-z_][\w.+-]*):[A-Z]+=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def compiler_of(build_dir: Path) -> tuple[str, str]:
    """(CMAKE_<LANG>_COMPILER_ID, version) of a configured build folder: C++'s, else C's."""
    for language in ("CXX", "C"):
        for path in sorted(build_dir.glob(f"CMakeFiles/*/CMake{language}Compiler.cmake")):
            text = path.read_text(errors="replace")
            found = [re.search(rf'set\(CMAKE_{language}_COMPILER_{key} "([^"]*)"\)', text)
                     for key in ("ID", "VERSION")]
            if found[0] and found[1]:
                return found[0].group(1), found[1].group(1)
    return "", ""
