"""Checks the answers before cookiecutter writes anything.

perfproj imports this file as a module (generator/perfproj/rules.py), so these
rules live in one place and plain `cookiecutter` enforces exactly the same ones.
Keep it standard-library only: the hook runs wherever cookiecutter runs.
"""

from __future__ import annotations

import json
import re
import sys

MAX_NAME_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 200
KINDS = ("app+lib", "app", "lib")
CXX_STANDARDS = ("20", "17", "23")

# C++23 keywords and alternative tokens, plus identifiers with a special
# meaning that would make a confusing namespace (import/module in C++20).
CXX_KEYWORDS = frozenset(
    """
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char
    char8_t char16_t char32_t class compl concept const consteval constexpr
    constinit const_cast continue co_await co_return co_yield decltype default
    delete do double dynamic_cast else enum explicit export extern false final
    float for friend goto if import inline int long main module mutable
    namespace new noexcept not not_eq nullptr operator or or_eq override private
    protected public register reinterpret_cast requires return short signed
    sizeof static static_assert static_cast struct switch template this
    thread_local throw true try typedef typeid typename union unsigned using
    virtual void volatile wchar_t while xor xor_eq
    """.split()
)

# Names a generated project cannot take because its build already uses them:
# CMake's and CTest's own targets, the dependencies' targets when they are
# downloaded, perfproj's build-wide targets, and the folders at the top of a
# build tree (the app is built as build/<preset>/<name>, next to them).
# tests/integration/test_reserved_names.py configures and builds a generated
# project and checks that every target and top-level build entry it finds is
# reserved here, so this list cannot fall behind the modules.
RESERVED_NAMES = frozenset(
    """
    all clean help install package package_source test edit_cache rebuild_cache
    list_install_components ALL_BUILD ZERO_CHECK RUN_TESTS INSTALL PACKAGE
    gtest gtest_main gmock gmock_main benchmark benchmark_main GTest
    format format-check bench bench-results coverage-report fuzz
    tests bench CMakeFiles Testing
    std posix
    """.split()
)
# Every target and build folder perfproj's modules add is named perfproj...
RESERVED_PREFIXES = ("perfproj",)
# Names Windows cannot give a file or folder (checked case-insensitively).
WINDOWS_DEVICE_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)])

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Characters that would end a CMake string, expand a variable, run a command
# in a shell, or open a Jinja expression if they reached a template.
# (Written with character classes: this file is itself rendered by Jinja.)
_UNSAFE_TEXT = re.compile(r"[\"\\$`]|[{](?:[{]|%|#)|[\x00-\x1f\x7f]")


def identifier(name: str) -> str:
    """C++/CMake identifier for a project name: hyphens become underscores."""
    return name.replace("-", "_")


def _identifier_problem(word: str, what: str) -> str | None:
    if not _IDENTIFIER.match(word):
        return f"{what} '{word}' must start with a letter and contain only letters, digits and '_'"
    if "__" in word:
        return f"{what} '{word}' contains '__', which C++ reserves for the implementation"
    if word in CXX_KEYWORDS:
        return f"{what} '{word}' is a C++ keyword"
    return None


def name_problems(name: str) -> list[str]:
    """Why `name` cannot be a directory, CMake project and C++ namespace."""
    if not name:
        return ["project name is empty"]
    if len(name) > MAX_NAME_LENGTH:
        return [f"project name is longer than {MAX_NAME_LENGTH} characters"]
    if any(c.isspace() for c in name):
        return [f"project name {name!r} contains whitespace"]
    if "/" in name or "\\" in name or name.startswith("."):
        return [f"project name {name!r} must be a plain name, not a path"]
    if name[0].isdigit():
        return [f"project name {name!r} starts with a digit"]
    if not _NAME.match(name):
        return [f"project name {name!r} may contain only letters, digits, '-' and '_'"]
    if name.endswith(("-", "_")):
        return [f"project name {name!r} ends with '{name[-1]}'"]
    ident = identifier(name)
    if name in RESERVED_NAMES or ident in RESERVED_NAMES or ident.lower() in RESERVED_NAMES:
        return [f"project name {name!r} is reserved: the build already has a target or folder of that name"]
    if name.lower().startswith(RESERVED_PREFIXES):
        return [f"project name {name!r} starts with 'perfproj', which perfproj's own targets use"]
    if name.lower() in WINDOWS_DEVICE_NAMES:
        return [f"project name {name!r} is a device name on Windows, where no file or folder can have it"]
    problem = _identifier_problem(ident, "identifier")
    return [f"project name {name!r}: {problem}"] if problem else []


def namespace_problems(namespace: str) -> list[str]:
    """Why `namespace` cannot be a (possibly nested) C++ namespace."""
    if not namespace:
        return ["namespace is empty"]
    if len(namespace) > MAX_NAME_LENGTH:
        return [f"namespace is longer than {MAX_NAME_LENGTH} characters"]
    parts = namespace.split("::")
    if parts[0] in ("std", "posix"):
        return [f"namespace {namespace!r} is reserved by the C++ standard"]
    problems = [_identifier_problem(part, "namespace part") for part in parts]
    return [p for p in problems if p]


def description_problems(description: str) -> list[str]:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        return [f"description is longer than {MAX_DESCRIPTION_LENGTH} characters"]
    if _UNSAFE_TEXT.search(description):
        return [
            "description may not contain quotes, backslashes, $, `, control characters"
            " or Jinja delimiters"
        ]
    return []


def problems(answers: dict) -> list[str]:
    """Every problem with a complete set of answers, as one-line messages."""
    found = name_problems(str(answers.get("project_name", "")))
    found += namespace_problems(str(answers.get("namespace", "")))
    found += description_problems(str(answers.get("description", "")))
    if answers.get("kind") not in KINDS:
        found.append(f"kind must be one of {', '.join(KINDS)}, not {answers.get('kind')!r}")
    if str(answers.get("cxx_standard")) not in CXX_STANDARDS:
        found.append(
            f"cxx_standard must be one of {', '.join(sorted(CXX_STANDARDS))},"
            f" not {answers.get('cxx_standard')!r}"
        )
    return found


if __name__ == "__main__":
    # Rendered by cookiecutter: the answers arrive as a JSON literal.
    _answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    _found = problems(_answers)
    for _problem in _found:
        print(f"error: {_problem}", file=sys.stderr)
    sys.exit(1 if _found else 0)
