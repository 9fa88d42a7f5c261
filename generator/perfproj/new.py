"""`perfproj new`: decide the answers, render, record, commit, move into place."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from perfproj import __version__, answers, base_snapshot, config_files, git, record, rules
from perfproj import generation, template_source, user_config
from perfproj.atomic import atomic_directory, check_destination
from perfproj.errors import UsageError


@dataclass
class NewRequest:
    output_dir: Path
    name: str | None = None
    flags: dict[str, str] = field(default_factory=dict)  # answers given as options
    config_file: Path | None = None
    use_git: bool = True
    template: str | None = None  # None: the perfproj config's template, else the built-in one
    checkout: str | None = None  # branch, tag or commit of a git template
    trust: bool = False  # allow a template's own hooks and Jinja extensions to run


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


def configured_defaults(
    questions: list[answers.Question], config: user_config.UserConfig
) -> dict[str, str]:
    """The user configs' defaults for this template's questions, checked like flags."""
    defaults = {}
    for question in questions:
        value = config.defaults.get(question.key)
        if value is None:
            continue
        if question.choices and value not in question.choices:
            raise UsageError(
                f"{config.sources[question.key]}: {question.key} must be one of"
                f" {', '.join(question.choices)}, not {value!r}"
            )
        defaults[question.key] = value
    return defaults


def create_project(request: NewRequest, ask: answers.Prompter | None) -> NewResult:
    """Generate a project; nothing is left behind if any step fails."""
    explicit = _explicit_answers(request)
    if "project_name" in explicit:  # fail fast, before any prompt
        problems = rules.answer_rules().name_problems(explicit["project_name"])
        if problems:
            raise UsageError(problems[0])
    if request.use_git:
        git.require_git()

    config = user_config.load()
    spec = request.template if request.template is not None else config.template
    checkout = request.checkout if request.template is not None else (request.checkout or config.checkout)
    with tempfile.TemporaryDirectory(prefix="perfproj-template-") as work:
        template = template_source.stage(spec, checkout, Path(work), request.trust)
        questions = answers.template_questions(template.path)
        decided = answers.resolve(questions, explicit, configured_defaults(questions, config), ask)
        generation.check_answers(template, decided)
        if "project_name" not in decided:
            raise UsageError(f"template {template.source.source} has no project_name question")
        final = request.output_dir / decided["project_name"]
        check_destination(final.absolute())

        with atomic_directory(final) as staging:
            project = generation.render_project(template, decided, staging)
            generated = record.Record(__version__, template.source, decided, record.hash_tree(project))
            base_snapshot.write_snapshot(project, base_snapshot.read_files(project, generated.files))
            record.write_record(project, generated)
            if request.use_git:
                git.init_and_commit(project, f"Generate {decided['project_name']} with perfproj {__version__}")
    return NewResult(final, decided)
