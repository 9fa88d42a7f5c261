# The compiler cache: PERFPROJ_COMPILER_CACHE=auto|sccache|ccache|none.
#
# auto picks sccache, else ccache, else nothing; a launcher you set yourself
# (CMAKE_<LANG>_COMPILER_LAUNCHER, on the command line or in the environment)
# is kept. One exception either way: sccache refuses to cache GCC
# -fprofile-use compiles, so the PGO use stage of a GCC build switches to
# ccache (which hashes the profile) or to no launcher, and says so.
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

macro(_perfproj_apply_compiler_cache)
  perfproj_compiler_cache(_perfproj_cache)
  perfproj_compiler(_perfproj_family _perfproj_major)
  perfproj_languages(_perfproj_languages)
  foreach(_perfproj_lang IN LISTS _perfproj_languages)
    set(_perfproj_launcher "${CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER}")
    if(_perfproj_launcher MATCHES "sccache" AND _perfproj_family STREQUAL "GNU" AND PERFPROJ_PGO STREQUAL "USE")
      message(STATUS "perfproj: replacing the sccache launcher for this GCC PGO build "
                     "(sccache cannot cache -fprofile-use compiles)")
      set(CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER "${_perfproj_cache}")
    elseif(_perfproj_launcher STREQUAL "" OR NOT PERFPROJ_COMPILER_CACHE STREQUAL "auto")
      set(CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER "${_perfproj_cache}")
    endif()
  endforeach()
endmacro()
