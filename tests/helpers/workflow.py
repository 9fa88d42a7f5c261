"""Replaying a GitHub Actions workflow's commands locally.

A job expands into one run per matrix combination; each run is its `run:`
steps with the workflow, job and step `env` merged and the few `${{ }}`
expressions the steps use resolved. Steps that only prepare a GitHub runner
(`uses:` steps, and `run:` steps named "GitHub: ...") are left out. Any other
expression is an error: a step that cannot run locally is not reproducible.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@dataclass
class JobRun:
    job: str
    matrix: dict[str, str]
    axes: list[str] = field(default_factory=list)  # the matrix keys that name the cell
    env: dict[str, str] = field(default_factory=dict)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (name, shell script)

    @property
    def label(self) -> str:
        cell = "-".join(self.matrix[key] for key in self.axes)
        return f"{self.job}[{cell}]" if cell else self.job


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads `on:` as True
    return data


def matrix_cells(job: Mapping[str, Any]) -> list[dict[str, str]]:
    """The combinations GitHub runs: the product of the axes, extended by `include`."""
    matrix = dict(job.get("strategy", {}).get("matrix", {}))
    includes = matrix.pop("include", [])
    matrix.pop("exclude", None)
    axes = {key: [str(v) for v in values] for key, values in matrix.items()}
    cells = [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())] if axes else [{}]
    for extra in includes:
        extra = {key: str(value) for key, value in extra.items()}
        matched = False
        for cell in cells:
            if all(cell.get(key) == value for key, value in extra.items() if key in axes):
                cell.update({key: value for key, value in extra.items() if key not in axes})
                matched = True
        if not matched:
            cells.append(extra)
    return cells


def resolve(text: str, context: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression not in context:
            raise ValueError(f"cannot resolve ${{{{ {expression} }}}} locally")
        return context[expression]

    return _EXPRESSION.sub(replace, text)


def job_runs(workflow: Mapping[str, Any], github: Mapping[str, str]) -> list[JobRun]:
    """Every job x matrix cell of `workflow`; `github` maps e.g. "github.workspace"."""
    runs = []
    for name, job in workflow["jobs"].items():
        for cell in matrix_cells(job):
            context = dict(github)
            context.update({f"matrix.{key}": value for key, value in cell.items()})
            env = {key: resolve(str(value), context) for key, value in workflow.get("env", {}).items()}
            context.update({f"env.{key}": value for key, value in env.items()})
            env.update({key: resolve(str(value), context) for key, value in job.get("env", {}).items()})
            axes = [key for key in job.get("strategy", {}).get("matrix", {}) if key not in ("include", "exclude")]
            run = JobRun(name, cell, axes, env)
            for step in job["steps"]:
                if "run" not in step or str(step.get("name", "")).startswith("GitHub:"):
                    continue
                if step.get("env"):
                    raise ValueError(f"{name}: step env is not supported by the replay; use job env")
                run.steps.append((step.get("name", step["run"]), resolve(step["run"], context)))
            runs.append(run)
    return runs
