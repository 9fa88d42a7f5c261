"""Configured defaults: the perfproj user/org config and cookiecutter's user config.

perfproj config: $PERFPROJ_CONFIG, else $XDG_CONFIG_HOME/perfproj/config.yaml
(~/.config/perfproj/config.yaml). YAML (or JSON):

    template: https://git.example.com/org/cpp-template.git   # optional
    checkout: v2                                              # optional
    default_context:                                          # optional answers
      cxx_standard: "23"

cookiecutter's config: $COOKIECUTTER_CONFIG, else ~/.cookiecutterrc; only its
`default_context` is used, as cookiecutter itself does. perfproj's config wins
over cookiecutter's; both lose to --config-file and flags (see answers.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from perfproj.templates.config_files import answers_from, load_mapping
from perfproj.errors import UsageError


@dataclass
class UserConfig:
    defaults: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)  # answer -> file it came from
    template: str | None = None
    checkout: str | None = None


def perfproj_config_path(env: Mapping[str, str]) -> Path:
    if env.get("PERFPROJ_CONFIG"):
        return Path(env["PERFPROJ_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "perfproj" / "config.yaml"


def cookiecutter_config_path(env: Mapping[str, str]) -> Path:
    if env.get("COOKIECUTTER_CONFIG"):
        return Path(env["COOKIECUTTER_CONFIG"]).expanduser()
    return Path(env.get("HOME", "~")).expanduser() / ".cookiecutterrc"


def _text(data: dict[str, Any], key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise UsageError(f"config file {path}: {key} must be a string")
    return value


def load(env: Mapping[str, str] | None = None) -> UserConfig:
    """Both user configs merged; files that do not exist count as empty."""
    env = os.environ if env is None else env
    config = UserConfig()
    cookiecutter_path = cookiecutter_config_path(env)
    if cookiecutter_path.is_file():
        answers = answers_from(load_mapping(cookiecutter_path).get("default_context"), cookiecutter_path)
        config.defaults.update(answers)
        config.sources.update(dict.fromkeys(answers, cookiecutter_path))
    perfproj_path = perfproj_config_path(env)
    if env.get("PERFPROJ_CONFIG") and not perfproj_path.is_file():
        raise UsageError(f"PERFPROJ_CONFIG names {perfproj_path}, which does not exist")
    if perfproj_path.is_file():
        data = load_mapping(perfproj_path)
        answers = answers_from(data.get("default_context"), perfproj_path)
        config.defaults.update(answers)
        config.sources.update(dict.fromkeys(answers, perfproj_path))
        config.template = _text(data, "template", perfproj_path)
        config.checkout = _text(data, "checkout", perfproj_path)
    return config
