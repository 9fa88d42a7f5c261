"""A compiler cache shared past one machine, for real: ccache with Redis
remote storage. The first checkout fills Redis; a second checkout elsewhere,
with an empty local cache, must get >= 90% of its compiles from Redis.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from helpers.cli import generate
from helpers.packages import require


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[str]:
    """redis-server on a free loopback port, no persistence; stopped afterwards."""
    require("redis-server", "ccache")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a start-up limit, not a speed check
        while not _ping(port):
            assert server.poll() is None, "redis-server exited at start-up"
            assert time.monotonic() < deadline, "redis-server did not answer PING"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=15)


def _build(project: Path, local_cache: Path, remote: str) -> str:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CCACHE_", "CMAKE_C_COMPILER_LAUNCHER", "CMAKE_CXX_COMPILER_LAUNCHER"))}
    env.update(CCACHE_DIR=str(local_cache), CCACHE_REMOTE_STORAGE=remote, CC="gcc", CXX="g++",
               CMAKE_BUILD_PARALLEL_LEVEL="2")
    for command in (["cmake", "--preset", "dev", "-DPERFPROJ_COMPILER_CACHE=ccache"],
                    ["cmake", "--build", "--preset", "dev"],
                    ["cmake", "--build", "--preset", "dev", "--target", "perfproj-cache-stats"]):
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_second_checkout_hits_the_redis_cache(tmp_path: Path, redis: str) -> None:
    first = generate(tmp_path, "shared")
    second = tmp_path / "elsewhere" / "shared"
    shutil.copytree(first, second)

    stats = _build(first, tmp_path / "cache-first", redis)
    assert re.search(r"0 hits, (\d+) misses", stats), stats  # a cold start really compiled

    stats = _build(second, tmp_path / "cache-second", redis)
    found = re.search(r"(\d+) hits, (\d+) misses of (\d+) compiles: \d+% hit rate, (\d+) from remote storage", stats)
    assert found, stats
    hits, total, remote = int(found.group(1)), int(found.group(3)), int(found.group(4))
    assert total >= 10 and remote / total >= 0.9, stats
    assert hits >= remote
