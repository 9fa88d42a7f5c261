"""Where perfproj's own files moved between releases, inside cmake/perfproj/ (or adopt's modules folder).

perfproj 0.2 sorted the folder by kind: modules/ (included), scripts/ (run),
runtime/ (compiled into the project's targets). `perfproj update` uses this
table to carry a file's local edits to its new place (a three-way merge, as
for any file) and to remove the old copy, so nothing is lost and nothing is
left behind twice.
"""

from __future__ import annotations

_MODULES = ("Allocator", "Arch", "BOLT", "Bench", "BuildInfo", "CompilerCache", "Coverage", "Hardening", "LTO",
            "Lint", "Options", "PGO", "Probe", "Profiling", "Sanitizers", "Targets", "Toolchain", "Warnings")
_RUNTIME = ("perfproj_bench.hpp", "perfproj_bench_main.cpp", "perfproj_build_info.c", "perfproj_build_info.h",
            "perfproj_cpu_guard.c", "perfproj_msan_libstdcxx.h")

# old path -> new path, relative to the folder that holds Perfproj.cmake
MOVES: dict[str, str] = {
    **{f"Perfproj{name}.cmake": f"modules/Perfproj{name}.cmake" for name in _MODULES},
    **{f"support/{name}": f"runtime/{name}" for name in _RUNTIME},
    "support/msan-libstdcxx.ignorelist": "runtime/perfproj_msan_libstdcxx.ignorelist",
    "pgo.cmake": "scripts/pgo.cmake",
    "format.cmake": "scripts/format.cmake",
    "bench_gate.py": "scripts/bench_gate.py",
    "support/bolt.cmake": "scripts/bolt.cmake",
    "support/cache-stats.cmake": "scripts/cache_stats.cmake",
    "support/coverage.cmake": "scripts/coverage.cmake",
    "support/flamegraph.py": "scripts/profile_flamegraph.py",
    "support/git-revision.cmake": "scripts/bench_revision.cmake",
    "support/pgo-profile.cmake": "scripts/pgo_profile.cmake",
    "support/profile.cmake": "scripts/profile.cmake",
}


def moves(modules_dir: str, old_paths: set[str], new_paths: set[str]) -> dict[str, str]:
    """The moves that apply between a recorded generation and the new one (project-relative paths)."""
    found = {}
    for old, new in MOVES.items():
        old_path, new_path = f"{modules_dir}/{old}", f"{modules_dir}/{new}"
        if old_path in old_paths and new_path in new_paths and old_path not in new_paths:
            found[old_path] = new_path
    return found
