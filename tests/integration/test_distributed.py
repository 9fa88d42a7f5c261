"""PERFPROJ_DISTRIBUTED=icecc with a real icecream cluster on this machine (helpers/icecream.py:
a scheduler and a client daemon in one network namespace, a worker daemon in another, so a
compile the worker's log records really crossed a network). Network namespaces need root;
where they cannot be made the tests skip and say why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from helpers.build import Project, build_env
from helpers.cli import generate
from helpers.icecream import Cluster, ClusterBroken, ClusterUnavailable, local_cluster
from helpers.packages import require
from perfproj.machine import icecream

PRESET = "distributed"
BUILD = f"build/{PRESET}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    require("icecc", "iproute2", "util-linux")
    try:
        with local_cluster() as running:
            yield running
    except ClusterUnavailable as why:
        pytest.skip(str(why))
    except ClusterBroken as what:
        pytest.fail(str(what))


def _in_cluster(cluster: Cluster, project: Project, *command: str) -> subprocess.CompletedProcess[str]:
    try:
        return cluster.run(project.path, *command, env=project.env)
    except ClusterBroken as what:
        pytest.fail(f"{what}\n{cluster.logs()}")


def _machine_code(build: Path) -> dict[str, bytes]:
    """What each linked executable loads (its code and data, as `objcopy -O binary` lays them out),
    by path. Left out: the build-id note and the debug link, which hash the debug info. GCC's LTO
    objects and debug info are not byte-reproducible even between two local builds (GCC names
    LTO sections with a random seed unless given -frandom-seed), so they are not compared."""
    images = {}
    for path in sorted(build.rglob("*")):
        if (path.is_file() and os.access(path, os.X_OK) and path.read_bytes()[:4] == b"\x7fELF"
                and path.suffix != ".debug" and not {"CMakeFiles", "perfproj-debug"} & set(path.parts)):
            image = path.with_name(path.name + ".image")
            subprocess.run(["objcopy", "-O", "binary", "--remove-section=.note.gnu.build-id",
                            "--remove-section=.gnu_debuglink", str(path), str(image)], check=True)
            images[str(path.relative_to(build))] = image.read_bytes()
            image.unlink()
    return images


def test_compiles_run_on_the_worker_and_match_a_local_build(cluster: Cluster, tmp_path: Path) -> None:
    env = build_env("gcc", tmp_path, {"CCACHE_DIR": str(tmp_path / "ccache")})
    project = Project(generate(tmp_path, "spread"), env)

    # The reference: the same preset compiled here, through a compiler cache of its own (ccache's
    # base-directory rewriting shapes __FILE__, so both builds go through it).
    local = Project(project.path, {**env, "CCACHE_DIR": str(tmp_path / "ccache-local")})
    local.configure(PRESET, defines={"PERFPROJ_DISTRIBUTED": "none"})
    local.run("cmake", "--build", BUILD, "-j", "2")
    reference = _machine_code(project.path / BUILD)

    before = cluster.remote_compiles()
    configured = _in_cluster(cluster, project, "cmake", "--fresh", "--preset", PRESET)
    assert "perfproj: distributed: icecc behind the compiler cache" in configured.stdout
    _in_cluster(cluster, project, "cmake", "--build", "--preset", PRESET)
    sent = cluster.remote_compiles() - before
    sources = len(project.own_compile_commands(BUILD))
    assert sent >= sources // 2, f"only {sent} of {sources} compiles reached the worker:\n{cluster.logs()}"

    rules = (project.path / BUILD / "CMakeFiles/rules.ninja").read_text()
    assert f"CCACHE_PREFIX={shutil.which('icecc')}" in rules  # behind ccache, not in front of it
    # Links stay local, in a pool: this LTO preset keeps the LTO module's one-at-a-time pool
    # (each LTO link uses every core), which a pool sized for 64 remote jobs must not replace.
    assert "links local in Ninja's perfproj_lto_link pool" in configured.stdout
    blocks = (project.path / BUILD / "build.ninja").read_text().split("\nbuild ")
    link_pools = [re.search(r"^  pool = (\S+)", block, re.M) for block in blocks
                  if re.match(r"[^:]+: CXX_EXECUTABLE_LINKER__", block)]
    assert link_pools and all(pool and pool.group(1) == "perfproj_lto_link" for pool in link_pools)
    # icecc rewrites the remote command line; GCC then must not record it in the debug info.
    assert all("-gno-record-gcc-switches" in entry["command"] for entry in project.own_compile_commands(BUILD))
    distributed = _machine_code(project.path / BUILD)
    assert distributed.keys() == reference.keys() and "tests/spread_tests" in reference, set(reference)
    differing = [name for name in reference if reference[name] != distributed[name]]
    assert not differing, f"built on the worker, these differ from the local build: {differing}"
    _in_cluster(cluster, project, "ctest", "--preset", PRESET)

    # A cache hit never reaches the network: a fresh build tree compiles nothing remotely.
    shutil.rmtree(project.path / BUILD)
    before = cluster.remote_compiles()
    _in_cluster(cluster, project, "cmake", "--preset", PRESET)
    _in_cluster(cluster, project, "cmake", "--build", "--preset", PRESET)
    assert cluster.remote_compiles() == before
    assert _machine_code(project.path / BUILD) == distributed


def test_what_cannot_distribute_fails_configure_with_a_fix(tmp_path: Path) -> None:
    require("icecc", "sccache")
    env = build_env("gcc", tmp_path)
    env = {key: value for key, value in env.items() if not key.endswith("_COMPILER_LAUNCHER")}
    project = Project(generate(tmp_path, "spread"), env)
    result = project.configure(PRESET, defines={"PERFPROJ_COMPILER_CACHE": "sccache",
                                                "PERFPROJ_DISTRIBUTED_JOBS": "many"}, check=False)
    assert result.returncode != 0
    assert "2 problem(s)" in result.stdout, result.stdout[-3000:]
    assert "cannot follow the CXX launcher" in result.stdout and "only ccache hands its misses on" in result.stdout
    assert "fix: use PERFPROJ_COMPILER_CACHE=ccache or none" in result.stdout
    assert "PERFPROJ_DISTRIBUTED_JOBS=many is not a number of jobs" in result.stdout

    # auto picks ccache when distributing (sccache would be first otherwise), and without a daemon
    # configure warns that compiles stay local (Debian's icecc package starts one where systemd runs).
    result = project.run("cmake", "--fresh", "--preset", PRESET, "-DPERFPROJ_DISTRIBUTED_JOBS=12")
    assert "perfproj: compiler cache: ccache" in result.stdout
    assert "pool perfproj_compile\n  depth = 12" in (project.path / BUILD / "CMakeFiles/rules.ninja").read_text()
    assert "pool = perfproj_compile" in (project.path / BUILD / "build.ninja").read_text()
    if icecream.running_daemon(icecream.daemon_sockets()):
        assert "perfproj: distributed: icecc behind the compiler cache" in result.stdout
    else:
        assert "no iceccd daemon is running here" in result.stdout


def test_no_icecream_fails_configure_with_the_fix(tmp_path: Path) -> None:
    require("icecc", "util-linux")
    if os.geteuid() != 0:
        pytest.skip("hiding the installed icecc needs a mount namespace, which needs root")
    project = Project(generate(tmp_path, "spread"), build_env("gcc", tmp_path))
    # /usr/bin/icecc hidden behind a non-executable file, in this command's mount namespace only.
    result = project.run("unshare", "--mount", "sh", "-c",
                         f"mount --bind /dev/null {shutil.which('icecc')} && cmake --preset {PRESET}", check=False)
    assert result.returncode != 0
    assert "PERFPROJ_DISTRIBUTED=icecc but icecream is not installed" in result.stdout, result.stdout[-3000:]
    assert "fix: install the Debian package icecc" in result.stdout
