"""Operating-system failures are one line and leave nothing half-written: read-only and full disks,
file-size limits, output paths through a file or a link loop.

Read-only and full disks are real tmpfs mounts (in a mount namespace of the
test's own, via unshare); where the machine does not allow that, those tests
skip and say why.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import git_commit_all, one_line_error, perfproj_env, private_tmp, run_perfproj, tree_snapshot


def _can_mount() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c",
                            "mount -t tmpfs -o size=64k tmpfs /mnt 2>&1 || mount -t tmpfs -o size=64k tmpfs /tmp"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else f"cannot mount a tmpfs here: {probe.stdout.strip() or probe.stderr}"


MOUNT_PROBLEM = _can_mount()
needs_mount = pytest.mark.skipif(MOUNT_PROBLEM is not None, reason=MOUNT_PROBLEM or "")


def perfproj_in_mount(mount: Path, options: str, script: str, cwd: Path,
                      env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `script` (with $PERFPROJ = the perfproj command) where `mount` is a fresh tmpfs with `options`."""
    command = f"{sys.executable} -m perfproj"
    shell = f"mount -t tmpfs -o {options} tmpfs {mount} && PERFPROJ='{command}' && {script}"
    return subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", shell], cwd=cwd,
                          env=perfproj_env(env), capture_output=True, text=True, timeout=120)


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""


@needs_mount
def test_a_read_only_output_folder(tmp_path: Path) -> None:
    mount = tmp_path / "ro"
    mount.mkdir()
    result = perfproj_in_mount(mount, "ro,size=1m", f"$PERFPROJ new demo --no-input -o {mount}; echo rc=$?",
                               tmp_path, private_tmp(tmp_path))
    assert "rc=1" in result.stdout, result
    assert "Read-only file system" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


@needs_mount
def test_a_full_disk_leaves_nothing(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    script = f"$PERFPROJ new demo --no-input -o {mount}; echo rc=$?; ls -A {mount} | wc -l"
    result = perfproj_in_mount(mount, "size=96k", script, tmp_path, private_tmp(tmp_path))
    assert "No space left on device" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout.split() == ["rc=1", "0"], result.stdout  # not even a staging folder


@needs_mount
def test_update_on_a_full_disk_changes_nothing(tmp_path: Path) -> None:
    """The project lives on a small tmpfs; the update's staging cannot fit: every file stays as it was."""
    from perfproj.templates.source import stage_builtin_template

    template = stage_builtin_template(tmp_path / "template", with_hooks=True)
    env = private_tmp(tmp_path)
    assert run_perfproj("new", "demo", "--no-input", "--no-git", "--template", template, cwd=tmp_path,
                        env=env).returncode == 0
    module = template / "{{cookiecutter.project_name}}" / "cmake/perfproj/modules/PerfprojLTO.cmake"
    module.write_text(module.read_text() + "# improved\n" * 2000)
    mount = tmp_path / "small"
    mount.mkdir()
    copy = f"cp -a {tmp_path / 'demo'} {mount}/demo"
    fill = f"head -c $(( $(df --output=avail -B1 {mount} | tail -1) - 8192 )) /dev/zero > {mount}/filler"
    snapshot = "find {0}/demo -type f | sort | xargs sha256sum".format(mount)
    script = f"{copy} && {fill}; {snapshot} > {tmp_path}/before; cd {mount}/demo && $PERFPROJ update; " \
             f"echo rc=$?; {snapshot} > {tmp_path}/after"
    result = perfproj_in_mount(mount, "size=2m", script, tmp_path, env)
    assert "rc=1" in result.stdout, result
    assert "No space left on device" in last_line(result) and "nothing was changed" in last_line(result)
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()


def test_a_file_size_limit_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    work = tmp_path / "work"
    work.mkdir()
    env = private_tmp(tmp_path)
    result = subprocess.run([sys.executable, "-m", "perfproj", "new", "demo", "--no-input", "--no-git"],
                            cwd=work, env=perfproj_env(env), capture_output=True, text=True, preexec_fn=limit)
    one_line_error(result, 1, "File too large")
    assert list(work.iterdir()) == []


def test_an_output_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("x")
    one_line_error(run_perfproj("new", "demo", "--no-input", "-o", "plain.txt/sub", cwd=tmp_path), 1,
                   "not a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.txt"]


def test_an_output_path_through_a_link_loop(tmp_path: Path) -> None:
    os.symlink("loop", tmp_path / "loop")
    one_line_error(run_perfproj("new", "demo", "--no-input", "-o", "loop", cwd=tmp_path), 1, "loop")
    one_line_error(run_perfproj("new", "demo", "--no-input", "-o", "loop/deeper", cwd=tmp_path), 1, "loop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop"]


def test_adopt_into_a_folder_it_cannot_write(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through permission bits; the read-only mount tests cover this case")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.25)\nproject(r CXX)\n")
    git_commit_all(repo)
    before = tree_snapshot(repo)
    repo.chmod(0o555)
    try:
        one_line_error(run_perfproj("adopt", repo, cwd=tmp_path), 1, "Permission denied")
    finally:
        repo.chmod(0o755)
    assert tree_snapshot(repo) == before
