# Profile-guided optimization in one command. From the project's top directory:
#
#   cmake -P cmake/perfproj/scripts/pgo.cmake [PRESET] [--bolt] [--profile-dir DIR]
#                                     [--train-label LABEL | --train-command CMD]
#                                     [--name NAME] [-DVAR=VALUE...]
#   cmake -P cmake/perfproj/scripts/pgo.cmake -- --help      (CMake reads a --help before `--` itself)
#
# PRESET is a release configure preset (default: release; release-v3 and
# release-native work the same). -D options go to both configure steps
# (e.g. -DPERFPROJ_ALLOCATOR=mimalloc). The stages, each announced with a line
# and showing its own progress (CMake's and Ninja's [n/N] output):
#   1. configure and build an instrumented copy   build/PRESET-pgo-generate
#   2. train: `ctest -L pgo-training` runs (old profile data was cleared
#      right after the build).
#      --train-label LABEL trains on the tests labelled LABEL instead (a ctest
#      -L regex). When no test carries the label -- a repository brought in by
#      `perfproj adopt` has none -- the whole test suite is the training run,
#      and the stage line says so: label a few representative tests (the
#      LABELS test property) to train on what production runs.
#      --train-command CMD trains with a shell command instead of ctest (run
#      with sh from the top directory, passed on intact, `;` and all; {build}
#      is the build directory being trained), e.g.
#      --train-command "{build}/tool --input samples/big.txt". A build with no
#      tests needs one: the chain says so before it builds anything.
#   3. merge the profile (Clang: llvm-profdata of the compiler's version)
#   4. configure and build the optimized copy     build/PRESET-pgo
#   5. with --bolt: instrument the executables with BOLT, train again, optimize
#   6. run the tests on the optimized copy (skipped, and said, when there are none)
# then a summary: profile size, the share of functions the training ran, and
# the stale/missing-profile warnings of the optimized build. Logs of every
# stage are in build/PRESET-pgo-logs/. --name NAME uses NAME instead of PRESET
# in these directory names, to keep the results of two trainings side by
# side. Both build directories are configured afresh each time (cmake
# --fresh), so a chain always starts from the preset and the current compiler
# (CC/CXX), never from an old cache. The profile stays in DIR (default
# build/PRESET-pgo-profile): keep it to build later without training, with
#   cmake --preset PRESET -DPERFPROJ_PGO=USE -DPERFPROJ_PGO_DIR=DIR
cmake_minimum_required(VERSION 3.25)

# ---- arguments: everything after this script on the command line ----
set(preset release)
set(bolt OFF)
set(profile_dir "")
set(train_label pgo-training)
set(expect_label FALSE)
set(train_command "")
set(expect_command FALSE)
set(name "")
set(expect_name FALSE)
set(defines "")
set(found_script FALSE)
set(expect_dir FALSE)
set(preset_given FALSE)
set(usage "usage: cmake -P cmake/perfproj/scripts/pgo.cmake [PRESET] [--bolt] [--profile-dir DIR] \
[--train-label LABEL | --train-command CMD] [--name NAME] [-DVAR=VALUE...]")
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  set(arg "${CMAKE_ARGV${i}}")
  if(NOT found_script)
    if(arg STREQUAL "-P")
      math(EXPR script_index "${i} + 1")
    elseif(DEFINED script_index AND i EQUAL script_index)
      set(found_script TRUE)
    endif()
  elseif(expect_dir)
    set(profile_dir "${arg}")
    set(expect_dir FALSE)
  elseif(expect_label)
    set(train_label "${arg}")
    set(expect_label FALSE)
  elseif(expect_command)
    set(train_command "${arg}")
    set(expect_command FALSE)
  elseif(expect_name)
    set(name "${arg}")
    set(expect_name FALSE)
  elseif(arg STREQUAL "--name")
    set(expect_name TRUE)
  elseif(arg MATCHES "^--name=(.*)$")
    set(name "${CMAKE_MATCH_1}")
  elseif(arg STREQUAL "--train-command")
    set(expect_command TRUE)
  elseif(arg MATCHES "^--train-command=(.*)$")
    set(train_command "${CMAKE_MATCH_1}")
  elseif(arg STREQUAL "--train-label")
    set(expect_label TRUE)
  elseif(arg MATCHES "^--train-label=(.*)$")
    set(train_label "${CMAKE_MATCH_1}")
  elseif(arg STREQUAL "--bolt")
    set(bolt ON)
  elseif(arg STREQUAL "--profile-dir")
    set(expect_dir TRUE)
  elseif(arg MATCHES "^--profile-dir=(.*)$")
    set(profile_dir "${CMAKE_MATCH_1}")
  elseif(arg STREQUAL "--")
  elseif(arg MATCHES "^(--help|-h|help)$")
    # The usage is this file's header comment: one text, never out of date.
    file(STRINGS "${CMAKE_CURRENT_LIST_FILE}" lines)
    set(help "")
    foreach(line IN LISTS lines)
      if(NOT line MATCHES "^#")
        break()
      endif()
      string(REGEX REPLACE "^# ?" "" line "${line}")
      string(APPEND help "${line}\n")
    endforeach()
    execute_process(COMMAND "${CMAKE_COMMAND}" -E echo_append "${help}")
    return()
  elseif(arg MATCHES "^-D.+=")
    list(APPEND defines "${arg}")
  elseif(arg MATCHES "^-")
    message(FATAL_ERROR "pgo.cmake: unknown option ${arg}; ${usage}")
  else()
    set(preset "${arg}")
    set(preset_given TRUE)
  endif()
