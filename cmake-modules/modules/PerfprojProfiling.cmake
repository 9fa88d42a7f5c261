# Builds for profilers, and helpers that run them: PERFPROJ_PROFILING.
#
# PERFPROJ_PROFILING=ON adds, to the whole build, debug info and frame
# pointers (-g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer): perf and
# other samplers then walk stacks cheaply and correctly. Typical cost: 1-2%.
#
# perfproj_add_profiling(<target> [ARGS <arg>...]) adds three targets that run
# the executable with ARGS under a profiler and say where the results went
# (build/<preset>/perfproj-profiles/<target>/<tool>/):
#   <target>-perf       perf record -g -> perf report, folded stacks and a
#                       flame graph SVG (scripts/profile_flamegraph.py)
#   <target>-callgrind  valgrind --tool=callgrind -> callgrind_annotate report
#   <target>-heaptrack  heaptrack -> heaptrack_print summary of allocations
# A missing tool stops the helper with a message naming its Debian package.
include_guard(GLOBAL)

perfproj_option(PERFPROJ_PROFILING OFF "Debug info and frame pointers for profilers" BOOL)

function(perfproj_profiling_flags out)
  set(${out} "" PARENT_SCOPE)
  if(NOT PERFPROJ_PROFILING)
    return()
  endif()
  set(flags -g -fno-omit-frame-pointer)
  perfproj_check_flags(leaf COMPILE -mno-omit-leaf-frame-pointer)
  if(leaf)
    list(APPEND flags -mno-omit-leaf-frame-pointer)
  endif()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

# perfproj_add_profiling(<target> [ARGS <arg>...])
function(perfproj_add_profiling target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "ARGS")
  set(script "${PERFPROJ_SCRIPTS_DIR}/profile.cmake")
  set(out "${CMAKE_BINARY_DIR}/perfproj-profiles/${target}")  # + /<tool>
  list(JOIN arg_ARGS "$<SEMICOLON>" args)  # one -D value, a list again in the script
  foreach(tool IN ITEMS perf callgrind heaptrack)
    add_custom_target(${target}-${tool}
      COMMAND "${CMAKE_COMMAND}" -DTOOL=${tool} "-DPROGRAM=$<TARGET_FILE:${target}>" "-DARGS=${args}"
              "-DOUT_DIR=${out}/${tool}" "-DFLAMEGRAPH=${PERFPROJ_SCRIPTS_DIR}/profile_flamegraph.py"
              -P "${script}"
      DEPENDS ${target}
      USES_TERMINAL VERBATIM)
  endforeach()
endfunction()

macro(_perfproj_apply_Profiling)
  perfproj_profiling_flags(_perfproj_profiling_flags)
  if(_perfproj_profiling_flags)
    add_compile_options(${_perfproj_profiling_flags})
  endif()
endmacro()
