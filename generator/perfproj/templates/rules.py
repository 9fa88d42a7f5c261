"""The template's own rules, imported from its cookiecutter hooks.

The answer checks and the per-kind pruning live in template/hooks/ so that
plain `cookiecutter` applies them too; perfproj imports those files instead of
keeping a second copy, and runs them in-process for the built-in template
(a hook subprocess costs about 25 ms, a tenth of a whole `perfproj new`).
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from perfproj import resources


def _load(path: Path, module_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # No __pycache__ inside the template: cookiecutter would copy it around.
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = saved
    return module


@functools.lru_cache(maxsize=None)
def answer_rules() -> ModuleType:
    """template/hooks/pre_gen_project.py: problems(), name_problems(), identifier(), ..."""
    hooks = resources.data_dir("template") / "hooks"
    return _load(hooks / "pre_gen_project.py", "perfproj_template_answer_rules")


@functools.lru_cache(maxsize=None)
def prune_rules() -> ModuleType:
    """template/hooks/post_gen_project.py: prune(project_dir, kind)."""
    hooks = resources.data_dir("template") / "hooks"
    return _load(hooks / "post_gen_project.py", "perfproj_template_prune_rules")
