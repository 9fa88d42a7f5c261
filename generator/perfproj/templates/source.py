"""Where a project's template comes from: built in, a local path, or a git URL.

Every template is staged as a private copy in a scratch folder before it is
rendered, so perfproj can drop the hooks it runs in-process and never writes
into the user's template.

Trust. A template is code and data from somebody else. Without --trust it
is inert: it renders in a Jinja sandbox (render.py) and may not contain

- hooks (hooks/pre_gen_project.*, post_gen_project.*): programs run on this
  machine. Hooks byte-identical to perfproj's own (what `perfproj org init`
  writes) are the exception: perfproj applies their rules in-process;
- Jinja `_extensions`: Python modules imported into perfproj;
- symbolic links: they can point at any file of this machine (an ssh key,
  /etc/...), which rendering would copy into the project.

Any of these stops perfproj before anything is written, naming what it found.
--trust allows all three (links are followed, as cookiecutter does).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from perfproj import __version__, git, resources
from perfproj.errors import PerfprojError, UsageError
from perfproj.project.record import TemplateSource
from perfproj.templates.render import project_template_dir, read_template_config

BUILTIN = "builtin"
HOOKS_DIR = "hooks"
# Where the modules and presets go inside a generated project.
MODULES_DIR = "cmake/perfproj"
_IGNORE = shutil.ignore_patterns(".git", "__pycache__", "*.pyc")


@dataclass
class StagedTemplate:
    path: Path  # the private copy to render
    source: TemplateSource  # what the record says about it
    own_hooks: bool  # its hooks are perfproj's own: their rules run in-process (rules.py)
    trusted: bool  # --trust: its own hooks and Jinja extensions run


def is_git_url(spec: str) -> bool:
    return "://" in spec or spec.startswith("git@") or spec.endswith(".git")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def own_hook_digests() -> dict[str, str]:
    hooks = resources.data_dir("template") / HOOKS_DIR
    return {path.name: _digest(path) for path in hooks.iterdir() if path.suffix == ".py"}


def stage_builtin_template(destination: Path, with_hooks: bool = True) -> Path:
    """Copy the built-in template to `destination` with the modules and presets in place.

    Without hooks, the caller applies the same rules in-process (rules.py).
    """
    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(_IGNORE(directory, names))
        if not with_hooks and Path(directory) == resources.data_dir("template"):
            ignored.add(HOOKS_DIR)
        return ignored

    shutil.copytree(resources.data_dir("template"), destination, ignore=ignore)
    modules = project_template_dir(destination) / MODULES_DIR
    shutil.copytree(resources.data_dir("cmake-modules"), modules, ignore=_IGNORE)
    shutil.copytree(resources.data_dir("presets"), modules / "presets", ignore=_IGNORE)
    return destination


def _links(root: Path) -> list[str]:
    """Symbolic links anywhere in `root` (not followed), as 'path -> target'."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git"]
        for name in sorted(dirs + files):
            path = Path(folder) / name
            if path.is_symlink():
                found.append(f"{path.relative_to(root).as_posix()} -> {os.readlink(path)}")
    return found


def _untrusted_code(template: Path) -> tuple[list[str], bool]:
    """What in the staged template needs --trust, and whether its hooks are perfproj's own."""
    hooks_dir = template / HOOKS_DIR
    hooks = sorted(p for p in hooks_dir.iterdir() if p.is_file()) if hooks_dir.is_dir() else []
    own = own_hook_digests()
    own_hooks = bool(hooks) and all(own.get(p.name) == _digest(p) for p in hooks)
    found = [] if own_hooks else [f"hooks/{p.name}" for p in hooks]
    if "_extensions" in read_template_config(template):
        found.append("Jinja _extensions")
    return found, own_hooks


def _copy_local(source: Path, destination: Path, spec: str, trust: bool) -> None:
    links = _links(source)
    if links and not trust:
        raise PerfprojError(
            f"the template {spec} contains {len(links)} symbolic link(s) (e.g. {links[0]}), which could copy "
            "files of this machine into the project; read it, then pass --trust to follow them")
    try:
        shutil.copytree(source, destination, ignore=_IGNORE, symlinks=False)
    except shutil.Error as error:
        raise PerfprojError(f"cannot copy the template {spec}: {error.args[0][0][2]}") from error


def stage(spec: str | None, checkout: str | None, work: Path, trust: bool = False) -> StagedTemplate:
    """Stage the template `spec` (None or 'builtin', a directory, a git URL) under `work`."""
    destination = work / "template"
    if spec is None or spec == BUILTIN:
        if checkout:
            raise UsageError("--checkout needs --template (the built-in template has no revisions)")
        stage_builtin_template(destination, with_hooks=False)
        return StagedTemplate(destination, TemplateSource(BUILTIN, __version__), own_hooks=True, trusted=False)

    local = Path(spec).expanduser()
    if local.is_dir():
        source = str(local.resolve())
        if checkout:  # a revision of a local git repository: clone it like a URL
            revision = git.clone(source, checkout, work / "clone")
            _copy_local(work / "clone", destination, spec, trust)
        else:
            revision = git.head_commit(local)
            _copy_local(local, destination, spec, trust)
    elif is_git_url(spec):
        source = spec
        revision = git.clone(spec, checkout, work / "clone")
        _copy_local(work / "clone", destination, spec, trust)
    else:
        raise UsageError(f"template {spec!r} is neither a directory nor a git URL")

    if not (destination / "cookiecutter.json").is_file():
        raise UsageError(f"template {spec} has no cookiecutter.json")
    project_template_dir(destination)  # exactly one {{cookiecutter.*}} folder
    untrusted, own_hooks = _untrusted_code(destination)
    if untrusted and not trust:
        raise PerfprojError(f"the template {spec} runs code on this machine ({', '.join(untrusted)}); "
                            "read it, then pass --trust to allow it")
    if own_hooks:
        shutil.rmtree(destination / HOOKS_DIR)  # their rules run in-process instead
    return StagedTemplate(destination, TemplateSource(source, revision, checkout), own_hooks, trusted=trust)
