# Lint: clang-tidy during the build, and the format targets.
#
# PERFPROJ_CLANG_TIDY=ON runs clang-tidy on every source of the project's own
# targets as they compile (the project's .clang-tidy decides the checks); with
# PERFPROJ_WARNINGS_AS_ERRORS=ON its findings fail the build. With Clang, the
# clang-tidy of the same major version is used.
#
# Formatting needs no compiler and no configure: from the project's top
# directory, `cmake -P cmake/perfproj/scripts/format.cmake` reformats and
# `cmake -P cmake/perfproj/scripts/format.cmake --check` only checks. The targets
# `format` and `format-check` run the same script (in an adopted repository,
# `perfproj-format` and `perfproj-format-check`: see perfproj_target_name).
#
# Sets PERFPROJ_CLANG_TIDY_COMMAND, read by perfproj_target_lint() (called by perfproj_target_defaults).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_CLANG_TIDY OFF "Run clang-tidy on the project's own sources while building" BOOL)

function(_perfproj_clang_tidy_command out)
  set(${out} "" PARENT_SCOPE)
  if(NOT PERFPROJ_CLANG_TIDY)
    return()
  endif()
  perfproj_compiler(family major)
  set(tidy "")
  if(family STREQUAL "Clang")
    perfproj_find_llvm_tool(tidy clang-tidy)
  endif()
  if(NOT tidy)
    find_program(_PERFPROJ_CLANG_TIDY NAMES clang-tidy clang-tidy-16 clang-tidy-14)
    set(tidy "${_PERFPROJ_CLANG_TIDY}")
  endif()
  if(NOT tidy)
    perfproj_problem("PERFPROJ_CLANG_TIDY=ON but clang-tidy is not installed"
                     "install the Debian package clang-tidy, or set PERFPROJ_CLANG_TIDY=OFF")
    return()
  endif()
  # GCC-only warning flags must not turn into clang-tidy errors.
  set(command "${tidy}" --extra-arg=-Wno-unknown-warning-option
                        --extra-arg=-Wno-ignored-optimization-argument)
  if(PERFPROJ_WARNINGS_AS_ERRORS)
    list(APPEND command --warnings-as-errors=*)
  endif()
  set(${out} "${command}" PARENT_SCOPE)
endfunction()

# perfproj_target_lint(<target>)
function(perfproj_target_lint target)
  if(PERFPROJ_CLANG_TIDY_COMMAND)
    set_target_properties(${target} PROPERTIES C_CLANG_TIDY "${PERFPROJ_CLANG_TIDY_COMMAND}"
                                               CXX_CLANG_TIDY "${PERFPROJ_CLANG_TIDY_COMMAND}")
  endif()
endfunction()

macro(_perfproj_apply_Lint)
  _perfproj_clang_tidy_command(PERFPROJ_CLANG_TIDY_COMMAND)
  perfproj_target_name(format_target format)
  perfproj_target_name(format_check_target format-check)
  if(PROJECT_IS_TOP_LEVEL AND NOT TARGET ${format_check_target})
    add_custom_target(${format_target} COMMAND "${CMAKE_COMMAND}" -P "${PERFPROJ_SCRIPTS_DIR}/format.cmake"
                      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" VERBATIM)
    add_custom_target(${format_check_target}
                      COMMAND "${CMAKE_COMMAND}" -P "${PERFPROJ_SCRIPTS_DIR}/format.cmake" --check
                      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" VERBATIM)
  endif()
endmacro()
