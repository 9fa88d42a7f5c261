"""Interactive prompts on a real terminal (a pty), and what flags do to them."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from helpers.cli import perfproj_env
from perfproj.project.record import RECORD_FILE


def run_in_terminal(args: list[str], typed: str, cwd: Path) -> tuple[int, str]:
    """Run perfproj with a pty as its terminal, with `typed` waiting as keyboard input."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "perfproj", *args], cwd=cwd, env=perfproj_env(),
        stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )
    os.close(slave)
    os.write(master, typed.encode())
    output = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(timeout=60), output.decode(errors="replace")


def test_prompts_ask_only_what_no_flag_answered(tmp_path: Path) -> None:
    # project name, description (default), C++ standard, namespace (default)
    code, output = run_in_terminal(["new", "--no-git", "--kind", "lib"], "pty-proj\n\n17\n\n", tmp_path)
    assert code == 0, output
    assert "Project name" in output and "C++ standard" in output
    assert "Kind" not in output  # answered by --kind, so never asked
    answers = json.loads((tmp_path / "pty-proj" / RECORD_FILE).read_text())["answers"]
    assert answers == {
        "project_name": "pty-proj", "description": "A performance-first C++ project",
        "kind": "lib", "cxx_standard": "17", "namespace": "pty_proj",
    }


def test_a_bad_answer_is_explained_and_asked_again(tmp_path: Path) -> None:
    code, output = run_in_terminal(["new", "--no-git"], "1bad\ngood\n\n\n\n\n", tmp_path)
    assert code == 0, output
    assert "starts with a digit" in output
    assert (tmp_path / "good" / "CMakeLists.txt").is_file()


def test_no_input_never_prompts_even_on_a_terminal(tmp_path: Path) -> None:
    code, output = run_in_terminal(["new", "quiet", "--no-git", "--no-input"], "", tmp_path)
    assert code == 0, output
    assert "Project name" not in output and "C++ standard" not in output


def test_org_init_asks_for_the_defaults_not_given(tmp_path: Path) -> None:
    # description (typed), kind (default), C++ standard (typed); --cxx-standard not given
    code, output = run_in_terminal(["org", "init", "acme", "--no-git"], "Acme services\n\n23\n", tmp_path)
    assert code == 0, output
    assert "One-line description" in output and "Kind" in output and "C++ standard" in output
    assert "Project name" not in output and "C++ namespace" not in output  # per project, not per org
    config = json.loads((tmp_path / "acme" / "cookiecutter.json").read_text())
    assert config["description"] == "Acme services" and config["cxx_standard"][0] == "23"
    code, output = run_in_terminal(["org", "init", "quiet", "--no-git", "--no-input"], "", tmp_path)
    assert code == 0 and "Kind" not in output, output