endforeach()
foreach(pending expect_dir expect_label expect_command expect_name)
  if(${pending})
    message(FATAL_ERROR "pgo.cmake: the last option needs a value; ${usage}")
  endif()
endforeach()

if(NOT EXISTS "${CMAKE_SOURCE_DIR}/CMakePresets.json")
  message(FATAL_ERROR "pgo.cmake: run it from the project's top directory (no CMakePresets.json in ${CMAKE_SOURCE_DIR})")
endif()
if(NOT preset_given)
  message("perfproj pgo: no PRESET given: the chain builds `${preset}` twice and trains it "
          "(`cmake -P ${CMAKE_CURRENT_LIST_FILE} -- --help` lists the options)")
endif()
if(name STREQUAL "")
  set(name "${preset}")
endif()
set(generate_dir "build/${name}-pgo-generate")
set(optimized_dir "build/${name}-pgo")
set(log_dir "${CMAKE_SOURCE_DIR}/build/${name}-pgo-logs")
if(profile_dir STREQUAL "")
  set(profile_dir "build/${name}-pgo-profile")
endif()
get_filename_component(profile_dir "${profile_dir}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
file(MAKE_DIRECTORY "${log_dir}")

# A training command goes to a script file, never through a CMake list: its
# `;` would split it into several arguments. Checked (sh -n) before any build.
set(train_script "${log_dir}/train.sh")
if(NOT train_command STREQUAL "")
  file(WRITE "${train_script}" "${train_command}\n")
  execute_process(COMMAND sh -n "${train_script}" RESULT_VARIABLE bad_syntax ERROR_VARIABLE syntax_error)
  if(bad_syntax)
    string(STRIP "${syntax_error}" syntax_error)
    message(FATAL_ERROR "perfproj pgo: --train-command is not a valid sh command (${syntax_error}); "
                        "quote it as one argument: --train-command \"...\"")
  endif()
endif()

set(stages 5)
if(bolt)
  set(stages 6)
endif()
set(stage 0)
string(TIMESTAMP started "%s")

# step(<description> <log name> <command>...): the command's own output as it
# runs (CMake's and Ninja's [n/N] progress, the tests), also kept in a log; on
# failure, where the log is and a non-zero exit.
function(step description log)
  string(TIMESTAMP begin "%s")
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
                  OUTPUT_VARIABLE output ERROR_VARIABLE output
                  ECHO_OUTPUT_VARIABLE ECHO_ERROR_VARIABLE RESULT_VARIABLE failed)
  file(WRITE "${log_dir}/${log}.log" "${output}")
  string(TIMESTAMP end "%s")
  math(EXPR seconds "${end} - ${begin}")
  if(failed)
    message(FATAL_ERROR "perfproj pgo: ${description} failed (the output above; log: ${log_dir}/${log}.log)")
  endif()
  message("perfproj pgo: ${description}: ${seconds} s")
endfunction()

macro(stage_line text)
  math(EXPR stage "${stage} + 1")
  message("perfproj pgo [${stage}/${stages}] ${text}")
endmacro()

# has_tests(<build dir> <out-var>): whether CTest knows any test there, from the
# CTestTestfile.cmake files configure wrote (readable before anything is built;
# discovered tests, e.g. gtest_discover_tests, appear as include() lines).
function(has_tests build_dir out)
  file(GLOB_RECURSE test_files "${CMAKE_SOURCE_DIR}/${build_dir}/CTestTestfile.cmake")
  set(found FALSE)
  foreach(test_file IN LISTS test_files)
    file(STRINGS "${test_file}" lines REGEX "^(add_test|include)\\(")
    if(lines)
      set(found TRUE)
    endif()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

stage_line("instrumented build (${generate_dir})")
step("configure" configure-generate "${CMAKE_COMMAND}" --fresh --preset ${preset} -B ${generate_dir} ${defines}
     -DPERFPROJ_PGO=GENERATE "-DPERFPROJ_PGO_DIR=${profile_dir}" -DPERFPROJ_BOLT=OFF)
