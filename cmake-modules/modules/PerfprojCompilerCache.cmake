# The compiler cache: PERFPROJ_COMPILER_CACHE=auto|sccache|ccache|none.
#
# auto picks sccache, else ccache, else nothing (only ccache with
# PERFPROJ_DISTRIBUTED: PerfprojDistributed.cmake); a launcher you set yourself
# (CMAKE_<LANG>_COMPILER_LAUNCHER, on the command line or in the environment)
# is kept. One exception either way: sccache refuses to cache GCC
# -fprofile-use compiles, so the PGO use stage of a GCC build switches to
# ccache (which hashes the profile) or to no launcher, and says so.
#
# Path independence: a second checkout in another directory (a CI runner, a
# colleague's clone, a git worktree) should hit the cache. ccache gets
#   CCACHE_BASEDIR=<source dir>  absolute paths below it are hashed as relative
#   CCACHE_NOHASHDIR=true        the working directory is not hashed (-g builds)
# through the launcher, unless you set them in the environment yourself, and
# the compile gets -ffile-prefix-map=<source dir>/=./ so the cached objects carry
# no absolute path either (debug info, __FILE__), which makes sharing them correct.
# Not with PGO or coverage: GCC 12's -ffile-prefix-map includes
# -fprofile-prefix-map, which would move the .gcda/.gcno files those rely on.
# sccache 0.4 (Debian 12) has no base-directory rewriting: it hits across
# checkouts only partially (docs/ci.md).
#
# Configure prints which cache the build uses (and why none, when auto found
# none). Stats: ccache logs every compile of this build tree to
# <build>/perfproj-ccache-stats.log; `cmake --build --preset release --target
# perfproj-cache-stats` prints the hits and misses since the last time it ran
# (the target exists in every build: without a cache it says so).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_COMPILER_CACHE auto "Compiler cache launcher: auto = sccache, else ccache, else none"
                VALUES auto sccache ccache none)

