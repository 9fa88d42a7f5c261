"""A real icecream cluster on this machine: a scheduler, a client daemon and a worker daemon.

The scheduler and the client iceccd live in one network namespace, the
worker iceccd in a second one, joined by a veth pair; each daemon gets its
own /run (its Unix socket lives there). Commands run inside the client
daemon's namespaces, where icecc finds that daemon. The client has no job
slots of its own, so every compile must cross the network to the worker,
whose log counts them: the way it would reach another machine.

Network namespaces need root (CAP_NET_ADMIN): where they cannot be made,
ClusterUnavailable says why. Used by tests/integration/test_distributed.py
and tests/benchmarks/bench_build_speed.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

REMOTE_DONE = "Remote compilation completed"


class ClusterUnavailable(Exception):
    """This machine cannot host the cluster (no root, no network namespaces)."""


class ClusterBroken(Exception):
    """The cluster started but does not work (daemons cannot reach the scheduler or the worker)."""


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


@dataclass
class Cluster:
    root: Path  # logs and the daemons' environments
    client_pid: int

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}:\n{log.read_text(errors='replace')[-2500:]}"
                         for log in sorted(self.root.glob("*.log")))

    def remote_compiles(self) -> int:
        return (self.root / "worker.log").read_text(errors="replace").count(REMOTE_DONE)

    def command(self, cwd: Path, *command: str) -> list[str]:
        """`command`, run in `cwd` inside the client daemon's namespaces."""
        return ["nsenter", "--target", str(self.client_pid), "--mount", "--net", f"--wd={cwd}", "--", *command]

    def run(self, cwd: Path, *command: str, env: Mapping[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(self.command(cwd, *command), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=1800)
        if check and result.returncode != 0:
            raise ClusterBroken(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-4000:]}")
        return result


def _wait_connected(root: Path, logs: tuple[str, ...]) -> None:
    deadline = time.monotonic() + 90  # a daemon retries the scheduler every few seconds
    while time.monotonic() < deadline:
        if all((root / log).exists() and "Connected to scheduler" in (root / log).read_text(errors="replace")
               for log in logs):
            return
        time.sleep(0.5)
    tails = {log: (root / log).read_text(errors="replace")[-1500:] for log in logs if (root / log).exists()}
    raise ClusterBroken(f"the icecream daemons did not reach the scheduler: {tails}")


def _warm_up(cluster: Cluster) -> None:
    """Wait until a compile crossed to the worker (the first one also packs the compiler)."""
    (cluster.root / "probe.cpp").write_text("int probe() { return 42; }\n")
    for _ in range(10):
        cluster.run(cluster.root, "icecc", "g++", "-O2", "-c", "probe.cpp", "-o", "probe.o")
        if cluster.remote_compiles():
            return
        time.sleep(1)
    raise ClusterBroken(f"no compile reached the worker:\n{cluster.logs()}")


@contextmanager
def local_cluster(worker_jobs: int = 2) -> Iterator[Cluster]:
    if os.geteuid() != 0:
        raise ClusterUnavailable("an icecream cluster on one machine needs network namespaces, which need root")
    tag = f"pp{os.getpid() % 100000}"
    client_ns, worker_ns = f"{tag}c", f"{tag}w"
    subnet = f"10.79.{os.getpid() % 250}"
    made = _ip("netns", "add", client_ns)
    if made.returncode != 0:
        raise ClusterUnavailable(f"cannot make a network namespace here (needs CAP_NET_ADMIN): {made.stderr.strip()}")
    # The daemons write their logs as the icecc user: a folder it can reach (pytest's base is 0700).
    root = Path(tempfile.mkdtemp(prefix="perfproj-icecream-"))
    root.chmod(0o777)
    try:
        for step in (
            ["netns", "add", worker_ns],
            ["link", "add", f"{tag}a", "type", "veth", "peer", "name", f"{tag}b"],
            ["link", "set", f"{tag}a", "netns", client_ns], ["link", "set", f"{tag}b", "netns", worker_ns],
            ["-n", client_ns, "addr", "add", f"{subnet}.1/24", "dev", f"{tag}a"],
            ["-n", worker_ns, "addr", "add", f"{subnet}.2/24", "dev", f"{tag}b"],
            ["-n", client_ns, "link", "set", f"{tag}a", "up"], ["-n", worker_ns, "link", "set", f"{tag}b", "up"],
            ["-n", client_ns, "link", "set", "lo", "up"], ["-n", worker_ns, "link", "set", "lo", "up"],
        ):
            result = _ip(*step)
            if result.returncode != 0:
                raise ClusterUnavailable(f"cannot wire two network namespaces here: ip {' '.join(step)}: "
                                         f"{result.stderr.strip()}")
        scheduler = f"{subnet}.1"
        subprocess.run(["ip", "netns", "exec", client_ns, "icecc-scheduler", "-d", "-l", str(root / "scheduler.log"),
                        "-n", tag], check=True)

        def daemon(namespace: str, name: str, *options: str) -> None:
            # A private /run per daemon: its socket is /run/icecc/iceccd.socket.
            subprocess.run(["ip", "netns", "exec", namespace, "sh", "-c",
                            f"mount -t tmpfs {name} /run && exec iceccd -d -vvv -n {tag} -s {scheduler} "
                            f"-l {root}/{name}.log -b {root}/{name}-envs -N {name} " + " ".join(options)],
                           check=True)

        daemon(worker_ns, "worker", "-m", str(worker_jobs))
        # No job slots of its own: the scheduler must send every compile to the worker.
        daemon(client_ns, "client", "--no-remote", "-m", "0")
        _wait_connected(root, ("worker.log", "client.log"))
        pids = _ip("netns", "pids", client_ns).stdout.split()
        client = next(int(pid) for pid in pids
                      if "iceccd" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"))
        cluster = Cluster(root, client)
        _warm_up(cluster)
        yield cluster
    finally:
        for namespace in (client_ns, worker_ns):
            for pid in _ip("netns", "pids", namespace).stdout.split():
                subprocess.run(["kill", pid], capture_output=True)
        time.sleep(0.5)
        for namespace in (client_ns, worker_ns):
            _ip("netns", "del", namespace)
        shutil.rmtree(root, ignore_errors=True)
