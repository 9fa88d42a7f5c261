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
#
# Presets set PERFPROJ_* cache variables; the modules turn them into flags.
# Whole-program settings apply to every target defined after this include,
# dependencies included, and are never exported with installed targets.
include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.25)
  message(FATAL_ERROR "perfproj needs CMake 3.25 or newer (this is ${CMAKE_VERSION})")
endif()
set(PERFPROJ_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")

include("${PERFPROJ_MODULE_DIR}/PerfprojOptions.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojProbe.cmake")

perfproj_primary_language(_perfproj_lang)
if(NOT _perfproj_lang)
  message(FATAL_ERROR "perfproj: include(Perfproj) after project() has enabled C or C++")
endif()

include("${PERFPROJ_MODULE_DIR}/PerfprojToolchain.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojLTO.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojArch.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojAllocator.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojPGO.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojBOLT.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojCompilerCache.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojSanitizers.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojHardening.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojProfiling.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojCoverage.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojLint.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojWarnings.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojBuildInfo.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojBench.cmake")
include("${PERFPROJ_MODULE_DIR}/PerfprojTargets.cmake")

_perfproj_apply_lto()
_perfproj_apply_arch()
_perfproj_apply_allocator()
_perfproj_apply_pgo()
_perfproj_apply_bolt()
_perfproj_apply_compiler_cache()
_perfproj_apply_sanitizers()
_perfproj_apply_hardening()
_perfproj_apply_profiling()
_perfproj_apply_coverage()
_perfproj_apply_lint()

perfproj_check_unknown_options()
perfproj_fail_on_problems()
