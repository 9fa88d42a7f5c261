"""`perfproj new`: decide the answers, render, record, commit, move into place."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from perfproj import __version__, answers, config_files, git, record, render, rules
from perfproj.atomic import atomic_directory, check_destination
from perfproj.errors import UsageError


@dataclass
class NewRequest:
    output_dir: Path
    name: str | None = None
    flags: dict[str, str] = field(default_factory=dict)  # answers given as options
    config_file: Path | None = None
    use_git: bool = True


@dataclass
class NewResult:
    path: Path
    answers: dict[str, str]


def _explicit_answers(request: NewRequest) -> dict[str, str]:
    explicit = config_files.read_answers(request.config_file) if request.config_file else {}
    explicit.update(request.flags)
    if request.name is not None:
        explicit["project_name"] = request.name
    return explicit


def create_project(request: NewRequest, ask: answers.Prompter | None) -> NewResult:
    """Generate a project; nothing is left behind if any step fails."""
    explicit = _explicit_answers(request)
    if "project_name" in explicit:  # fail fast, before any prompt
        problems = rules.answer_rules().name_problems(explicit["project_name"])
        if problems:
            raise UsageError(problems[0])
    if request.use_git:
        git.require_git()

    with tempfile.TemporaryDirectory(prefix="perfproj-template-") as work:
        template = render.stage_builtin_template(Path(work) / "template", with_hooks=False)
        decided = answers.resolve(answers.template_questions(template), explicit, {}, ask)
        problems = rules.answer_rules().problems(decided)
        if problems:
            raise UsageError("; ".join(problems))
        final = request.output_dir / decided["project_name"]
        check_destination(final.absolute())

        with atomic_directory(final) as staging:
            project = render.render(template, decided, staging)
            rules.prune_rules().prune(project, decided["kind"])  # the post-gen hook, in-process
            source = record.TemplateSource(source="builtin", revision=__version__)
            generated = record.Record(__version__, source, decided, record.hash_tree(project))
            record.write_record(project, generated)
            if request.use_git:
                git.init_and_commit(project, f"Generate {decided['project_name']} with perfproj {__version__}")
    return NewResult(final, decided)
