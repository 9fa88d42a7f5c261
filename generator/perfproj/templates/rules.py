"""The template's own rules, imported from its cookiecutter hooks.

The answer checks and the per-kind pruning live in template/hooks/ so that
plain `cookiecutter` applies them too; perfproj imports those files instead of
keeping a second copy, and runs them in-process for the built-in template
(a hook subprocess costs about 25 ms, a tenth of a whole `perfproj new`).
"""

from __future__ import annotations

import functools
from types import ModuleType

from perfproj import resources


@functools.lru_cache(maxsize=None)
def answer_rules() -> ModuleType:
    """template/hooks/pre_gen_project.py: problems(), name_problems(), identifier(), ..."""
    hooks = resources.data_dir("template") / "hooks"
    return resources.load_module(hooks / "pre_gen_project.py", "perfproj_template_answer_rules")


@functools.lru_cache(maxsize=None)
def prune_rules() -> ModuleType:
    """template/hooks/post_gen_project.py: prune(project_dir, kind)."""
    hooks = resources.data_dir("template") / "hooks"
    return resources.load_module(hooks / "post_gen_project.py", "perfproj_template_prune_rules")
