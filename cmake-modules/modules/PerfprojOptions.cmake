# Declaring and validating PERFPROJ_* options.
#
# Every option is a cache variable declared with perfproj_option(), which
# records its allowed values. Problems (a bad value, a conflict, a missing tool)
# are collected with perfproj_problem() and reported together by
# perfproj_fail_on_problems(): one configure error that lists every problem and
# its fix, instead of failing on the first or silently dropping an option.
#
# Reads PERFPROJ_ADOPTED (PerfprojTopLevel.cmake) for perfproj_target_name().
include_guard(GLOBAL)

# perfproj_target_name(<out> <name>): the name of a build-wide target perfproj
# adds (format, format-check, bench). A generated project owns its names;
# in an adopted repository (PERFPROJ_ADOPTED, set by PerfprojTopLevel.cmake)
# it is perfproj-<name>, which no repository target can collide with.
function(perfproj_target_name out name)
  if(PERFPROJ_ADOPTED)
    set(${out} "perfproj-${name}" PARENT_SCOPE)
  else()
    set(${out} "${name}" PARENT_SCOPE)
  endif()
endfunction()

# perfproj_option(<name> <default> <doc> [BOOL] [VALUES <value>...])
function(perfproj_option name default doc)
  cmake_parse_arguments(PARSE_ARGV 3 arg "BOOL" "" "VALUES")
  if(arg_BOOL)
    set(${name} "${default}" CACHE BOOL "${doc}")
  else()
    set(${name} "${default}" CACHE STRING "${doc}")
  endif()
  if(arg_VALUES)
    set_property(CACHE ${name} PROPERTY STRINGS ${arg_VALUES})
  endif()
  set_property(GLOBAL APPEND PROPERTY PERFPROJ_DECLARED_OPTIONS ${name})

  set(value "${${name}}")
  set(valid TRUE)
  if(arg_BOOL)
    string(TOUPPER "${value}" upper)
    if(NOT upper MATCHES "^(ON|OFF|TRUE|FALSE|YES|NO|1|0)$")
      perfproj_problem("${name}=${value} is not a boolean" "set ${name} to ON or OFF")
      set(valid FALSE)
    endif()
  elseif(arg_VALUES AND NOT value IN_LIST arg_VALUES)
    list(JOIN arg_VALUES ", " choices)
    perfproj_problem("${name}=${value} is not a known value" "set ${name} to one of: ${choices}")
    set(valid FALSE)
  endif()
  if(NOT valid)
    # Configure fails anyway; meanwhile the modules see the default, so one
    # bad value is reported once instead of cascading into other problems.
    set(${name} "${default}" PARENT_SCOPE)
  endif()
endfunction()

# perfproj_problem(<what is wrong> <how to fix it>)
function(perfproj_problem what fix)
  # A ';' would split the message: problems are kept in a CMake list, and list
  # values such as PERFPROJ_SANITIZERS=address;thread read fine with commas.
  string(REPLACE ";" "," what "${what}")
  string(REPLACE ";" "," fix "${fix}")
  set_property(GLOBAL APPEND PROPERTY PERFPROJ_PROBLEMS "${what}\n     fix: ${fix}")
endfunction()

# perfproj_instrumented_build_conflicts(<out-ok> <setting> <kind>): an
# instrumented build (sanitizers, fuzzing; <setting> names what makes it one,
# <kind> is what the docs call such builds) cannot also be an optimized
# release build: LTO only slows its rebuilds and blurs its reports, a PGO
# profile describes the optimized program, not the instrumented one, and BOLT
# rewrites release binaries. Each conflict is a problem; <out-ok> is FALSE if any.
function(perfproj_instrumented_build_conflicts out_ok setting kind)
  set(ok TRUE)
  if(PERFPROJ_LTO)
    perfproj_problem("${setting} with PERFPROJ_LTO=ON: LTO slows ${kind} builds and blurs their reports"
                     "set PERFPROJ_LTO=OFF in ${kind} builds (the ${kind} presets do)")
    set(ok FALSE)
  endif()
  if(NOT PERFPROJ_PGO STREQUAL "OFF")
    perfproj_problem("${setting} with PERFPROJ_PGO=${PERFPROJ_PGO}: a profile describes the optimized program, not an instrumented one"
                     "set PERFPROJ_PGO=OFF in ${kind} builds")
    set(ok FALSE)
  endif()
  if(PERFPROJ_BOLT)
    perfproj_problem("${setting} with PERFPROJ_BOLT=ON: BOLT rewrites optimized release binaries"
                     "set PERFPROJ_BOLT=OFF in ${kind} builds")
    set(ok FALSE)
  endif()
  set(${out_ok} ${ok} PARENT_SCOPE)
endfunction()

# A PERFPROJ_* cache variable that no module declared is a typo or a preset
# setting something nothing reads; both deserve an error, not silence.
function(perfproj_check_unknown_options)
  get_property(declared GLOBAL PROPERTY PERFPROJ_DECLARED_OPTIONS)
  get_cmake_property(cached CACHE_VARIABLES)
  list(SORT declared)
  list(JOIN declared ", " known)
  foreach(var IN LISTS cached)
    if(var MATCHES "^PERFPROJ_" AND NOT var IN_LIST declared)
      perfproj_problem("${var} is not a perfproj option"
                       "check the spelling: the options are ${known}")
    endif()
  endforeach()
endfunction()

function(perfproj_fail_on_problems)
  get_property(found GLOBAL PROPERTY PERFPROJ_PROBLEMS)
  if(NOT found)
    return()
  endif()
  list(LENGTH found count)
  set(text "perfproj: ${count} problem(s) with the build options:\n")
  set(index 0)
  foreach(problem IN LISTS found)
    math(EXPR index "${index} + 1")
    string(APPEND text "  ${index}. ${problem}\n")
  endforeach()
  # Clear the list so that a project catching the error can configure again.
  set_property(GLOBAL PROPERTY PERFPROJ_PROBLEMS "")
  message(FATAL_ERROR "${text}")
endfunction()
