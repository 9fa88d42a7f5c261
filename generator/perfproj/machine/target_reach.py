"""Which targets a perfproj setting reaches in a configured build.

Some settings apply target by target, and only to targets that ask: the
per-target defaults (perfproj_target_defaults()), the allocator
(perfproj_link_allocator(), which the defaults call for executables) and BOLT
(the executables given the defaults). An adopted repository's CMakeLists.txt
calls none of these until its owners add the call, so there they reach
nothing. The modules record the targets in the cache at the end of configure;
`perfproj explain` shows them and `perfproj tune` leaves out candidates that
would change nothing.
"""

from __future__ import annotations

from pathlib import Path

TARGETS_WITH_DEFAULTS = "_PERFPROJ_TARGETS_WITH_DEFAULTS"  # PerfprojTargets.cmake
EXECUTABLES_WITH_DEFAULTS = "_PERFPROJ_EXECUTABLES"  # PerfprojTargets.cmake: what BOLT optimizes
ALLOCATOR_TARGETS = "_PERFPROJ_ALLOCATOR_TARGETS"  # PerfprojAllocator.cmake

# Options perfproj_target_defaults() applies target by target (the rest apply to the whole build).
PER_TARGET_OPTIONS = ("PERFPROJ_HARDENING", "PERFPROJ_WARNINGS", "PERFPROJ_WARNINGS_AS_ERRORS",
                      "PERFPROJ_CLANG_TIDY", "PERFPROJ_COVERAGE", "PERFPROJ_UNITY_BUILD", "PERFPROJ_UNITY_BATCH_SIZE")
# Every option that reaches only some targets: its record, and the call that gives a target the option.
OPTION_REACH = {
    **{option: (TARGETS_WITH_DEFAULTS, "perfproj_target_defaults()") for option in PER_TARGET_OPTIONS},
    "PERFPROJ_ALLOCATOR": (ALLOCATOR_TARGETS, "perfproj_link_allocator() or perfproj_target_defaults()"),
    "PERFPROJ_BOLT": (EXECUTABLES_WITH_DEFAULTS, "perfproj_target_defaults()"),
}


def targets(value: str) -> list[str]:
    """A record's value (a CMake list) as target names."""
    return [name for name in value.split(";") if name]


def recorded(build_dir: Path, record: str) -> list[str] | None:
    """The targets `record` lists in the build's CMakeCache.txt (None: not configured, or modules too old to say)."""
    cache = build_dir / "CMakeCache.txt"
    if not cache.is_file():
        return None
    for line in cache.read_text(errors="replace").splitlines():
        if line.startswith(f"{record}:"):
            return targets(line.split("=", 1)[1])
    return None
