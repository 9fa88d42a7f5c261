"""A template that is not perfproj's own is inert: it renders in a sandbox and runs nothing untrusted.

Each hostile template here tries to run a command that would create a marker
file; the test checks the marker never appears and nothing is written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers.cli import one_line_error, private_tmp, run_perfproj, scratch_left

PAYLOAD = "{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"


def make_template(root: Path, files: dict[str, str], config: dict[str, object] | None = None) -> Path:
    template = root / "hostile-template"
    project = template / "{{cookiecutter.project_name}}"
    project.mkdir(parents=True)
    (template / "cookiecutter.json").write_text(json.dumps({"project_name": "svc", **(config or {})}))
    for relative, text in files.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return template


def new_from(template: Path, tmp_path: Path, *args: str) -> tuple[object, Path]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    env = private_tmp(tmp_path)
    result = run_perfproj("new", "--no-input", "--no-git", "--template", template, "-o", out, *args,
                          cwd=tmp_path, env=env)
    assert scratch_left(env) == []
    return result, out


@pytest.mark.parametrize("where", ["content", "file name", "default answer"])
@pytest.mark.parametrize("trust", [False, True])
def test_a_jinja_payload_renders_nothing_and_runs_nothing(tmp_path: Path, where: str, trust: bool) -> None:
    marker = tmp_path / "pwned"
    payload = PAYLOAD.format(marker=marker)
    if where == "content":
        template = make_template(tmp_path, {"README.md": f"hello {payload}\n"})
    elif where == "file name":
        template = make_template(tmp_path, {f"x{payload}.txt": "hello\n"})
    else:
        template = make_template(tmp_path, {"README.md": "{{ cookiecutter.owner }}\n"}, {"owner": payload})
    result, out = new_from(template, tmp_path, *(["--trust"] if trust else []))
    one_line_error(result, 1, "Python internals")  # --trust allows hooks, never lifts the sandbox
    assert not marker.exists()
    assert list(out.iterdir()) == []


def test_extensions_are_not_imported_without_trust(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "evil_extension.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nfrom jinja2.ext import Extension\nclass Evil(Extension):\n    pass\n")
    template = make_template(tmp_path, {"README.md": "hi\n"}, {"_extensions": ["evil_extension.Evil"]})
    os.environ["PYTHONPATH"] = f"{modules}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    try:
        result, out = new_from(template, tmp_path)
        one_line_error(result, 1, "Jinja _extensions")
        assert not marker.exists() and list(out.iterdir()) == []
        result, out = new_from(template, tmp_path, "--trust")  # what --trust allows, it really allows
        assert result.returncode == 0, result.stderr
        assert marker.exists()
    finally:
        os.environ["PYTHONPATH"] = os.environ["PYTHONPATH"].split(os.pathsep, 1)[1]


def test_hooks_run_only_with_trust(tmp_path: Path) -> None:
    marker = tmp_path / "hooked"
    template = make_template(tmp_path, {"README.md": "hi\n"})
    (template / "hooks").mkdir()
    (template / "hooks" / "pre_gen_project.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    result, out = new_from(template, tmp_path)
    one_line_error(result, 1, "hooks/pre_gen_project.py")
    assert not marker.exists() and list(out.iterdir()) == []
    result, out = new_from(template, tmp_path, "--trust")
    assert result.returncode == 0, result.stderr
    assert marker.exists() and (out / "svc" / "README.md").read_text() == "hi\n"


def test_a_link_to_a_host_file_is_refused_without_trust(tmp_path: Path) -> None:
    secret = tmp_path / "host-secret"
    secret.write_text("private host data\n")
    template = make_template(tmp_path, {"README.md": "hi\n"})
    os.symlink(secret, template / "{{cookiecutter.project_name}}" / "leak.txt")
    result, out = new_from(template, tmp_path)
    one_line_error(result, 1, "symbolic link")
    assert list(out.iterdir()) == []
    result, out = new_from(template, tmp_path, "--trust")  # trusted: followed, as cookiecutter does
    assert result.returncode == 0, result.stderr
    assert (out / "svc" / "leak.txt").read_text() == "private host data\n"
    assert not (out / "svc" / "leak.txt").is_symlink()


@pytest.mark.parametrize("evil", ["../escaped.txt", "/tmp/absolute.txt", "sub/../../escaped.txt", "a//b"])
def test_rendered_paths_must_stay_inside_the_project(tmp_path: Path, evil: str) -> None:
    template = make_template(tmp_path, {"{{ cookiecutter.evil }}": "x\n"}, {"evil": evil})
    result, out = new_from(template, tmp_path)
    one_line_error(result, 1, "not a path inside the project")
    assert list(out.iterdir()) == [] and not (tmp_path / "escaped.txt").exists()


def test_the_built_in_template_renders_in_the_sandbox_too(tmp_path: Path) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    from perfproj.templates import render

    assert isinstance(render.environment({}), SandboxedEnvironment)
    result = run_perfproj("new", "demo", "--no-input", "--no-git", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
