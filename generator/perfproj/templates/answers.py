"""The template's questions and how their answers are decided.

Precedence, highest first:
  1. command-line flags;
  2. the --config-file;
  3. configured defaults (passed in as `defaults`);
  4. the template's default from cookiecutter.json, rendered with the answers
     given so far (so `namespace` follows `project_name`).
Answers from 1 and 2 are final: giving one flag never turns the others into
silent defaults. Everything else is asked on a terminal, with the default from
3 or 4 pre-filled, or taken as it is with --no-input.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from jinja2 import TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from perfproj.errors import PerfprojError, UsageError
from perfproj.templates import rules
from perfproj.templates.render import environment, read_template_config


@dataclass(frozen=True)
class Question:
    key: str
    default: str  # raw: may be a Jinja expression over earlier answers
    choices: tuple[str, ...] = ()


# Asks one question; gets the question and the default to offer.
Prompter = Callable[[Question, str], str]


def template_questions(template_dir: Path) -> list[Question]:
    """The template's questions in cookiecutter.json order (private `_` keys excluded)."""
    questions = []
    for key, value in read_template_config(template_dir).items():
        if key.startswith("_"):
            continue
        if isinstance(value, list):
            choices = tuple(str(choice) for choice in value)
            questions.append(Question(key, choices[0] if choices else "", choices))
        else:
            questions.append(Question(key, str(value)))
    return questions


def field_problems(key: str, value: str) -> list[str]:
    """Problems with one answer of the built-in template's questions."""
    answer_rules = rules.answer_rules()
    checks: Mapping[str, Callable[[str], list[str]]] = {
        "project_name": answer_rules.name_problems,
        "namespace": answer_rules.namespace_problems,
        "description": answer_rules.description_problems,
    }
    check = checks.get(key)
    return check(value) if check else []


def _choice_problem(question: Question, value: str) -> str | None:
    if question.choices and value not in question.choices:
        return f"{question.key} must be one of {', '.join(question.choices)}, not {value!r}"
    return None


def _render_default(env: SandboxedEnvironment, question: Question, answers: Mapping[str, str]) -> str:
    """A default such as `{{ cookiecutter.project_name|replace('-', '_') }}`, from the answers so far."""
    try:
        return str(env.from_string(question.default).render(cookiecutter=dict(answers)))
    except SecurityError as error:
        raise PerfprojError(f"the default of {question.key} reaches into Python internals ({error}); "
                            "perfproj renders templates in a sandbox") from error
    except TemplateError as error:
        raise UsageError(f"the default of {question.key} cannot be rendered: {error}") from error


def resolve(
    questions: list[Question],
    explicit: Mapping[str, str],
    defaults: Mapping[str, str],
    ask: Prompter | None,
) -> dict[str, str]:
    """Decide every answer; raise UsageError naming the first bad explicit answer."""
    env = environment({})
    answers: "OrderedDict[str, str]" = OrderedDict()
    for question in questions:
        if question.key in explicit:
            value = explicit[question.key]
            problem = _choice_problem(question, value)
            if problem:
                raise UsageError(problem)
        else:
            if question.key in defaults:
                default = defaults[question.key]
            else:
                default = _render_default(env, question, answers)
            value = ask(question, default) if ask else default
        answers[question.key] = value
    return dict(answers)
