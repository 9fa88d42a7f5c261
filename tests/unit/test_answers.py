"""How answers are decided: flags, config file, defaults, prompts."""

from pathlib import Path

import pytest

from perfproj.templates import answers, config_files
from perfproj.errors import UsageError
from perfproj.resources import data_dir

QUESTIONS = answers.template_questions(data_dir("template"))


def test_questions_follow_cookiecutter_json() -> None:
    assert [q.key for q in QUESTIONS] == ["project_name", "description", "kind", "cxx_standard", "namespace"]
    kind = next(q for q in QUESTIONS if q.key == "kind")
    assert kind.choices == ("app+lib", "app", "lib")


def test_defaults_are_rendered_from_earlier_answers() -> None:
    decided = answers.resolve(QUESTIONS, {"project_name": "fast-json"}, {}, ask=None)
    assert decided["namespace"] == "fast_json"
    assert decided["kind"] == "app+lib" and decided["cxx_standard"] == "20"


def test_configured_defaults_come_before_template_defaults() -> None:
    decided = answers.resolve(QUESTIONS, {"project_name": "x"}, {"cxx_standard": "23"}, ask=None)
    assert decided["cxx_standard"] == "23"


def test_only_unanswered_questions_are_asked() -> None:
    asked: list[tuple[str, str]] = []

    def ask(question: answers.Question, default: str) -> str:
        asked.append((question.key, default))
        return default

    answers.resolve(QUESTIONS, {"project_name": "p", "kind": "lib"}, {}, ask)
    assert [key for key, _ in asked] == ["description", "cxx_standard", "namespace"]
    assert ("namespace", "p") in asked


def test_prompted_answers_feed_later_defaults() -> None:
    decided = answers.resolve(
        QUESTIONS, {}, {}, lambda q, default: "my-tool" if q.key == "project_name" else default
    )
    assert decided["namespace"] == "my_tool"


def test_an_explicit_answer_outside_the_choices_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="kind must be one of"):
        answers.resolve(QUESTIONS, {"project_name": "p", "kind": "dll"}, {}, ask=None)


def test_config_file_in_cookiecutter_format(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("default_context:\n  kind: lib\n  cxx_standard: 17\n")
    assert config_files.read_answers(path) == {"kind": "lib", "cxx_standard": "17"}


def test_config_file_as_flat_json(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{"project_name": "j", "kind": "app"}')
    assert config_files.read_answers(path) == {"project_name": "j", "kind": "app"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("kind: [lib\n", "not valid YAML"), ("- a\n- b\n", "mapping"), ("kind: [a, b]\n", "single value")],
)
def test_bad_config_files_are_usage_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        config_files.read_answers(path)
