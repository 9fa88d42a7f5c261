"""A staged template and decided answers -> the project's files, in memory (for new and update).

perfproj's own hooks are not run as programs (source.py removed them from the
staged copy): their rules are applied in-process through rules.py, which
costs nothing and gives the same result as plain cookiecutter. A trusted
foreign template's hooks need the project on disk, so it is rendered into a
scratch folder around them and read back.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfproj.changes.confined import Tree
from perfproj.changes.scratch import temp_dir
from perfproj.errors import UsageError
from perfproj.templates import hooks, render, rules
from perfproj.templates.render import Rendered
from perfproj.templates.source import StagedTemplate


@dataclass
class Generation:
    name: str  # the project folder's name, as the template renders it
    files: Rendered


def check_answers(template: StagedTemplate, decided: dict[str, str]) -> None:
    """Apply the template's answer rules (perfproj's pre-gen hook) before anything is rendered."""
    if template.own_hooks:
        problems = rules.answer_rules().problems(decided)
        if problems:
            raise UsageError("; ".join(problems))


def _without_unused(files: Rendered, kind: str) -> Rendered:
    """What perfproj's post-gen hook removes for `kind`, removed in memory."""
    unused = rules.prune_rules().UNUSED_BY_KIND[kind]
    return {path: file for path, file in files.items()
            if not any(path == prefix or path.startswith(prefix + "/") for prefix in unused)}


def _with_foreign_hooks(template: StagedTemplate, decided: dict[str, str], name: str) -> Rendered:
    context = {"cookiecutter": render.template_context(template.path, decided)}
    files = render.render(template.path, decided, trusted=True)
    with temp_dir("hooks") as work:
        project = work / name
        project.mkdir()
        hooks.run(hooks.PRE_GEN, template.path, project, context)
        with Tree(project) as tree:
            for path, file in files.items():
                tree.write_new(path, file.content, file.mode)
        hooks.run(hooks.POST_GEN, template.path, project, context)
        with Tree(project) as tree:
            return tree.read_all(skip=frozenset({".git"}))


def generate(template: StagedTemplate, decided: dict[str, str]) -> Generation:
    name = render.project_name(template.path, render.template_context(template.path, decided))
    if template.trusted and hooks.present(template.path):
        return Generation(name, _with_foreign_hooks(template, decided, name))
    files = render.render(template.path, decided, trusted=template.trusted)
    if template.own_hooks and "kind" in decided:
        files = _without_unused(files, decided["kind"])
    return Generation(name, files)
