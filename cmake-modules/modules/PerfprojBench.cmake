# Benchmarks: perfproj_benchmark(<target>).
#
# For a Google Benchmark executable (link benchmark::benchmark, write no
# main()) this adds:
#   - a main() that records context in the results: git revision, the build
#     directory's name (the preset's, with perfproj's presets), compiler,
#     build type, LTO, PGO, architecture, sanitizers, and the allocator that
#     serves malloc at run time;
#   - the `bench` target (also `perfproj-bench`), which runs every benchmark
#     executable with 5 repetitions and writes <build>/bench-results/<target>.json;
#   - <build>/perfproj-benchmarks.txt, the list of benchmark executables that
#     bench_gate.py compares between two builds;
#   - perfproj_bench.hpp on the include path: perfproj::measured(state) for
#     loops whose instructions the deterministic gate counts.
include_guard(GLOBAL)

function(_perfproj_git_revision_target)
  if(TARGET perfproj-git-revision)
    return()
  endif()
  set(header "${CMAKE_BINARY_DIR}/perfproj/perfproj_git_revision.h")
  add_custom_target(perfproj-git-revision
    COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${CMAKE_SOURCE_DIR}" "-DOUTPUT=${header}"
            -P "${PERFPROJ_SCRIPTS_DIR}/bench_revision.cmake"
    BYPRODUCTS "${header}" VERBATIM)
endfunction()

# perfproj_benchmark(<target>)
function(perfproj_benchmark target)
  _perfproj_git_revision_target()
  target_sources(${target} PRIVATE "${PERFPROJ_RUNTIME_DIR}/perfproj_bench_main.cpp")
  get_filename_component(build_name "${CMAKE_BINARY_DIR}" NAME)
  target_compile_definitions(${target} PRIVATE "PERFPROJ_BUILD_DIRECTORY_NAME=\"${build_name}\"")
  # SYSTEM: perfproj's headers (and valgrind's macros) raise no project warnings.
  target_include_directories(${target} SYSTEM PRIVATE "${PERFPROJ_RUNTIME_DIR}" "${CMAKE_BINARY_DIR}/perfproj")
  add_dependencies(${target} perfproj-git-revision)
  perfproj_build_info(${target})
  get_property(deferred GLOBAL PROPERTY _PERFPROJ_BENCH_DEFERRED)
  if(NOT deferred)
    set_property(GLOBAL PROPERTY _PERFPROJ_BENCH_DEFERRED TRUE)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _perfproj_bench_targets)
  endif()
  set_property(GLOBAL APPEND PROPERTY PERFPROJ_BENCHMARKS ${target})
endfunction()

# At the end of configure: the manifest and the bench targets.
function(_perfproj_bench_targets)
  get_property(benchmarks GLOBAL PROPERTY PERFPROJ_BENCHMARKS)
  set(manifest "")
  set(commands "")
  set(results "${CMAKE_BINARY_DIR}/bench-results")
  foreach(target IN LISTS benchmarks)
    string(APPEND manifest "${target}=$<TARGET_FILE:${target}>\n")
    list(APPEND commands COMMAND "$<TARGET_FILE:${target}>" "--benchmark_out=${results}/${target}.json"
                                 --benchmark_out_format=json --benchmark_repetitions=5
                                 --benchmark_display_aggregates_only=true)
  endforeach()
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/perfproj-benchmarks.txt" CONTENT "${manifest}")
  add_custom_target(perfproj-bench
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${results}"
    ${commands}
    COMMAND "${CMAKE_COMMAND}" -E echo "perfproj: benchmark results in ${results}/"
    DEPENDS ${benchmarks} USES_TERMINAL VERBATIM)
  perfproj_target_name(bench_target bench)
  if(NOT TARGET ${bench_target})
    add_custom_target(${bench_target} DEPENDS perfproj-bench)
  endif()
endfunction()
