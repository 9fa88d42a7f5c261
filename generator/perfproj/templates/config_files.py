"""Answer files: --config-file, and the YAML/JSON loading the user configs share.

Two shapes are accepted, in YAML or JSON:
  * cookiecutter's user-config format:  default_context: {project_name: ..., ...}
  * a flat mapping of answers:          {project_name: ..., kind: lib}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfproj.errors import UsageError


def load_mapping(path: Path) -> dict[str, Any]:
    """The YAML/JSON mapping in `path` ({} for an empty file). Raises UsageError."""
    import yaml  # only needed here: keeps `perfproj new` without a config file fast
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read config file {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"config file {path} is not valid YAML/JSON{where}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"config file {path} must hold a mapping of answers")
    return data


def answers_from(data: object, path: Path) -> dict[str, str]:
    """A mapping of answers as strings (booleans as true/false); `path` names it in errors."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"config file {path}: default_context must be a mapping")
    answers: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, (dict, list)) or value is None:
            raise UsageError(f"config file {path}: answer {key!r} must be a single value")
        answers[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
    return answers


def read_answers(path: Path) -> dict[str, str]:
    """The answers in `path`, in either shape. Raises UsageError on unreadable input."""
    data = load_mapping(path)
    if "default_context" in data:
        return answers_from(data["default_context"] or {}, path)
    return answers_from(data, path)
