# BOLT every executable listed in MANIFEST, in place (run by the
# perfproj-bolt-* targets, see PerfprojBOLT.cmake):
#   MODE=instrument  <exe> -> <exe>.pre-bolt (the linker's output), and an
#                    instrumented copy as <exe>; its runs write DATA_DIR/<name>.<pid>.fdata
#   MODE=optimize    merge the runs' profiles; <exe> = BOLT(<exe>.pre-bolt, profile)
#   MODE=apply       one EXECUTABLE, right after it links, with the saved profile
#                    DATA_DIR/<name>.fdata (PERFPROJ_BOLT_PROFILE_DIR)
cmake_minimum_required(VERSION 3.25)

set(bolt_options -reorder-blocks=ext-tsp -reorder-functions=hfsort+ -split-functions -split-all-cold
                 -split-eh -icf=1 -use-gnu-stack -dyno-stats)
if(MODE STREQUAL "apply")
  get_filename_component(name "${EXECUTABLE}" NAME)
  if(NOT EXISTS "${DATA_DIR}/${name}.fdata")
    message(STATUS "perfproj: no saved BOLT profile for ${name}: left as linked")
    return()
  endif()
  file(COPY_FILE "${EXECUTABLE}" "${EXECUTABLE}.pre-bolt")
  execute_process(COMMAND "${BOLT}" "${EXECUTABLE}.pre-bolt" "-data=${DATA_DIR}/${name}.fdata"
                          -o "${EXECUTABLE}" ${bolt_options}
                  RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(failed)
    message(FATAL_ERROR "perfproj: BOLT failed on ${name} with ${DATA_DIR}/${name}.fdata:\n${out}")
  endif()
  return()
endif()

file(STRINGS "${MANIFEST}" executables)
file(MAKE_DIRECTORY "${DATA_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(failed)
    message(FATAL_ERROR "perfproj: BOLT step failed: ${ARGN}\n${out}")
  endif()
endfunction()

foreach(exe IN LISTS executables)
  get_filename_component(name "${exe}" NAME)
  set(original "${exe}.pre-bolt")
  if(MODE STREQUAL "instrument")
    # A binary BOLT already processed (an earlier run) cannot be processed
    # again: start from the linker's output.
    file(STRINGS "${exe}" bolted REGEX "\\.note\\.bolt_info" LIMIT_COUNT 1)
    if(bolted)
      file(COPY_FILE "${original}" "${exe}")
    endif()
    file(COPY_FILE "${exe}" "${original}")
    file(GLOB old "${DATA_DIR}/${name}.*fdata")
    file(REMOVE ${old} "${DATA_DIR}/${name}.fdata")
    # This llvm-bolt finds its instrumentation runtime in its own ../lib.
    run("${BOLT}" "${original}" -instrument
        "-instrumentation-file=${DATA_DIR}/${name}" -instrumentation-file-append-pid -o "${exe}")
    message("instrumented ${name}")
  elseif(MODE STREQUAL "optimize")
    file(GLOB runs "${DATA_DIR}/${name}.*.fdata")
    if(NOT runs)
      file(COPY_FILE "${original}" "${exe}")
      message("${name}: not run during training, left as linked")
      continue()
    endif()
    execute_process(COMMAND "${MERGE_FDATA}" ${runs} OUTPUT_FILE "${DATA_DIR}/${name}.fdata"
                    RESULT_VARIABLE failed ERROR_QUIET)
    if(failed)
      message(FATAL_ERROR "perfproj: merge-fdata failed for ${name}")
    endif()
    run("${BOLT}" "${original}" "-data=${DATA_DIR}/${name}.fdata" -o "${exe}" ${bolt_options})
    message("optimized ${name} with ${DATA_DIR}/${name}.fdata")
  else()
    message(FATAL_ERROR "bolt.cmake: unknown MODE '${MODE}'")
  endif()
endforeach()
