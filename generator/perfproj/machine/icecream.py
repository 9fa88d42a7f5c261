"""Is icecream (PERFPROJ_DISTRIBUTED=icecc) usable from here: a local daemon, a reachable scheduler?

The icecc wrapper talks to the local iceccd through a Unix socket (root's
daemon: /var/run/icecc/iceccd.socket; a user's: ~/.iceccd.socket) and falls
back to compiling locally when there is none, so a build never fails for
want of a cluster: it just is not distributed. The daemon finds the
scheduler either at ICECC_SCHEDULER_HOST (Debian: /etc/icecc/icecc.conf) or
by a broadcast on the local network, which only the daemon itself can see.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path

CONFIG = Path("/etc/icecc/icecc.conf")
SCHEDULER_PORT = 8765


def daemon_sockets(home: Path | None = None) -> tuple[Path, ...]:
    return (Path("/var/run/icecc/iceccd.socket"), (home or Path.home()) / ".iceccd.socket")


def running_daemon(sockets: tuple[Path, ...]) -> Path | None:
    """The first socket a daemon answers on, or None."""
    for path in sockets:
        if not path.exists():
            continue
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1.0)
            try:
                client.connect(str(path))
            except OSError:
                continue
            return path
    return None


def configured_scheduler(config: Path = CONFIG) -> str | None:
    """ICECC_SCHEDULER_HOST from the daemon's configuration, or None (broadcast discovery)."""
    try:
        text = config.read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r'^\s*ICECC_SCHEDULER_HOST\s*=\s*"?([^"\n]*)"?\s*$', text, re.M)
    return match.group(1).strip() or None if match else None


@dataclass
class Reachability:
    address: str
    reachable: bool
    why: str  # the connection error, when not reachable


def scheduler_reachable(host: str, timeout: float = 2.0) -> Reachability:
    """A TCP connection to the scheduler (host, or host:port)."""
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    address = (name, int(port)) if port.isdigit() else (host, SCHEDULER_PORT)
    shown = f"{address[0]}:{address[1]}"
    try:
        with socket.create_connection(address, timeout=timeout):
            return Reachability(shown, True, "")
    except OSError as error:
        return Reachability(shown, False, error.strerror or str(error))
