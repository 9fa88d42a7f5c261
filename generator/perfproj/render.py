"""Rendering a template with cookiecutter's API.

The built-in template is staged first: template/ plus the CMake modules and
presets copied into the project's cmake/perfproj/, so that the modules and
presets exist once in this repository and the generated project still
carries its own copy (it must build without perfproj installed).
"""

from __future__ import annotations

import shutil
from collections import OrderedDict
from pathlib import Path

from cookiecutter.exceptions import CookiecutterException, FailedHookException
from cookiecutter.generate import generate_files
from jinja2 import TemplateError

from perfproj import resources
from perfproj.answers import read_template_config
from perfproj.errors import PerfprojError

# Where the modules and presets go inside a generated project.
MODULES_DIR = Path("cmake") / "perfproj"
PRESETS_DIR = MODULES_DIR / "presets"

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def _ignore_hooks_too(directory: str, names: list[str]) -> set[str]:
    ignored = set(_IGNORE(directory, names))
    if Path(directory) == resources.data_dir("template"):
        ignored.add("hooks")
    return ignored


def project_template_dir(template_dir: Path) -> Path:
    """The templated project folder inside a template, e.g. {{cookiecutter.project_name}}."""
    candidates = [p for p in template_dir.iterdir() if p.is_dir() and "{{" in p.name]
    if len(candidates) != 1:
        raise PerfprojError(f"{template_dir} must contain exactly one templated project folder")
    return candidates[0]


def stage_builtin_template(destination: Path, with_hooks: bool = True) -> Path:
    """Copy the built-in template to `destination` with the modules and presets in place.

    Without hooks, the caller runs the same checks and pruning in-process
    (see rules.py).
    """
    ignore = _IGNORE if with_hooks else _ignore_hooks_too
    shutil.copytree(resources.data_dir("template"), destination, ignore=ignore)
    modules = project_template_dir(destination) / MODULES_DIR
    shutil.copytree(resources.data_dir("cmake-modules"), modules, ignore=_IGNORE)
    shutil.copytree(resources.data_dir("presets"), modules / PRESETS_DIR.name, ignore=_IGNORE)
    return destination


def render(template_dir: Path, answers: dict[str, str], output_dir: Path) -> Path:
    """Render `template_dir` with final `answers` into `output_dir`; return the project path."""
    context: "OrderedDict[str, object]" = OrderedDict()
    for key, value in read_template_config(template_dir).items():
        context[key] = answers.get(key, value)
    context["_template"] = str(template_dir)
    try:
        project = generate_files(
            repo_dir=str(template_dir), context={"cookiecutter": context}, output_dir=str(output_dir)
        )
    except FailedHookException as error:
        raise PerfprojError(f"the template's hook failed: {error}") from error
    except (CookiecutterException, TemplateError) as error:
        raise PerfprojError(f"cannot render the template: {error}") from error
    return Path(project)
