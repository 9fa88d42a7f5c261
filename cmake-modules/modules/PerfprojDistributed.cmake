# Distributed compilation: PERFPROJ_DISTRIBUTED=none|icecc.
#
# icecc (icecream, Debian package icecc) sends compile jobs to the machines of
# a cluster through the local iceccd daemon and its scheduler. It ships the
# compiler itself with each job (an environment made by icecc-create-env), so
# the workers need not have the same compiler installed. perfproj puts it
# behind the compiler cache, never in front:
#
#   ccache   the launcher becomes `cmake -E env CCACHE_PREFIX=<icecc> ccache`:
#            ccache looks up the object first and hands only a miss to icecc,
#            so a cache hit never reaches the network. PERFPROJ_COMPILER_CACHE
#            =auto prefers ccache over sccache when distributing (below).
#   none     the launcher is icecc itself.
#   sccache  refused: it cannot hand its misses to another launcher (its own
#            distributed mode needs its own scheduler; see docs/build-speed.md).
#
# Ninja's job pools then split the work the way a cluster needs it:
#   perfproj_compile  PERFPROJ_DISTRIBUTED_JOBS compile jobs at once (0: as
#                     many as `-j` allows; the `distributed` build preset runs
#                     64); iceccd still runs a job locally when no worker is
#                     free, and limits those to this machine's cores itself.
#   links             stay local (a compiler launcher never sees a link), and
#                     with 64 jobs in flight they need a pool of their own: an
#                     LTO build keeps PerfprojLTO.cmake's perfproj_lto_link (one
#                     at a time: each -flto=auto link or set of ThinLTO backends
#                     uses every core), a pool of yours stays yours, and any
#                     other build gets perfproj_link, this machine's cores.
# What is distributed: every compile step, GCC's -flto compiles included (they
# emit GIMPLE, the whole-program optimisation runs at the local link). With
# Clang ThinLTO the compile to bitcode is distributed; the ThinLTO backends
# (the real optimisation and code generation) run inside the local link.
#
# GCC records its command line in the debug info (DW_AT_producer), and icecc
# adds options of its own to the remote command (-fdirectives-only, --param
# ggc-*); -gno-record-gcc-switches leaves the record out, so an object built
# on a worker is byte-identical to one built here with the same flags.
#
# Configure fails with a fix when icecc is not installed; without a running
# iceccd icecc compiles locally, so configure only warns. `perfproj doctor`
# reports whether the daemon and its scheduler are reachable.
include_guard(GLOBAL)

perfproj_option(PERFPROJ_DISTRIBUTED none "Distributed compilation behind the compiler cache: none or icecc"
                VALUES none icecc)
perfproj_option(PERFPROJ_DISTRIBUTED_JOBS 0
                "Compile jobs at once when distributed (0: as many as the build's -j; links stay local)")

# The icecc program, or empty with the problem reported.
function(_perfproj_icecc out)
  find_program(_PERFPROJ_ICECC NAMES icecc DOC "icecream's compiler wrapper (PERFPROJ_DISTRIBUTED=icecc)")
  if(NOT _PERFPROJ_ICECC)
    perfproj_problem("PERFPROJ_DISTRIBUTED=icecc but icecream is not installed"
                     "install the Debian package icecc (and start its iceccd daemon: systemctl enable --now iceccd), or use PERFPROJ_DISTRIBUTED=none")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  set(${out} "${_PERFPROJ_ICECC}" PARENT_SCOPE)
endfunction()

# <launcher> with icecc behind it: ccache gets CCACHE_PREFIX, no launcher
# becomes icecc; anything else cannot pass its misses on (empty result).
function(_perfproj_distributed_launcher out launcher icecc)
  if(launcher STREQUAL "")
    set(${out} "${icecc}" PARENT_SCOPE)
  else()
    perfproj_ccache_launcher_with(with_prefix "${launcher}" "CCACHE_PREFIX=${icecc}")
    set(${out} "${with_prefix}" PARENT_SCOPE)
  endif()
endfunction()

macro(_perfproj_apply_Distributed)
  if(NOT PERFPROJ_DISTRIBUTED_JOBS MATCHES "^[0-9]+$")
    perfproj_problem("PERFPROJ_DISTRIBUTED_JOBS=${PERFPROJ_DISTRIBUTED_JOBS} is not a number of jobs"
                     "use a whole number: 0 (as many as -j), or the cluster's total cores")
  endif()
  if(PERFPROJ_DISTRIBUTED STREQUAL "icecc")
    _perfproj_icecc(_perfproj_icecc_program)
    if(_perfproj_icecc_program)
      perfproj_languages(_perfproj_languages)
      foreach(_perfproj_lang IN LISTS _perfproj_languages)
        _perfproj_distributed_launcher(_perfproj_distributed "${CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER}"
                                       "${_perfproj_icecc_program}")
        if(_perfproj_distributed STREQUAL "")
          perfproj_problem(
            "PERFPROJ_DISTRIBUTED=icecc cannot follow the ${_perfproj_lang} launcher '${CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER}': only ccache hands its misses on"
            "use PERFPROJ_COMPILER_CACHE=ccache or none (and no CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER of your own)")
        else()
          set(CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER "${_perfproj_distributed}")
        endif()
      endforeach()
      perfproj_compiler(_perfproj_family _perfproj_major)
      if(_perfproj_family STREQUAL "GNU")
        add_compile_options(-gno-record-gcc-switches)  # identical objects wherever they were compiled
      endif()
      set(_perfproj_links "")
      if(CMAKE_GENERATOR MATCHES "Ninja")
        if(NOT DEFINED CMAKE_JOB_POOL_LINK)  # not LTO's one-at-a-time pool, nor one of yours
          cmake_host_system_information(RESULT _perfproj_cores QUERY NUMBER_OF_LOGICAL_CORES)
          set_property(GLOBAL APPEND PROPERTY JOB_POOLS perfproj_link=${_perfproj_cores})
          set(CMAKE_JOB_POOL_LINK perfproj_link)
        endif()
        set(_perfproj_links ", links local in Ninja's ${CMAKE_JOB_POOL_LINK} pool")
        if(PERFPROJ_DISTRIBUTED_JOBS MATCHES "^[0-9]+$" AND PERFPROJ_DISTRIBUTED_JOBS GREATER 0)
          set_property(GLOBAL APPEND PROPERTY JOB_POOLS perfproj_compile=${PERFPROJ_DISTRIBUTED_JOBS})
          set(CMAKE_JOB_POOL_COMPILE perfproj_compile)
        endif()
      endif()
      if(EXISTS "/var/run/icecc/iceccd.socket" OR EXISTS "$ENV{HOME}/.iceccd.socket")
        message(STATUS "perfproj: distributed: icecc behind the compiler cache${_perfproj_links}")
      else()
        message(WARNING "perfproj: PERFPROJ_DISTRIBUTED=icecc but no iceccd daemon is running here: every "
                        "compile stays local until it runs (`perfproj doctor` checks the daemon and scheduler)")
      endif()
    endif()
  endif()
endmacro()
