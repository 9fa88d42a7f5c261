"""`perfproj explain PRESET`: the flags a preset really produces, per language and target.

The project is configured into a throw-away directory (nothing is copied and
the project's own build/ is untouched), and the CMake File API says what every
target compiles and links with. The flags all targets share are printed once;
each target's extras follow, so what a preset adds stands out.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from perfproj.changes.scratch import temp_dir
from perfproj.errors import PerfprojError
from perfproj.machine import cmake_file_api, target_reach
from perfproj.machine.cmake_file_api import BuildTree, Target
from perfproj.machine.cmake_run import CONFIGURE_TIMEOUT, first_cmake_error, require_preset, run_cmake
from perfproj.machine.target_reach import OPTION_REACH

LANGUAGES = ("C", "CXX")
LINKED = {"executables": ("EXECUTABLE",), "shared libraries": ("SHARED_LIBRARY", "MODULE_LIBRARY")}


@dataclass
class FlagSet:
    """Flags shared by a group of targets, and what each target adds."""

    targets: list[str]
    common: list[str]
    extras: dict[str, list[str]] = field(default_factory=dict)
    lacks: dict[str, list[str]] = field(default_factory=dict)  # only perfproj's helper targets lack any


@dataclass
class Explanation:
    project: str
    preset: str
    build_type: str
    compilers: dict[str, str]  # language -> "path (ID version[, launcher X])"
    compile: dict[str, FlagSet]  # language -> flags
    link: dict[str, FlagSet]  # "executables" / "shared libraries" -> flags
    options: dict[str, str]  # PERFPROJ_* cache values
    dependency_targets: int  # targets of other projects (FetchContent), not shown
    reach: dict[str, list[str]] = field(default_factory=dict)  # option -> the targets it applies to (OPTION_REACH)
    defines: dict[str, str] = field(default_factory=dict)  # the -D overrides explained
    # With -D: what the overrides change against the plain preset, per section: {"adds": [...], "removes": [...]}
    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _is_helper(name: str) -> bool:
    # perfproj's own objects (build info, CPU guard) skip the warnings and
    # visibility of the project's targets; counting them would hide what those share.
    return name.startswith("perfproj")


def _flag_set(targets: list[tuple[str, list[str]]]) -> FlagSet:
    names = [name for name, _ in targets]
    basis = [flags for name, flags in targets if not _is_helper(name)] or [flags for _, flags in targets]
    common = [flag for flag in basis[0] if all(flag in flags for flags in basis[1:])]
    extras = {name: [flag for flag in flags if flag not in common] for name, flags in targets}
    lacks = {name: [flag for flag in common if flag not in flags] for name, flags in targets}
    return FlagSet(names, common, {name: flags for name, flags in extras.items() if flags},
                   {name: flags for name, flags in lacks.items() if flags})


def _compiler_text(tree: BuildTree, language: str) -> str:
    compiler = tree.compilers[language]
    text = f"{compiler.path} ({compiler.id} {compiler.version}"
    launcher = tree.cache.get(f"CMAKE_{language}_COMPILER_LAUNCHER")
    return text + (f", launcher {launcher})" if launcher else ")")


def summarize(tree: BuildTree, preset: str) -> Explanation:
    own: list[Target] = [target for target in tree.targets if target.in_top_project]
    compile_sets: dict[str, FlagSet] = {}
    for language in LANGUAGES:
        targets = [(t.name, t.compile_flags[language]) for t in own if language in t.compile_flags]
        if targets:
            compile_sets[language] = _flag_set(targets)
    link_sets: dict[str, FlagSet] = {}
    for kind, types in LINKED.items():
        targets = [(t.name, t.link_flags) for t in own if t.type in types and t.link_flags is not None]
        if targets:
            link_sets[kind] = _flag_set(targets)
    return Explanation(
        project=tree.project,
        preset=preset,
        build_type=tree.cache.get("CMAKE_BUILD_TYPE", ""),
        compilers={language: _compiler_text(tree, language) for language in compile_sets},
        compile=compile_sets,
        link=link_sets,
        options={name: value for name, value in sorted(tree.cache.items()) if name.startswith("PERFPROJ_")},
        dependency_targets=sum(1 for target in tree.targets if not target.in_top_project),
        reach={option: target_reach.targets(tree.cache[record]) for option, (record, _) in OPTION_REACH.items()
               if record in tree.cache},
    )


def _configure(preset: str, project: Path, defines: dict[str, str]) -> Explanation:
    with temp_dir("explain") as work:
        # Named after the preset, as the build folder of perfproj's presets (build/<preset>) is, so
        # values derived from the folder's name read as they will in the real build.
        build_dir = work / preset
        cmake_file_api.write_queries(build_dir)
        # -B overrides the preset's binaryDir: the project's own build/ stays as it is.
        args = ["--preset", preset, "-B", str(build_dir), "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"]
        args += [f"-D{name}={value}" for name, value in defines.items()]
        result = run_cmake(args, project, CONFIGURE_TIMEOUT)
        if result.returncode != 0:
            raise PerfprojError(f"configuring preset {preset!r} failed: {first_cmake_error(result.stdout)}")
        explanation = summarize(cmake_file_api.read_reply(build_dir), preset)
        return _without_scratch_paths(explanation, str(build_dir))


def _without_scratch_paths(explanation: Explanation, build_dir: str) -> Explanation:
    """Show the scratch build folder as `<build dir>`: its path exists only while explain runs."""
    data = json.loads(json.dumps(asdict(explanation)).replace(json.dumps(build_dir)[1:-1], "<build dir>"))
    return Explanation(
        project=data["project"], preset=data["preset"], build_type=data["build_type"],
        compilers=data["compilers"],
        compile={language: FlagSet(**flag_set) for language, flag_set in data["compile"].items()},
        link={kind: FlagSet(**flag_set) for kind, flag_set in data["link"].items()},
        options=data["options"], dependency_targets=data["dependency_targets"],
        reach=data["reach"])


def _differences(plain: Explanation, changed: Explanation) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, tuple[list[str], list[str]]] = {}
    for language in sorted(set(plain.compile) | set(changed.compile)):
        sections[f"{language} compile"] = (plain.compile[language].common if language in plain.compile else [],
                                           changed.compile[language].common if language in changed.compile else [])
    for kind in LINKED:
        sections[f"link, {kind}"] = (plain.link[kind].common if kind in plain.link else [],
                                     changed.link[kind].common if kind in changed.link else [])
    sections["PERFPROJ_* cache values"] = (
        [f"{name}={value}" for name, value in plain.options.items()],
        [f"{name}={value}" for name, value in changed.options.items()])
    differences = {}
    for title, (before, after) in sections.items():
        adds = [flag for flag in after if flag not in before]
        removes = [flag for flag in before if flag not in after]
        if adds or removes:
            differences[title] = {"adds": adds, "removes": removes}
    return differences


def explain(preset: str, project: Path, defines: dict[str, str] | None = None) -> Explanation:
    """The flags `preset` gives, with the -D `defines` on top (and, then, what they change)."""
    project = project.absolute()
    require_preset(project, preset)
    defines = defines or {}
    explanation = _configure(preset, project, defines)
    if defines:
        explanation.defines = dict(defines)
        explanation.changes = _differences(_configure(preset, project, {}), explanation)
    return explanation


def _wrap(flags: list[str], indent: str, width: int = 100) -> list[str]:
    lines: list[str] = []
    current = indent
    for flag in flags:
        if current.strip() and len(current) + 1 + len(flag) > width:
            lines.append(current)
            current = indent
        current += (" " if current.strip() else "") + flag
    lines.append(current)
    return lines


def _render_set(title: str, flag_set: FlagSet) -> list[str]:
    shared = [name for name in flag_set.targets if name not in flag_set.lacks]
    lines = [title, f"  common to {', '.join(shared)}:"]
    lines += _wrap(flag_set.common, "    ") if flag_set.common else ["    (none)"]
    for name in flag_set.targets:
        if name in flag_set.extras:
            lines.append(f"  {name} adds:")
            lines += _wrap(flag_set.extras[name], "    ")
        if name in flag_set.lacks:
            lines.append(f"  {name} (perfproj helper) lacks:")
            lines += _wrap(flag_set.lacks[name], "    ")
    return lines


def _applies(option: str, explanation: Explanation) -> str:
    """Where an option that reaches only some targets applies: nowhere, on targets that never asked for it."""
    if option not in OPTION_REACH:
        return ""
    targets = explanation.reach.get(option, [])
    if not targets:
        return f"   (not applied: no target calls {OPTION_REACH[option][1]})"
    return f"   (on {', '.join(targets)})"


def render_text(explanation: Explanation) -> str:
    shown = " ".join([explanation.preset, *(f"-D{name}={value}" for name, value in explanation.defines.items())])
    lines = [f"{explanation.project}: preset {shown} ({explanation.build_type or 'no build type'})"]
    for language, flag_set in explanation.compile.items():
        lines.append("")
        lines += _render_set(f"{language} compile: {explanation.compilers[language]}", flag_set)
    for kind in LINKED:
        lines.append("")
        if kind in explanation.link:
            lines += _render_set(f"Link, {kind}:", explanation.link[kind])
        else:
            lines.append(f"Link, {kind}: none in this project")
    lines += ["", "PERFPROJ_* cache values:"]
    width = max((len(name) for name in explanation.options), default=0)
    lines += [f"  {name:<{width}} = {value}{_applies(name, explanation)}"
              for name, value in explanation.options.items()] or ["  (none)"]
    if explanation.dependency_targets:
        lines += ["", f"({explanation.dependency_targets} targets of dependencies are not shown)"]
    if explanation.defines:
        lines += ["", f"What {' '.join(f'-D{n}={v}' for n, v in explanation.defines.items())} changes "
                      f"against the plain {explanation.preset} preset:"]
        for title, change in explanation.changes.items():
            lines.append(f"  {title}:")
            if change["adds"]:
                lines += _wrap(["+"] + change["adds"], "    ")
            if change["removes"]:
                lines += _wrap(["-"] + change["removes"], "    ")
        if not explanation.changes:
            lines.append("  nothing")
    return "\n".join(lines)


def render_json(explanation: Explanation) -> str:
    return json.dumps(asdict(explanation), indent=2)