# perfproj_compiler_cache(<out>): the launcher program to use, or empty.
function(perfproj_compiler_cache out)
  set(${out} "" PARENT_SCOPE)
  set(choice "${PERFPROJ_COMPILER_CACHE}")
  if(choice STREQUAL "none")
    return()
  endif()
  perfproj_compiler(family major)
  set(gcc_pgo_use FALSE)
  if(family STREQUAL "GNU" AND PERFPROJ_PGO STREQUAL "USE")
    set(gcc_pgo_use TRUE)
  endif()

  set(candidates sccache ccache)
  if(DEFINED PERFPROJ_DISTRIBUTED AND NOT PERFPROJ_DISTRIBUTED STREQUAL "none")
    set(candidates ccache)  # the only one that hands its misses to the distributing launcher
  endif()
  if(choice MATCHES "^(sccache|ccache)$")
    set(candidates ${choice})
  endif()
  if(gcc_pgo_use AND "sccache" IN_LIST candidates)
    list(REMOVE_ITEM candidates sccache)
    list(APPEND candidates ccache)
    list(REMOVE_DUPLICATES candidates)
    if(choice STREQUAL "sccache")
      message(STATUS "perfproj: sccache cannot cache GCC -fprofile-use compiles: this PGO build uses ccache if installed")
    endif()
  endif()

  foreach(program IN LISTS candidates)
    find_program(_PERFPROJ_CACHE_${program} NAMES ${program})
    if(_PERFPROJ_CACHE_${program})
      set(${out} "${_PERFPROJ_CACHE_${program}}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  if(choice STREQUAL "sccache" AND NOT gcc_pgo_use)
    perfproj_problem("PERFPROJ_COMPILER_CACHE=sccache but sccache is not installed"
                     "install the Debian package sccache, or use PERFPROJ_COMPILER_CACHE=auto")
  elseif(choice STREQUAL "ccache")
    perfproj_problem("PERFPROJ_COMPILER_CACHE=ccache but ccache is not installed"
                     "install the Debian package ccache, or use PERFPROJ_COMPILER_CACHE=auto")
  endif()
endfunction()

# perfproj_compiler_cache_launcher(<out> <program>): the launcher command list
# for <program>; for ccache it sets the path-independence and stats settings
# the user has not set in the environment.
function(perfproj_compiler_cache_launcher out program)
  get_filename_component(name "${program}" NAME)
  if(NOT name STREQUAL "ccache")
    set(${out} "${program}" PARENT_SCOPE)
    return()
  endif()
  set(settings "")
  if(NOT DEFINED ENV{CCACHE_BASEDIR})
    list(APPEND settings "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}")
  endif()
  if(NOT DEFINED ENV{CCACHE_NOHASHDIR} AND NOT DEFINED ENV{CCACHE_HASHDIR})
    list(APPEND settings "CCACHE_NOHASHDIR=true")
  endif()
  if(NOT DEFINED ENV{CCACHE_STATSLOG})
    list(APPEND settings "CCACHE_STATSLOG=${CMAKE_BINARY_DIR}/perfproj-ccache-stats.log")
  endif()
  if(settings)
    set(${out} "${CMAKE_COMMAND};-E;env;${settings};${program}" PARENT_SCOPE)
  else()
    set(${out} "${program}" PARENT_SCOPE)
  endif()
endfunction()

# The launcher's cache program (ccache, sccache, or empty) from a launcher list.
function(_perfproj_launcher_program out launcher)
  set(${out} "" PARENT_SCOPE)
  foreach(word IN LISTS launcher)
    if(word MATCHES "(^|/)(s?ccache)$")
      set(${out} "${word}" PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

# perfproj_ccache_launcher_with(<out> <launcher> <NAME=value>): <launcher> with
# one more ccache setting in front of ccache (in the `cmake -E env` that is
# already there, or a new one), or empty when ccache is not in <launcher>.
# Modules that need ccache to behave differently for a build or a target
# (icecc behind it, a precompiled header's sloppiness) all go through here.
function(perfproj_ccache_launcher_with out launcher setting)
  set(${out} "" PARENT_SCOPE)
  set(words ${launcher})
  set(at 0)
  foreach(word IN LISTS words)
    if(word MATCHES "(^|/)ccache$")
      list(SUBLIST words 0 ${at} before)
      if("env" IN_LIST before)  # `cmake -E env ... ccache`: one more setting there
        list(INSERT words ${at} "${setting}")
      else()
        list(INSERT words ${at} "${CMAKE_COMMAND}" -E env "${setting}")
      endif()
      set(${out} "${words}" PARENT_SCOPE)
      return()
    endif()
    math(EXPR at "${at} + 1")
  endforeach()
endfunction()

function(_perfproj_add_cache_stats_target program)
  if(TARGET perfproj-cache-stats)
    return()
  endif()
  add_custom_target(
    perfproj-cache-stats
    COMMAND "${CMAKE_COMMAND}" "-DPROGRAM=${program}" "-DLOG=${CMAKE_BINARY_DIR}/perfproj-ccache-stats.log"
            "-DCHOICE=${PERFPROJ_COMPILER_CACHE}" -P "${PERFPROJ_SCRIPTS_DIR}/cache_stats.cmake"
    COMMENT "Compiler cache statistics"
    VERBATIM USES_TERMINAL)
endfunction()

macro(_perfproj_apply_CompilerCache)
  perfproj_compiler_cache(_perfproj_cache)
  perfproj_compiler(_perfproj_family _perfproj_major)
  perfproj_languages(_perfproj_languages)
  perfproj_compiler_cache_launcher(_perfproj_cache_launcher "${_perfproj_cache}")
  foreach(_perfproj_lang IN LISTS _perfproj_languages)
    set(_perfproj_launcher "${CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER}")
    if(_perfproj_launcher MATCHES "sccache" AND _perfproj_family STREQUAL "GNU" AND PERFPROJ_PGO STREQUAL "USE")
      message(STATUS "perfproj: replacing the sccache launcher for this GCC PGO build "
                     "(sccache cannot cache -fprofile-use compiles)")
      set(CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER "${_perfproj_cache_launcher}")
    elseif(_perfproj_launcher STREQUAL "" OR NOT PERFPROJ_COMPILER_CACHE STREQUAL "auto")
      set(CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER "${_perfproj_cache_launcher}")
    endif()
  endforeach()

  # Cached objects must not carry this checkout's absolute path (see the top).
  _perfproj_launcher_program(_perfproj_cache_program "${CMAKE_CXX_COMPILER_LAUNCHER};${CMAKE_C_COMPILER_LAUNCHER}")
  if(_perfproj_cache_program)
    get_filename_component(_perfproj_cache_name "${_perfproj_cache_program}" NAME)
    message(STATUS "perfproj: compiler cache: ${_perfproj_cache_name} (PERFPROJ_COMPILER_CACHE=${PERFPROJ_COMPILER_CACHE})")
    if(PERFPROJ_PGO STREQUAL "OFF" AND NOT PERFPROJ_COVERAGE)
      perfproj_check_flags(_perfproj_prefix_map_ok COMPILE "-ffile-prefix-map=/perfproj-probe/=./")
      if(_perfproj_prefix_map_ok)
        add_compile_options("-ffile-prefix-map=${CMAKE_SOURCE_DIR}/=./")
      endif()
    endif()
  elseif(PERFPROJ_COMPILER_CACHE STREQUAL "none")
    message(STATUS "perfproj: compiler cache: none (PERFPROJ_COMPILER_CACHE=none)")
  else()
    message(STATUS "perfproj: compiler cache: none: PERFPROJ_COMPILER_CACHE=auto found neither sccache nor "
                   "ccache (install the Debian package ccache or sccache to cache compiles)")
  endif()
  _perfproj_add_cache_stats_target("${_perfproj_cache_program}")
endmacro()
