"""Every command `perfproj new` prints and the generated README shows runs as printed.

In a freshly generated project (a git repository with its first commit), in
the order a reader meets them: each succeeds, or fails with a one-line reason
that says what to do (the benchmark gate in a repository with one commit has
no base yet and says `pass --base REV`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from helpers.build import Project, build_env
from helpers.cli import perfproj_on_path, run_perfproj

# Inline `code` in the README that is a command (the rest is paths, options, names).
_COMMAND_START = re.compile(r"^((cmake|ctest|python3|gdb) |\./build/|CC=)")


def readme_commands(text: str) -> list[str]:
    """Shell commands of a README, in order: lines of ```sh blocks and inline `commands`."""
    commands: list[str] = []
    in_block = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_block = line.strip() == "```sh" and not in_block
            continue
        if in_block:
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                commands.append(command)
        else:
            commands += [span for span in re.findall(r"`([^`]+)`", line) if _COMMAND_START.match(span)]
    return commands


def next_commands(output: str) -> list[str]:
    lines = output.split("Next:", 1)[1].splitlines()
    return [line.strip() for line in lines if line.startswith("  ")]


def one_line_reason(result: subprocess.CompletedProcess[str]) -> bool:
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return "error:" in last and ("pass --base" in last or "install" in last)


def test_new_and_the_generated_readme(tmp_path: Path, tmp_path_factory) -> None:
    env = perfproj_on_path(tmp_path / "bin", build_env("gcc", tmp_path_factory.getbasetemp()))
    env["PERFPROJ_FUZZ_SECONDS"] = "10"  # the README's fuzz command as printed, for 10 s instead of 60
    created = run_perfproj("new", "demo", "--no-input", cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stderr
    printed = next_commands(created.stdout)
    assert printed[0] == f"cd {tmp_path / 'demo'}" and len(printed) == 3, printed
    script = " && ".join(printed)
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "checksum=" in result.stdout

    project = Project(tmp_path / "demo", env)
    commands = readme_commands((project.path / "README.md").read_text())
    assert len(commands) >= 12, commands
    assert any("pgo.cmake" in command for command in commands)
    assert any(command.startswith("perfproj asm") for command in commands)
    failures = []
    for command in commands:
        result = project.run("bash", "-c", command, check=False, timeout=1800)
        if result.returncode != 0 and not one_line_reason(result):
            failures.append(f"{command}\n{result.stdout[-2500:]}")
    assert not failures, "\n\n".join(failures)


def test_org_init_prints_a_command_that_works(tmp_path: Path) -> None:
    created = run_perfproj("org", "init", tmp_path / "acme", "--no-input", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    command = created.stdout.split("Try it:", 1)[1].splitlines()[1].strip()
    env = perfproj_on_path(tmp_path / "bin")
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "myproject" / ".perfproj.json").is_file()