has_tests(${generate_dir} tests_exist)
if(NOT tests_exist AND train_command STREQUAL "")
  message(FATAL_ERROR "perfproj pgo: this build has no tests to train with (checked before building); "
                      "pass --train-command \"CMD\", a run of your program on typical input, e.g. "
                      "--train-command \"{build}/mytool samples/input.txt\"")
endif()
step("build" build-generate "${CMAKE_COMMAND}" --build ${generate_dir})
# Cleared before ctest first reads the tests: test discovery at ctest time
# (gtest_discover_tests PRE_TEST) runs the test executables, and those runs
# belong to the profile like the training's own.
step("clear old profile data" clean "${CMAKE_COMMAND}" --build ${generate_dir} --target perfproj-pgo-clean)

# The training: a command, the labelled tests, or every test when none has the label.
# train_run(<build dir> <out-var>) gives the command line that trains that build.
function(train_run build_dir out)
  if(NOT train_command STREQUAL "")
    file(READ "${train_script}" command)
    string(REPLACE "{build}" "${CMAKE_SOURCE_DIR}/${build_dir}" command "${command}")
    string(REPLACE "/" "-" script_name "${build_dir}")
    file(WRITE "${log_dir}/train-${script_name}.sh" "${command}")
    set(${out} sh "${log_dir}/train-${script_name}.sh" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_CTEST_COMMAND}" --test-dir ${build_dir} ${train_selection}
        --output-on-failure --no-tests=error PARENT_SCOPE)
  endif()
endfunction()
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" --test-dir ${generate_dir} -N -L "${train_label}"
                WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE listed RESULT_VARIABLE list_failed)
set(train_selection -L "${train_label}")
set(train_text "ctest -L ${train_label}")
if(list_failed OR NOT listed MATCHES "Total Tests: [1-9]")
  set(train_selection "")
  set(train_text "ctest, every test (no test is labelled ${train_label})")
endif()
if(NOT train_command STREQUAL "")
  set(train_text "${train_command}")
endif()

stage_line("training: ${train_text}")
train_run(${generate_dir} train_generate)
step("training runs" train ${train_generate})

stage_line("merging the profile into ${profile_dir}")
step("merge" merge "${CMAKE_COMMAND}" --build ${generate_dir} --target perfproj-pgo-merge)

stage_line("optimized build (${optimized_dir})")
step("configure" configure-use "${CMAKE_COMMAND}" --fresh --preset ${preset} -B ${optimized_dir} ${defines}
     -DPERFPROJ_PGO=USE "-DPERFPROJ_PGO_DIR=${profile_dir}" -DPERFPROJ_BOLT=${bolt})
step("build" build-use "${CMAKE_COMMAND}" --build ${optimized_dir})

if(bolt)
  stage_line("BOLT: instrument, train, optimize")
  step("instrument" bolt-instrument "${CMAKE_COMMAND}" --build ${optimized_dir} --target perfproj-bolt-instrument)
  train_run(${optimized_dir} train_bolt)
  step("training runs" bolt-train ${train_bolt})
  step("optimize" bolt-optimize "${CMAKE_COMMAND}" --build ${optimized_dir} --target perfproj-bolt-optimize)
endif()

if(tests_exist)
  stage_line("tests on the optimized build")
  step("ctest" test "${CMAKE_CTEST_COMMAND}" --test-dir ${optimized_dir} --output-on-failure --no-tests=error)
else()
  stage_line("tests on the optimized build: skipped, this build has no tests")
endif()

# ---- summary ----
execute_process(COMMAND "${CMAKE_COMMAND}" --build ${optimized_dir} --target perfproj-pgo-report
                WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE report)
string(REGEX MATCHALL "(profile|functions with profile data): [^\n]*" report_lines "${report}")
file(READ "${log_dir}/build-use.log" build_log)
string(REGEX MATCHALL "coverage-mismatch|control flow change detected|hash mismatch" stale "${build_log}")
string(REGEX MATCHALL "profile count data file not found|no profile data available" missing "${build_log}")
list(LENGTH stale stale_count)
list(LENGTH missing missing_count)
string(TIMESTAMP finished "%s")
math(EXPR total "${finished} - ${started}")

message("perfproj pgo: done in ${total} s")
foreach(line IN LISTS report_lines)
  message("  ${line}")
endforeach()
message("  stale-profile warnings: ${stale_count}, missing-profile warnings: ${missing_count} (see ${log_dir}/build-use.log)")
if(bolt)
  file(STRINGS "${log_dir}/bolt-optimize.log" bolted REGEX "^optimized ")
  list(LENGTH bolted bolted_count)
  message("  BOLT optimized ${bolted_count} executable(s)")
endif()
message("  optimized binaries: ${optimized_dir}/   profile: ${profile_dir}")
