"""Org templates: `perfproj org init`, `new --template`, hook trust, and configured defaults."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import one_line_error, run_perfproj, tree_snapshot
from perfproj.project.base_snapshot import SNAPSHOT_FILE
from perfproj.project.record import RECORD_FILE, read_record_at as read_record


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An empty home: no real user config reaches these tests."""
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "PERFPROJ_CONFIG": "",
            "COOKIECUTTER_CONFIG": ""}


def org_init(tmp_path: Path, env: dict[str, str], *args: str) -> Path:
    result = run_perfproj("org", "init", tmp_path / "acme-template", *args, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return tmp_path / "acme-template"


def test_org_init_bakes_the_defaults_and_commits(tmp_path: Path, env: dict[str, str]) -> None:
    config = tmp_path / "org.yaml"
    config.write_text("default_context:\n  cxx_standard: '23'\n  description: Acme service\n")
    template = org_init(tmp_path, env, "--config-file", str(config), "--kind", "lib")
    settings = json.loads((template / "cookiecutter.json").read_text())
    assert settings["cxx_standard"][0] == "23" and sorted(settings["cxx_standard"]) == ["17", "20", "23"]
    assert settings["kind"][0] == "lib" and settings["description"] == "Acme service"
    readme = (template / "README.md").read_text()
    assert "perfproj new myservice --template" in readme and "--trust" in readme
    assert (template / "{{cookiecutter.project_name}}/cmake/perfproj/presets/perfproj.json").is_file()
    log = subprocess.run(["git", "log", "--oneline"], cwd=template, capture_output=True, text=True)
    assert log.returncode == 0 and "Org template" in log.stdout


def test_org_init_rejects_bad_defaults_and_writes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    config = tmp_path / "org.yaml"
    config.write_text("kind: dll\n")
    before = tree_snapshot(tmp_path)
    result = run_perfproj("org", "init", tmp_path / "t", "--config-file", config, cwd=tmp_path, env=env)
    one_line_error(result, 2, "kind must be one of")
    result = run_perfproj("org", "init", tmp_path / "t", "--namespace", "a::int", cwd=tmp_path, env=env)
    one_line_error(result, 2, "keyword")
    assert tree_snapshot(tmp_path) == before
    assert "Usage:" in run_perfproj("org", "init", "--help", cwd=tmp_path, env=env).stdout


def test_plain_cookiecutter_and_perfproj_make_the_same_project(tmp_path: Path, env: dict[str, str]) -> None:
    template = org_init(tmp_path, env, "--cxx-standard", "17", "--kind", "app")
    plain = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(tmp_path / "plain"), str(template),
         "project_name=svc"],
        capture_output=True, text=True, timeout=120, env={"HOME": env["HOME"], "PATH": "/usr/bin:/bin"},
    )
    assert plain.returncode == 0, plain.stderr
    result = run_perfproj("new", "svc", "--no-input", "--no-git", "-o", tmp_path / "ours", "--template", template,
                          cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr  # perfproj's own hooks: no --trust needed
    ours = tree_snapshot(tmp_path / "ours" / "svc")
    assert set(ours) >= {RECORD_FILE, SNAPSHOT_FILE}
    del ours[RECORD_FILE], ours[SNAPSHOT_FILE]
    assert tree_snapshot(tmp_path / "plain" / "svc") == ours
    assert not (tmp_path / "ours/svc/cmake/package-config.cmake.in").exists()  # pruned for an app
    assert "cxx_std_17" in ours["CMakeLists.txt"].decode()  # the org's default


def test_foreign_hooks_need_trust(tmp_path: Path, env: dict[str, str]) -> None:
    template = org_init(tmp_path, env, "--no-git")
    hook = template / "hooks/post_gen_project.py"
    hook.write_text(hook.read_text() + "\nPath('HOOK_RAN').write_text('yes')\n")
    before = tree_snapshot(tmp_path)
    result = run_perfproj("new", "svc", "--no-input", "--no-git", "--template", template, cwd=tmp_path, env=env)
    one_line_error(result, 1, "--trust")
    assert "hooks/post_gen_project.py" in result.stderr
    assert tree_snapshot(tmp_path) == before

    result = run_perfproj("new", "svc", "--no-input", "--no-git", "--template", template, "--trust",
                          cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "svc/HOOK_RAN").read_text() == "yes"


def test_bad_template_arguments_are_one_line_errors(tmp_path: Path, env: dict[str, str]) -> None:
    one_line_error(run_perfproj("new", "x", "--no-input", "--template", tmp_path / "nowhere", cwd=tmp_path, env=env),
                   2, "neither a directory nor a git URL")
    one_line_error(run_perfproj("new", "x", "--no-input", "--checkout", "v1", cwd=tmp_path, env=env),
                   2, "--checkout needs --template")
    missing = f"file://{tmp_path}/no-such-repo.git"
    one_line_error(run_perfproj("new", "x", "--no-input", "--template", missing, cwd=tmp_path, env=env),
                   1, "cannot clone")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_answer_precedence_across_config_files(tmp_path: Path, env: dict[str, str]) -> None:
    cookiecutter_rc = tmp_path / "cookiecutterrc"
    cookiecutter_rc.write_text(
        "default_context:\n  cxx_standard: '17'\n  namespace: from_cc\n  description: from cookiecutter\n"
        "abbreviations:\n  gh: https://github.com/{0}.git\n")
    template = org_init(tmp_path, env, "--no-git")
    perfproj_config = tmp_path / "perfproj.yaml"
    perfproj_config.write_text(f"template: {template}\ndefault_context:\n  cxx_standard: '23'\n"
                               "  description: from perfproj config\n  kind: lib\n")
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text("description: from config file\nkind: app\n")
    env = {**env, "COOKIECUTTER_CONFIG": str(cookiecutter_rc), "PERFPROJ_CONFIG": str(perfproj_config)}

    result = run_perfproj("new", "svc", "--no-input", "--no-git", "--config-file", answers_file,
                          "--kind", "app+lib", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    record = read_record(tmp_path / "svc")
    assert record.answers == {
        "project_name": "svc",
        "kind": "app+lib",  # flag over --config-file
        "description": "from config file",  # --config-file over the perfproj config
        "cxx_standard": "23",  # perfproj config over cookiecutter's
        "namespace": "from_cc",  # cookiecutter's config over the template default
    }
    assert record.template.source == str(template.resolve())  # the perfproj config's template


def test_the_xdg_config_is_found_and_a_bad_default_names_its_file(tmp_path: Path, env: dict[str, str]) -> None:
    config = Path(env["XDG_CONFIG_HOME"]) / "perfproj" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("default_context:\n  cxx_standard: '11'\n")
    result = run_perfproj("new", "svc", "--no-input", "--no-git", cwd=tmp_path, env=env)
    one_line_error(result, 2, "config.yaml: cxx_standard must be one of")
    config.write_text("default_context:\n  cxx_standard: '17'\n")
    result = run_perfproj("new", "svc", "--no-input", "--no-git", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert read_record(tmp_path / "svc").answers["cxx_standard"] == "17"
