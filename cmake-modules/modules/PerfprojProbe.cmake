# Cached compiler probes.
#
# CMake's check_ipo_supported() is not cached and costs a test build on every
# configure. These helpers cache each result under a key made of the compiler,
# its version and the flags tried, so a warm re-configure probes nothing and a
# changed compiler or flag set probes again.
include_guard(GLOBAL)

include(CheckCompilerFlag)
include(CheckIPOSupported)
include(CheckSourceCompiles)

# The language whose compiler decides: C++ when enabled, else C.
function(perfproj_primary_language out)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("CXX" IN_LIST languages)
    set(${out} CXX PARENT_SCOPE)
  elseif("C" IN_LIST languages)
    set(${out} C PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# Enabled languages that perfproj handles (C and C++).
function(perfproj_languages out)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  set(result "")
  foreach(lang IN ITEMS C CXX)
    if(lang IN_LIST languages)
      list(APPEND result ${lang})
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

function(_perfproj_probe_key out)
  perfproj_primary_language(lang)
  string(MD5 key "${CMAKE_${lang}_COMPILER};${CMAKE_${lang}_COMPILER_VERSION};${ARGN}")
  set(${out} "_PERFPROJ_PROBE_${key}" PARENT_SCOPE)
endfunction()

# One line per probe, as CMake's own checks print them: what, then yes or no.
function(_perfproj_probe_report what ok)
  list(REMOVE_ITEM what "")
  list(JOIN what " " text)
  set(status "no")
  if(ok)
    set(status "yes")
  endif()
  message(STATUS "perfproj: probing ${text} - ${status}")
endfunction()

# perfproj_check_flags(<out> COMPILE <flag>... [LINK <flag>...])
# True when every enabled language compiles and links a program with the
# flags. COMPILE flags are also passed when linking, as the driver sees them.
function(perfproj_check_flags out)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "COMPILE;LINK")
  _perfproj_probe_key(key "flags;${arg_COMPILE};link;${arg_LINK}")
  if(NOT DEFINED ${key})
    perfproj_languages(languages)
    set(ok TRUE)
    foreach(lang IN LISTS languages)
      set(CMAKE_REQUIRED_LINK_OPTIONS ${arg_COMPILE} ${arg_LINK})
      set(CMAKE_REQUIRED_QUIET ON)
      unset(_perfproj_flag_result CACHE)
      check_compiler_flag(${lang} "${arg_COMPILE}" _perfproj_flag_result)
      set(result "${_perfproj_flag_result}")
      unset(_perfproj_flag_result CACHE)  # keep only our keyed copy in the cache
      if(NOT result)
        set(ok FALSE)
        break()
      endif()
    endforeach()
    set(${key} ${ok} CACHE INTERNAL "perfproj probe: ${arg_COMPILE} ${arg_LINK}")
    _perfproj_probe_report("${arg_COMPILE};${arg_LINK}" ${ok})
  endif()
  set(${out} ${${key}} PARENT_SCOPE)
endfunction()

# perfproj_check_program(<out> <lang> <source> FLAGS <flag>...): true when
# <source> compiles and links as a program of <lang> with the flags (on both
# lines). For flags that bring their own main(), as -fsanitize=fuzzer does,
# where perfproj_check_flags's test program would define a second one.
function(perfproj_check_program out lang source)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "" "FLAGS")
  _perfproj_probe_key(key "program;${lang};${source};${arg_FLAGS}")
  if(NOT DEFINED ${key})
    list(JOIN arg_FLAGS " " CMAKE_REQUIRED_FLAGS)
    set(CMAKE_REQUIRED_LINK_OPTIONS ${arg_FLAGS})
    set(CMAKE_REQUIRED_QUIET ON)
    unset(_perfproj_program_result CACHE)
    check_source_compiles(${lang} "${source}" _perfproj_program_result)
    set(ok "${_perfproj_program_result}")
    unset(_perfproj_program_result CACHE)
    if(NOT ok)
      set(ok FALSE)
    endif()
    set(${key} ${ok} CACHE INTERNAL "perfproj probe: ${lang} program with ${arg_FLAGS}")
    _perfproj_probe_report("${arg_FLAGS}" ${ok})
  endif()
  set(${out} ${${key}} PARENT_SCOPE)
endfunction()

# perfproj_check_ipo(<out-ok> <out-reason> [LINK <flag>...]): cached
# check_ipo_supported(). LINK flags (e.g. the linker choice) reach the test
# project through CMAKE_<LANG>_FLAGS, the only flags it forwards, which CMake
# also puts on link lines; the change is local to this function.
function(perfproj_check_ipo out reason)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "LINK")
  perfproj_languages(languages)
  set(flags "")
  foreach(lang IN LISTS languages)
    list(APPEND flags "${CMAKE_${lang}_FLAGS}" "${CMAKE_${lang}_COMPILER_AR}")
  endforeach()
  _perfproj_probe_key(key "ipo;${languages};${flags};${arg_LINK}")
  if(NOT DEFINED ${key})
    list(JOIN arg_LINK " " link_flags)
    foreach(lang IN LISTS languages)
      string(APPEND CMAKE_${lang}_FLAGS " ${link_flags}")
    endforeach()
    check_ipo_supported(RESULT ok OUTPUT output LANGUAGES ${languages})
    string(REGEX MATCH "[^\n]*(error|Error|ERROR)[^\n]*" first_error "${output}")
    set(${key} ${ok} CACHE INTERNAL "perfproj probe: LTO")
    set(${key}_REASON "${first_error}" CACHE INTERNAL "perfproj probe: LTO failure")
    _perfproj_probe_report("LTO support;${arg_LINK}" ${ok})
  endif()
  set(${out} ${${key}} PARENT_SCOPE)
  set(${reason} "${${key}_REASON}" PARENT_SCOPE)
endfunction()
