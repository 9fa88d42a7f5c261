# Runs a program under a profiler (see PerfprojProfiling.cmake):
#   cmake -DTOOL=perf|callgrind|heaptrack -DPROGRAM=<exe> -DARGS=<a;b;...>
#         -DOUT_DIR=<dir> -DFLAMEGRAPH=<flamegraph.py> -P profile.cmake
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")

function(need program package)
  find_program(found NAMES ${program} NO_CACHE)
  if(NOT found)
    message(FATAL_ERROR "perfproj: ${program} is not installed: install the Debian package ${package}")
  endif()
  set(${program}_path "${found}" PARENT_SCOPE)
endfunction()

function(run log)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE failed OUTPUT_FILE "${OUT_DIR}/${log}"
                  ERROR_FILE "${OUT_DIR}/${log}")
  if(failed)
    file(READ "${OUT_DIR}/${log}" text)
    message(FATAL_ERROR "perfproj: ${ARGV1} failed:\n${text}")
  endif()
endfunction()

# The first lines of a report, so the hot spots show right away.
function(show file lines)
  file(STRINGS "${file}" content LIMIT_COUNT ${lines})
  foreach(line IN LISTS content)
    message("  ${line}")
  endforeach()
endfunction()

if(TOOL STREQUAL "perf")
  need(perf linux-perf)
  # Hardware cycles when the machine exposes them, else a software clock.
  execute_process(COMMAND "${perf_path}" stat -e cycles true OUTPUT_QUIET ERROR_VARIABLE stat)
  set(event cycles)
  if(stat MATCHES "not supported|not counted|Permission")
    set(event cpu-clock)
  endif()
  run(perf-record.log "${perf_path}" record -e ${event} -g -o "${OUT_DIR}/perf.data" -- "${PROGRAM}" ${ARGS})
  execute_process(COMMAND "${perf_path}" report -i "${OUT_DIR}/perf.data" --stdio --no-children
                          --percent-limit 2 --sort symbol
                  OUTPUT_FILE "${OUT_DIR}/perf-report.txt" ERROR_QUIET)
  execute_process(COMMAND "${perf_path}" script -i "${OUT_DIR}/perf.data"
                  OUTPUT_FILE "${OUT_DIR}/perf.script" ERROR_QUIET)
  message("perfproj: perf profile (${event} samples) in ${OUT_DIR}:")
  message("  perf.data, perf-report.txt (perf report --stdio)")
  find_program(python NAMES python3 NO_CACHE)
  if(python)
    execute_process(COMMAND "${python}" "${FLAMEGRAPH}" "${OUT_DIR}/flamegraph.svg"
                            --folded "${OUT_DIR}/stacks.folded" --title "${PROGRAM}"
                    INPUT_FILE "${OUT_DIR}/perf.script" RESULT_VARIABLE failed)
    if(NOT failed)
      message("  flamegraph.svg (open in a browser), stacks.folded")
    endif()
  else()
    message("  no flame graph: python3 is not installed (Debian package python3)")
  endif()
  file(STRINGS "${OUT_DIR}/perf-report.txt" hot REGEX "^ +[0-9.]+%")
  list(SUBLIST hot 0 8 hot)
  message("hottest functions:")
  foreach(line IN LISTS hot)
    message("  ${line}")
  endforeach()
elseif(TOOL STREQUAL "callgrind")
  need(valgrind valgrind)
  need(callgrind_annotate valgrind)
  run(callgrind.log "${valgrind_path}" --tool=callgrind "--callgrind-out-file=${OUT_DIR}/callgrind.out"
      "${PROGRAM}" ${ARGS})
  execute_process(COMMAND "${callgrind_annotate_path}" "${OUT_DIR}/callgrind.out"
                  OUTPUT_FILE "${OUT_DIR}/callgrind-annotated.txt" ERROR_QUIET)
  message("perfproj: callgrind profile in ${OUT_DIR}:")
  message("  callgrind.out (open with kcachegrind), callgrind-annotated.txt (callgrind_annotate)")
  file(STRINGS "${OUT_DIR}/callgrind-annotated.txt" hot REGEX "^ *[0-9,]+ \\(")
  list(SUBLIST hot 0 9 hot)
  message("most instructions:")
  foreach(line IN LISTS hot)
    message("  ${line}")
  endforeach()
elseif(TOOL STREQUAL "heaptrack")
  need(heaptrack heaptrack)
  need(heaptrack_print heaptrack)
  run(heaptrack.log "${heaptrack_path}" -o "${OUT_DIR}/heaptrack" "${PROGRAM}" ${ARGS})
  file(GLOB recording "${OUT_DIR}/heaptrack.*")
  list(FILTER recording INCLUDE REGEX "\\.(zst|gz)$")
  execute_process(COMMAND "${heaptrack_print_path}" ${recording}
                  OUTPUT_FILE "${OUT_DIR}/heaptrack-summary.txt" ERROR_QUIET)
  message("perfproj: heaptrack recording in ${OUT_DIR}:")
  message("  ${recording} (open with heaptrack_gui), heaptrack-summary.txt (heaptrack_print)")
  file(STRINGS "${OUT_DIR}/heaptrack-summary.txt" totals
       REGEX "^(total runtime|calls to allocation functions|temporary memory allocations|peak heap memory consumption|peak RSS|total memory leaked)")
  foreach(line IN LISTS totals)
    message("  ${line}")
  endforeach()
else()
  message(FATAL_ERROR "profile.cmake: unknown TOOL '${TOOL}'")
endif()
