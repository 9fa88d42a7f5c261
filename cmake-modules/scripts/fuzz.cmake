# One bounded libFuzzer run of a fuzz target (the <name>-fuzz target of
# perfproj_add_fuzzer, in a PERFPROJ_FUZZ build).
#
#   cmake -DFUZZER=<binary> -DNAME=<name> -DWORK=<folder> -DSECONDS=<n>
#         [-DSEEDS=<folder>] [-DREGRESSIONS=<folder>] [-DDICT=<file>] -P fuzz.cmake
#
# The fuzzer starts from WORK/corpus (what earlier runs found), the seeds and
# the regressions, and adds what it finds to WORK/corpus only: the folders in
# the repository are never written. The environment variable
# PERFPROJ_FUZZ_SECONDS overrides SECONDS. libFuzzer prints its progress
# (`#<runs> ... cov: ... exec/s`) as it goes. When it finds a crash, a leak or
# an input slower than 10 s, it writes the input under WORK/crashes/ and this
# script fails with the file, a command that reproduces it and one that keeps
# it as a test input.
cmake_minimum_required(VERSION 3.25)

foreach(required IN ITEMS FUZZER NAME WORK SECONDS)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "fuzz.cmake: -D${required}=... is required")
  endif()
endforeach()
if(DEFINED ENV{PERFPROJ_FUZZ_SECONDS})
  set(SECONDS "$ENV{PERFPROJ_FUZZ_SECONDS}")
endif()
if(NOT SECONDS MATCHES "^[1-9][0-9]*$")
  message(FATAL_ERROR "perfproj: PERFPROJ_FUZZ_SECONDS=${SECONDS} is not a number of seconds: use a positive integer")
endif()

file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/crashes")
set(folders "${WORK}/corpus")
foreach(folder IN ITEMS "${SEEDS}" "${REGRESSIONS}")
  if(folder AND IS_DIRECTORY "${folder}")
    list(APPEND folders "${folder}")
  endif()
endforeach()
set(options "-max_total_time=${SECONDS}" -timeout=10 -print_final_stats=1 "-artifact_prefix=${WORK}/crashes/")
if(DICT)
  list(APPEND options "-dict=${DICT}")
endif()

file(GLOB before "${WORK}/crashes/*")
message(STATUS "perfproj: fuzzing ${NAME} for ${SECONDS} s")
execute_process(COMMAND "${FUZZER}" ${options} ${folders} RESULT_VARIABLE result)
file(GLOB after "${WORK}/crashes/*")
list(REMOVE_ITEM after ${before} "")

if(result EQUAL 0)
  file(GLOB found "${WORK}/corpus/*")
  list(LENGTH found count)
  message(STATUS "perfproj: ${NAME}: no crash in ${SECONDS} s; ${count} inputs in ${WORK}/corpus for the next run")
  return()
endif()
if(NOT after)
  message(FATAL_ERROR "perfproj: ${NAME} failed (${result}) without writing a crash input; see its output above")
endif()
list(GET after 0 crash)
get_filename_component(crash_name "${crash}" NAME)
set(keep "")
if(REGRESSIONS)
  set(keep "\n  keep it as a test input: cp '${crash}' '${REGRESSIONS}/${crash_name}'")
endif()
message(FATAL_ERROR "perfproj: ${NAME} found an input that fails (${result}): ${crash}"
                    "\n  reproduce: '${FUZZER}' '${crash}'${keep}")
