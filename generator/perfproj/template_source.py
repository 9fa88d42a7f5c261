"""Where a project's template comes from: built in, a local path, or a git URL.

Every template is staged as a private copy in a temporary directory before
rendering, so perfproj can drop hooks it runs in-process and never writes
into the user's template.

Trust: a template's hooks (and Jinja `_extensions`) are code that runs on this
machine. Hooks byte-identical to perfproj's own (what `perfproj org init`
writes) are trusted and run in-process, exactly like the built-in template's;
any other hook or extension needs --trust, and without it perfproj stops
before anything is written.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from perfproj import __version__, git, render, resources
from perfproj.answers import read_template_config
from perfproj.errors import PerfprojError, UsageError
from perfproj.record import TemplateSource

BUILTIN = "builtin"
HOOKS_DIR = "hooks"
_IGNORE = shutil.ignore_patterns(".git", "__pycache__", "*.pyc")


@dataclass
class StagedTemplate:
    path: Path  # the private copy to render
    source: TemplateSource  # what the record says about it
    in_process_hooks: frozenset[str]  # perfproj's own hooks, run in-process (rules.py)


def is_git_url(spec: str) -> bool:
    return "://" in spec or spec.startswith("git@") or spec.endswith(".git")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def own_hook_digests() -> dict[str, str]:
    hooks = resources.data_dir("template") / HOOKS_DIR
    return {path.name: _digest(path) for path in hooks.iterdir() if path.suffix == ".py"}


def _settle_hooks(template: Path, spec: str, trust: bool) -> frozenset[str]:
    """Remove perfproj's own hooks (run in-process instead); refuse other code without trust."""
    hooks_dir = template / HOOKS_DIR
    hooks = sorted(p for p in hooks_dir.iterdir() if p.is_file()) if hooks_dir.is_dir() else []
    own = own_hook_digests()
    if hooks and all(own.get(p.name) == _digest(p) for p in hooks):
        shutil.rmtree(hooks_dir)
        return frozenset(p.name for p in hooks)
    untrusted = [f"hooks/{p.name}" for p in hooks]
    if "_extensions" in read_template_config(template):
        untrusted.append("Jinja _extensions")
    if untrusted and not trust:
        raise PerfprojError(
            f"the template {spec} runs code on this machine ({', '.join(untrusted)});"
            " read it, then pass --trust to allow it"
        )
    return frozenset()


def _clone(url: str, checkout: str | None, destination: Path) -> str:
    """git clone (then checkout REF); return the resolved commit."""
    git.require_git()
    result = subprocess.run(
        ["git", "clone", "-q", url, str(destination)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise PerfprojError(f"cannot clone the template {url}: {lines[-1] if lines else 'git clone failed'}")
    if checkout:
        try:
            git.run_git(["checkout", "-q", checkout], destination, {"advice.detachedHead": "false"})
        except PerfprojError as error:
            raise PerfprojError(f"the template {url} has no revision {checkout!r}") from error
    return git.run_git(["rev-parse", "HEAD"], destination).strip()


def _local_revision(path: Path) -> str:
    """The commit of a local template that is a git checkout, else ''."""
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def stage(spec: str | None, checkout: str | None, work: Path, trust: bool = False) -> StagedTemplate:
    """Stage the template `spec` (None or 'builtin', a directory, a git URL) under `work`."""
    destination = work / "template"
    if spec is None or spec == BUILTIN:
        if checkout:
            raise UsageError("--checkout needs --template (the built-in template has no revisions)")
        render.stage_builtin_template(destination, with_hooks=False)
        return StagedTemplate(destination, TemplateSource(BUILTIN, __version__), frozenset(own_hook_digests()))

    local = Path(spec).expanduser()
    if local.is_dir():
        source = str(local.resolve())
        if checkout:  # a revision of a local git repository: clone it like a URL
            revision = _clone(source, checkout, work / "clone")
            shutil.copytree(work / "clone", destination, ignore=_IGNORE)
        else:
            revision = _local_revision(local)
            shutil.copytree(local, destination, ignore=_IGNORE)
    elif is_git_url(spec):
        source = spec
        revision = _clone(spec, checkout, work / "clone")
        shutil.copytree(work / "clone", destination, ignore=_IGNORE)
    else:
        raise UsageError(f"template {spec!r} is neither a directory nor a git URL")

    if not (destination / "cookiecutter.json").is_file():
        raise UsageError(f"template {spec} has no cookiecutter.json")
    render.project_template_dir(destination)  # exactly one {{cookiecutter.*}} folder
    hooks = _settle_hooks(destination, spec, trust)
    return StagedTemplate(destination, TemplateSource(source, revision, checkout), hooks)
