"""A trusted template's own hooks, run the way cookiecutter runs them.

hooks/pre_gen_project.* runs in the (still empty) project folder before any
file is written, hooks/post_gen_project.* after; each is first rendered with
the template's answers. A `.py` hook runs with this Python, anything else is
executed directly. A hook that exits non-zero stops the generation: nothing
is written. Only templates given --trust get here (source.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

from jinja2 import TemplateError

from perfproj.changes.scratch import temp_dir
from perfproj.errors import PerfprojError
from perfproj.templates.render import environment

PRE_GEN = "pre_gen_project"
POST_GEN = "post_gen_project"


def find(template_dir: Path, name: str) -> Path | None:
    hooks = template_dir / "hooks"
    if not hooks.is_dir():
        return None
    for path in sorted(hooks.iterdir()):
        if path.is_file() and path.stem == name and not path.name.endswith("~"):
            return path
    return None


def present(template_dir: Path) -> bool:
    return any(find(template_dir, name) for name in (PRE_GEN, POST_GEN))


def run(name: str, template_dir: Path, project_dir: Path, context: Mapping[str, Any]) -> None:
    script = find(template_dir, name)
    if script is None:
        return
    try:
        text = environment(context, trusted=True).from_string(script.read_text(encoding="utf-8")).render(**context)
    except TemplateError as error:
        raise PerfprojError(f"cannot render the template's hook {script.name}: {error}") from error
    with temp_dir("hook") as work:
        rendered = work / script.name
        rendered.write_text(text, encoding="utf-8")
        rendered.chmod(0o755)
        command = [sys.executable, str(rendered)] if rendered.suffix == ".py" else [str(rendered)]
        try:
            result = subprocess.run(command, cwd=project_dir, stdin=subprocess.DEVNULL)
        except OSError as error:
            raise PerfprojError(f"the template's hook {script.name} cannot run: {error.strerror}") from error
    if result.returncode != 0:
        raise PerfprojError(f"the template's hook {script.name} failed (exit code {result.returncode}); "
                            "nothing was written")
