# perfproj in a repository brought in by `perfproj adopt`, whose CMakeLists.txt
# is not edited. The adopted presets set
#
#   CMAKE_PROJECT_TOP_LEVEL_INCLUDES=${sourceDir}/<modules dir>/PerfprojTopLevel.cmake
#
# CMake (3.24+) includes this file inside the first project() call, but before
# that call enables any language [verified, CMake 3.25]: too early for
# Perfproj.cmake, which probes the compilers. So this file only arranges for
# Perfproj.cmake to run at the end of that same project() call, through
# CMAKE_PROJECT_INCLUDE. A CMAKE_PROJECT_INCLUDE the build already had still
# runs, first (see PerfprojProjectInclude.cmake).
#
# Whole-program settings (LTO, arch, PGO, BOLT, sanitizers, allocator, cache,
# profiling) are global and so reach every target of the repository. The
# per-target helpers (perfproj_target_defaults: warnings, hardening, CPU guard)
# need a call in CMakeLists.txt and are left to projects that want them.
include_guard(GLOBAL)

# The repository has names of its own: every target perfproj adds is named
# perfproj-* (perfproj-format, not format), so none can collide with one the
# repository defines now or later (see PerfprojOptions.cmake, perfproj_target_name).
set(PERFPROJ_ADOPTED TRUE)

set(_PERFPROJ_CHAINED_PROJECT_INCLUDE "${CMAKE_PROJECT_INCLUDE}")
set(CMAKE_PROJECT_INCLUDE "${CMAKE_CURRENT_LIST_DIR}/PerfprojProjectInclude.cmake")
