"""`perfproj new`: decide the answers, render in memory, then write the project in one step."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from perfproj import __version__, git
from perfproj.changes import Change, Plan
from perfproj.changes.apply import apply, check_destination
from perfproj.changes.plan import creations
from perfproj.changes.scratch import temp_dir
from perfproj.errors import UsageError
from perfproj.project import base_snapshot, record
from perfproj.templates import answers, config_files, generate, rules, source, user_config


@dataclass
class NewRequest:
    output_dir: Path
    name: str | None = None
    flags: dict[str, str] = field(default_factory=dict)  # answers given as options
    config_file: Path | None = None
    use_git: bool = True
    template: str | None = None  # None: the perfproj config's template, else the built-in one
    checkout: str | None = None  # branch, tag or commit of a git template
    trust: bool = False  # allow a template's own hooks, Jinja extensions and symbolic links


@dataclass
class NewPlan:
    plan: Plan
    answers: dict[str, str]


@dataclass
class NewResult:
    path: Path
    answers: dict[str, str]
    notes: list[str] = field(default_factory=list)


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


def plan(request: NewRequest, ask: answers.Prompter | None) -> NewPlan:
    """Everything `new` will write; nothing is written yet."""
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
    with temp_dir("template") as work:
        template = source.stage(spec, checkout, work, request.trust)
        questions = answers.template_questions(template.path)
        decided = answers.resolve(questions, explicit, configured_defaults(questions, config), ask)
        generate.check_answers(template, decided)
        if "project_name" not in decided:
            raise UsageError(f"template {template.source.source} has no project_name question")
        final = (request.output_dir / decided["project_name"]).absolute()
        check_destination(final)
        generation = generate.generate(template, decided)

    files = generation.files
    generated = record.Record(__version__, template.source, decided,
                              record.digests({path: file.content for path, file in files.items()}))
    changes = creations(files) + [
        Change(base_snapshot.SNAPSHOT_FILE, None,
               base_snapshot.snapshot_bytes({path: file.content for path, file in files.items()})),
        Change(record.RECORD_FILE, None, record.dumps(generated)),
    ]
    message = f"Generate {decided['project_name']} with perfproj {__version__}"
    finish = (lambda root: git.init_and_commit(root, message)) if request.use_git else None
    return NewPlan(Plan("new", final, changes, new_root=True, finish=finish), decided)


def run(request: NewRequest, ask: answers.Prompter | None) -> NewResult:
    """Generate a project; nothing is left behind if any step fails."""
    new_plan = plan(request, ask)
    notes = apply(new_plan.plan)
    return NewResult(new_plan.plan.root, new_plan.answers, notes)
