# perfproj: performance-tuned builds through validated PERFPROJ_* options.
#
# Use from a project's CMakeLists.txt, after project():
#
#   list(APPEND CMAKE_MODULE_PATH "${PROJECT_SOURCE_DIR}/cmake/perfproj")
#   include(Perfproj)
#   ...
#   perfproj_target_defaults(mylib myapp)   # warnings, visibility, hardening, lint,
#                                           # coverage, CPU guard, allocator
#   perfproj_build_info(myapp)              # --build-info support
#   perfproj_add_profiling(myapp ARGS ...)  # myapp-perf, -callgrind, -heaptrack targets
#   perfproj_benchmark(mybench)             # main() with context, the bench target
#   perfproj_add_fuzzer(myfuzzer f.cpp LINK mylib CORPUS corpus REGRESSIONS crashes)
#   perfproj_precompile_headers(mylib <string> <vector>)  # PRIVATE, never exported
#
# Presets set PERFPROJ_* cache variables; the modules turn them into flags.
# Whole-program settings apply to every target defined after this include,
# dependencies included, and are never exported with installed targets.
#
# This folder (cmake/perfproj/ in a project) holds three kinds of files:
#   modules/   Perfproj<Feature>.cmake, included here, in the order below
#   scripts/   <feature>[_<what>].cmake|.py, run by you or by targets
#              (cmake -P ..., python3 ...): pgo.cmake, format.cmake, bench_gate.py, ...
#   runtime/   perfproj_*.{c,h,hpp,cpp,...}: sources and compiler inputs that go
#              into the project's own targets (build info, CPU guard, bench main)
# and the entry points: this file, and PerfprojTopLevel.cmake with
# PerfprojProjectInclude.cmake for repositories brought in by `perfproj adopt`.
include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.25)
  message(FATAL_ERROR "perfproj needs CMake 3.25 or newer (this is ${CMAKE_VERSION})")
endif()
set(PERFPROJ_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(PERFPROJ_SCRIPTS_DIR "${PERFPROJ_DIR}/scripts")
set(PERFPROJ_RUNTIME_DIR "${PERFPROJ_DIR}/runtime")

# The modules, in order: each is included, then its _perfproj_apply_<name>
# (when it has one) turns its options into flags. A module may use what the
# modules before it define or set; each one's header says what it reads and sets.
set(_PERFPROJ_MODULES
    Options Probe Toolchain LTO Arch Allocator PGO BOLT CompilerCache Distributed BuildProfile Sanitizers Fuzz
    Hardening Profiling Coverage Lint Warnings BuildInfo Bench SplitDebug Unity Targets)

foreach(_perfproj_module IN LISTS _PERFPROJ_MODULES)
  include("${PERFPROJ_DIR}/modules/Perfproj${_perfproj_module}.cmake")
  if(_perfproj_module STREQUAL "Probe")  # from here on the modules probe the compilers
    perfproj_primary_language(_perfproj_lang)
    if(NOT _perfproj_lang)
      message(FATAL_ERROR "perfproj: include(Perfproj) after project() has enabled C or C++")
    endif()
  endif()
endforeach()
foreach(_perfproj_module IN LISTS _PERFPROJ_MODULES)
  if(COMMAND _perfproj_apply_${_perfproj_module})
    cmake_language(CALL _perfproj_apply_${_perfproj_module})
  endif()
endforeach()

perfproj_check_unknown_options()
perfproj_fail_on_problems()
