"""Render a staged template with decided answers: shared by `new` and `update`.

perfproj's own hooks are not run by cookiecutter (they were removed from the
staged copy, see template_source.py) but in-process through rules.py, which
costs nothing and gives the same result as plain cookiecutter.
"""

from __future__ import annotations

from pathlib import Path

from perfproj import render, rules
from perfproj.errors import UsageError
from perfproj.template_source import StagedTemplate

PRE_GEN = "pre_gen_project.py"
POST_GEN = "post_gen_project.py"


def check_answers(template: StagedTemplate, decided: dict[str, str]) -> None:
    """Apply the template's answer rules (perfproj's pre-gen hook) before writing anything."""
    if PRE_GEN in template.in_process_hooks:
        problems = rules.answer_rules().problems(decided)
        if problems:
            raise UsageError("; ".join(problems))


def render_project(template: StagedTemplate, decided: dict[str, str], output_dir: Path) -> Path:
    """Render into `output_dir`; return the project directory."""
    project = render.render(template.path, decided, output_dir)
    if POST_GEN in template.in_process_hooks and "kind" in decided:
        rules.prune_rules().prune(project, decided["kind"])
    return project
