# The coverage report (run by the perfproj-coverage target, after the tests):
# HTML in BINARY_DIR/coverage-report/ and a one-line summary of line coverage
# for the project's own sources (not tests, benchmarks, or dependencies).
cmake_minimum_required(VERSION 3.25)

if(MODE STREQUAL "clean")
  file(GLOB_RECURSE counts "${BINARY_DIR}/*.gcda" "${BINARY_DIR}/*.profraw")
  file(REMOVE ${counts} "${BINARY_DIR}/coverage.profdata")
  return()
endif()

set(report "${BINARY_DIR}/coverage-report")
file(REMOVE_RECURSE "${report}")
file(MAKE_DIRECTORY "${report}")
set(exclude "(tests|bench|_deps|cmake)/")

if(COMPILER STREQUAL "GNU")
  execute_process(
    COMMAND "${GCOVR}" --root "${SOURCE_DIR}" --object-directory "${BINARY_DIR}" --gcov-executable "${GCOV}"
            --exclude "${SOURCE_DIR}/(tests|bench|build)/" --exclude ".*/_deps/" --exclude "${SOURCE_DIR}/cmake/"
            --html-details "${report}/index.html" --print-summary
    OUTPUT_VARIABLE summary RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "perfproj: gcovr failed: run the tests first (ctest) so that there is data")
  endif()
  string(REGEX MATCH "lines: ([0-9.]+)% \\(([0-9]+) out of ([0-9]+)\\)" line "${summary}")
  set(percent "${CMAKE_MATCH_1}")
  set(covered "${CMAKE_MATCH_2}")
  set(total "${CMAKE_MATCH_3}")
else()
  file(GLOB_RECURSE raw "${BINARY_DIR}/*.profraw")
  if(NOT raw)
    message(FATAL_ERROR "perfproj: no .profraw files under ${BINARY_DIR}: run the tests first (ctest)")
  endif()
  execute_process(COMMAND "${PROFDATA}" merge -sparse -o "${BINARY_DIR}/coverage.profdata" ${raw}
                  RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "perfproj: llvm-profdata merge failed")
  endif()
  set(object_args "")
  foreach(object IN LISTS OBJECTS)
    if(NOT object_args)
      list(APPEND object_args "${object}")
    else()
      list(APPEND object_args "-object=${object}")
    endif()
  endforeach()
  set(common -instr-profile=${BINARY_DIR}/coverage.profdata "-ignore-filename-regex=${exclude}|^/usr/")
  execute_process(COMMAND "${LLVM_COV}" show ${object_args} ${common} -format=html "-output-dir=${report}"
                  RESULT_VARIABLE failed OUTPUT_QUIET)
  execute_process(COMMAND "${LLVM_COV}" report ${object_args} ${common} OUTPUT_VARIABLE table)
  # TOTAL  regions missed cover%  functions missed cover%  lines missed cover%  ...
  string(REGEX MATCH "TOTAL[^\n]*" totals "${table}")
  string(REGEX MATCHALL "[0-9.]+%?" fields "${totals}")
  list(GET fields 6 total)
  list(GET fields 7 missed)
  list(GET fields 8 percent)
  string(REPLACE "%" "" percent "${percent}")
  math(EXPR covered "${total} - ${missed}")
  if(NOT EXISTS "${report}/index.html")
    message(FATAL_ERROR "perfproj: llvm-cov show wrote no report")
  endif()
endif()

message("perfproj coverage: lines ${percent}% (${covered} of ${total}), report: ${report}/index.html")
