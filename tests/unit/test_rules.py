"""The answer rules in template/hooks/pre_gen_project.py (used by perfproj and cookiecutter)."""

import pytest

from perfproj.templates import rules

RULES = rules.answer_rules()


@pytest.mark.parametrize("name", ["demo", "my-app", "a", "Foo_Bar2", "x" * 64, "perf-tools-2"])
def test_valid_names(name: str) -> None:
    assert RULES.name_problems(name) == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("my app", "whitespace"),
        ("../evil", "path"),
        ("a/b", "path"),
        (".hidden", "path"),
        ("1abc", "starts with a digit"),
        ("class", "keyword"),
        ("co_await", "keyword"),
        ("my--app", "'__'"),
        ("test", "reserved"),
        ("std", "reserved"),
        ("benchmark", "reserved"),
        ("bench", "reserved"),  # the app would collide with build/<preset>/bench/
        ("tests", "reserved"),
        ("format", "reserved"),  # perfproj's format target
        ("format-check", "reserved"),
        ("bench-results", "reserved"),  # the bench target's folder in the build tree
        ("perfproj-bench", "starts with 'perfproj'"),
        ("perfproj_build_info", "starts with 'perfproj'"),
        ("perfproj_cpu_guard", "starts with 'perfproj'"),
        ("CON", "device name on Windows"),
        ("nul", "device name on Windows"),
        ("Lpt1", "device name on Windows"),
        ("x" * 65, "longer than 64"),
        ("app-", "ends with"),
        ("x;rm-rf", "may contain only"),
        ("$(id)", "may contain only"),
        ("{{7*7}}", "may contain only"),
        ("naïve", "may contain only"),
    ],
)
def test_invalid_names(name: str, reason: str) -> None:
    problems = RULES.name_problems(name)
    assert len(problems) == 1 and reason in problems[0], problems


def test_hyphens_map_to_underscores_for_identifiers() -> None:
    assert RULES.identifier("my-fast-app") == "my_fast_app"


@pytest.mark.parametrize("namespace", ["demo", "acme::tools", "a::b::c2"])
def test_valid_namespaces(namespace: str) -> None:
    assert RULES.namespace_problems(namespace) == []


@pytest.mark.parametrize("namespace", ["", "acme::class", "std::tools", "a::", "a:b", "my-ns", "a__b"])
def test_invalid_namespaces(namespace: str) -> None:
    assert RULES.namespace_problems(namespace)


@pytest.mark.parametrize("description", ['say "hi"', "cost $5", "back\\slash", "`id`", "{{ x }}", "{% x %}", "a\nb"])
def test_descriptions_that_could_inject_are_rejected(description: str) -> None:
    assert RULES.description_problems(description)


def test_plain_descriptions_are_fine() -> None:
    assert RULES.description_problems("Fast JSON: parsing & more (v2), 100% C++") == []


def test_problems_checks_every_answer() -> None:
    found = RULES.problems(
        {"project_name": "1x", "namespace": "class", "description": "$", "kind": "dll", "cxx_standard": "11"}
    )
    assert len(found) == 5
