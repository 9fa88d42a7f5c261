"""Reading a configured build tree through the CMake File API (codemodel v2, cache v2, toolchains v1).

The File API reports each target's compile and link flags exactly as CMake
will pass them, after every preset, module and generator expression has had
its say, without building anything and without parsing build.ninja.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfproj.errors import PerfprojError

QUERIES = ("codemodel-v2", "cache-v2", "toolchains-v1")


@dataclass
class Compiler:
    language: str
    id: str
    version: str
    path: str


@dataclass
class Target:
    name: str
    type: str  # EXECUTABLE, STATIC_LIBRARY, SHARED_LIBRARY, OBJECT_LIBRARY, UTILITY, ...
    in_top_project: bool
    compile_flags: dict[str, list[str]] = field(default_factory=dict)  # language -> flags and -D defines
    link_flags: list[str] | None = None  # None: the target is not linked (libraries archive, utilities)
    link_language: str | None = None


@dataclass
class BuildTree:
    project: str
    targets: list[Target]
    cache: dict[str, str]
    compilers: dict[str, Compiler]


def write_queries(build_dir: Path) -> None:
    """Ask CMake for the replies before it configures (it answers shared, client-less queries)."""
    query = build_dir / ".cmake" / "api" / "v1" / "query"
    query.mkdir(parents=True, exist_ok=True)
    for name in QUERIES:
        (query / name).touch()


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise PerfprojError(f"cannot read the CMake File API reply {path}: {error}") from error


def _split(fragment: str) -> list[str]:
    # Fragments are shell-quoted pieces of the command line, sometimes several flags at once.
    try:
        return shlex.split(fragment)
    except ValueError:
        return fragment.split()


# Options whose value is the next token: kept together, so that deduplicating
# arguments never separates `-Xlinker -z -Xlinker now` into stray words.
_TAKES_VALUE = frozenset({
    "-Xlinker", "-Xclang", "-Xassembler", "-Xpreprocessor", "-mllvm", "-include", "-imacros",
    "-isystem", "-idirafter", "-iquote", "-x", "--param",
})
_LINKER_TAKES_VALUE = frozenset({"-z", "-rpath", "-soname", "--version-script"})


def arguments(tokens: list[str]) -> list[str]:
    """Command-line tokens grouped into arguments (an option with its separate value is one)."""
    grouped: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in _TAKES_VALUE and index + 1 < len(tokens):
            argument = tokens[index:index + 2]
            index += 2
            # `-Xlinker -z -Xlinker relro`: the linker's own option and its value.
            if (argument[0] == "-Xlinker" and argument[1] in _LINKER_TAKES_VALUE
                    and tokens[index:index + 1] == ["-Xlinker"] and index + 1 < len(tokens)):
                argument += tokens[index:index + 2]
                index += 2
            grouped.append(" ".join(argument))
        else:
            grouped.append(token)
            index += 1
    return grouped


def _add_unique(flags: list[str], new: list[str]) -> None:
    for flag in new:
        if flag not in flags:
            flags.append(flag)


def _target(data: dict[str, Any], in_top_project: bool) -> Target:
    target = Target(data["name"], data["type"], in_top_project)
    for group in data.get("compileGroups", []):
        flags = target.compile_flags.setdefault(group["language"], [])
        tokens = [token for fragment in group.get("compileCommandFragments", [])
                  for token in _split(fragment["fragment"])]
        _add_unique(flags, arguments(tokens))
        _add_unique(flags, [f"-D{define['define']}" for define in group.get("defines", [])])
    link = data.get("link")
    if link is not None:
        target.link_language = link.get("language")
        target.link_flags = []
        tokens = [token for fragment in link.get("commandFragments", []) if fragment.get("role") == "flags"
                  for token in _split(fragment["fragment"])]
        _add_unique(target.link_flags, arguments(tokens))
    return target


def read_reply(build_dir: Path) -> BuildTree:
    reply = build_dir / ".cmake" / "api" / "v1" / "reply"
    indexes = sorted(reply.glob("index-*.json"))
    if not indexes:
        raise PerfprojError(f"CMake wrote no File API reply in {reply} (CMake older than 3.14?)")
    index = _load(indexes[-1])["reply"]
    missing = [name for name in QUERIES if "jsonFile" not in index.get(name, {})]
    if missing:
        raise PerfprojError(f"the CMake File API reply lacks {', '.join(missing)}")

    codemodel = _load(reply / index["codemodel-v2"]["jsonFile"])
    configuration = codemodel["configurations"][0]  # single-config generators (Ninja) have one
    projects = configuration["projects"]
    top = next(i for i, project in enumerate(projects) if "parentIndex" not in project)
    targets = [
        _target(_load(reply / entry["jsonFile"]), entry.get("projectIndex") == top)
        for entry in configuration["targets"]
    ]

    cache = {
        entry["name"]: entry["value"]
        for entry in _load(reply / index["cache-v2"]["jsonFile"])["entries"]
    }
    compilers = {}
    for toolchain in _load(reply / index["toolchains-v1"]["jsonFile"])["toolchains"]:
        compiler = toolchain["compiler"]
        compilers[toolchain["language"]] = Compiler(
            toolchain["language"], compiler.get("id", "?"), compiler.get("version", "?"), compiler.get("path", "?")
        )
    return BuildTree(projects[top]["name"], targets, cache, compilers)
