"""Which Debian package provides a tool, so `perfproj doctor` can say what to install.

Debian splits LLVM by major version (clang-16, llvm-16, lld-16, bolt-16) and
names some packages differently from their commands (perf is linux-perf, ninja
is ninja-build), so the mapping is explicit rather than guessed.
"""

from __future__ import annotations

import re

# Command name -> package, for commands whose package is not simply their name.
_FIXED = {
    "perf": "linux-perf",
    "ninja": "ninja-build",
    "llvm-profdata": "llvm",
    "ld.lld": "lld",
    "clang++": "clang",
    # Debian 12 ships BOLT only as bolt-16 (docs/pgo.md, BOLT).
    "llvm-bolt": "bolt-16",
    "bolt-runtime": "libbolt-16-dev",
}

# Versioned LLVM commands: NAME-N comes from PACKAGE-N.
_VERSIONED = {
    "clang": "clang",
    "clang++": "clang",
    "llvm-profdata": "llvm",
    "ld.lld": "lld",
    "llvm-bolt": "bolt",
    "bolt-runtime": "libbolt",
    "clang-tidy": "clang-tidy",
    "clang-format": "clang-format",
    "g++": "g++",
    "gcc": "gcc",
}

_VERSIONED_RE = re.compile(r"^(?P<name>.+)-(?P<major>\d+)$")


def debian_package(tool: str) -> str:
    """The Debian package that installs `tool` (a command name such as ld.lld-16)."""
    match = _VERSIONED_RE.match(tool)
    if match and match["name"] in _VERSIONED:
        base = _VERSIONED[match["name"]]
        suffix = "-dev" if match["name"] == "bolt-runtime" else ""
        return f"{base}-{match['major']}{suffix}"
    return _FIXED.get(tool, tool)
