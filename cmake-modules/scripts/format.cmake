# clang-format over the project's C and C++ sources; no compiler, no configure.
# From the project's top directory:
#
#   cmake -P cmake/perfproj/scripts/format.cmake           reformat in place
#   cmake -P cmake/perfproj/scripts/format.cmake --check   only check; exit 1 if a file is not formatted
#
# The files: those git tracks (or, outside git, everything under the top
# directory) ending in .c .cc .cpp .cxx .h .hh .hpp .hxx .ipp, except the build
# trees and perfproj's own files in cmake/perfproj/. The style is the
# project's .clang-format. CLANG_FORMAT=/path/to/clang-format picks the binary.
cmake_minimum_required(VERSION 3.25)

set(check FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(CMAKE_ARGV${i} STREQUAL "--check")
    set(check TRUE)
  endif()
endforeach()

if(DEFINED ENV{CLANG_FORMAT})
  set(clang_format "$ENV{CLANG_FORMAT}")
else()
  find_program(clang_format NAMES clang-format clang-format-16 clang-format-14 NO_CACHE)
endif()
if(NOT clang_format)
  message(FATAL_ERROR "format.cmake: clang-format is not installed: install the Debian package clang-format")
endif()

set(top "${CMAKE_SOURCE_DIR}")
set(pattern "\\.(c|cc|cpp|cxx|h|hh|hpp|hxx|ipp)$")
execute_process(COMMAND git ls-files --cached --others --exclude-standard WORKING_DIRECTORY "${top}"
                OUTPUT_VARIABLE listed RESULT_VARIABLE not_git ERROR_QUIET)
if(not_git)
  file(GLOB_RECURSE files RELATIVE "${top}" "${top}/*")
else()
  string(REPLACE "\n" ";" files "${listed}")
endif()
list(FILTER files INCLUDE REGEX "${pattern}")
list(FILTER files EXCLUDE REGEX "^(build|build-[^/]*|cmake/perfproj|\\.git)/")
if(NOT files)
  message("format.cmake: no C or C++ sources found under ${top}")
  return()
endif()

if(check)
  execute_process(COMMAND "${clang_format}" --dry-run -Werror ${files} WORKING_DIRECTORY "${top}"
                  RESULT_VARIABLE failed ERROR_VARIABLE diagnostics)
  if(failed)
    string(REGEX MATCHALL "[^\n:]+:[0-9]+:[0-9]+: error" places "${diagnostics}")
    set(unformatted "")
    foreach(place IN LISTS places)
      string(REGEX REPLACE ":[0-9]+:[0-9]+: error$" "" file "${place}")
      list(APPEND unformatted "${file}")
    endforeach()
    list(REMOVE_DUPLICATES unformatted)
    list(JOIN unformatted "\n  " unformatted)
    message(FATAL_ERROR "format.cmake: not formatted (fix with: cmake -P cmake/perfproj/scripts/format.cmake):\n  ${unformatted}")
  endif()
  list(LENGTH files count)
  message("format.cmake: ${count} files are formatted")
else()
  execute_process(COMMAND "${clang_format}" -i ${files} WORKING_DIRECTORY "${top}" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "format.cmake: clang-format failed")
  endif()
endif()
