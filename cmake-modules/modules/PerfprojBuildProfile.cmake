# Where build time goes: PERFPROJ_BUILD_PROFILE=ON (the build-profile preset).
#
# Every compile reports where its own time went:
#   Clang  -ftime-trace: a Chrome-trace JSON per object, next to it
#          (CMakeFiles/<target>.dir/<source>.json), for ui.perfetto.dev
#   GCC    -ftime-report: GCC prints it on stderr; the compiler launcher
#          scripts/build_profile_launcher.py keeps it as <object>.time-report.txt
#          and lets the rest of stderr (warnings, errors) through.
# The perfproj-build-profile target (in every build: without the option it
# says how to turn it on) runs scripts/build_profile.py, which sums them up
# over the build with Ninja's .ninja_log: the slowest headers, templates,
# functions, GCC phases and build steps, and the critical path. It prints the
# tables and writes them to <build>/build-profile.md.
#
# No compiler cache in these builds: the profile must time real compiles. A
# cache hit replays a compile, so its step time measures a lookup, and ccache
# replays the -ftime-report output it stored with the object: the times of a
# compile long past (ccache 4.7 does not cache -ftime-trace compiles at all,
# and counts each as unsupported). So ccache and sccache, with the CCACHE_*
# settings perfproj puts in front of ccache, leave CMAKE_<LANG>_COMPILER_LAUNCHER
# (set by PERFPROJ_COMPILER_CACHE=auto or in the environment); any other
# launcher stays, after GCC's report launcher. PERFPROJ_COMPILER_CACHE=ccache
# or sccache asked for by name is a conflict, and so is PERFPROJ_DISTRIBUTED:
# a remote compile times the network and a worker's load, and Clang's trace
# file would stay on the worker.
#
# Reads CMAKE_<LANG>_COMPILER_LAUNCHER as PerfprojCompilerCache.cmake and
# PerfprojDistributed.cmake left it (this module comes after both) and
# PERFPROJ_DISTRIBUTED; sets CMAKE_<LANG>_COMPILER_LAUNCHER for this build.
include_guard(GLOBAL)

perfproj_option(PERFPROJ_BUILD_PROFILE OFF
                "Time every compile (Clang -ftime-trace, GCC -ftime-report) for the perfproj-build-profile report" BOOL)

# _perfproj_build_profile_flags(<out>): the compile flags of a build-profile
# build, or empty (with a problem when the build cannot have them).
function(_perfproj_build_profile_flags out)
  set(${out} "" PARENT_SCOPE)
  if(NOT PERFPROJ_BUILD_PROFILE)
    return()
  endif()
  find_program(_PERFPROJ_PYTHON3 NAMES python3)
  if(NOT _PERFPROJ_PYTHON3)
    perfproj_problem("PERFPROJ_BUILD_PROFILE=ON needs python3 for its report (and for GCC's report launcher)"
                     "install the Debian package python3")
  endif()
  if(PERFPROJ_COMPILER_CACHE MATCHES "^(ccache|sccache)$")
    perfproj_problem("PERFPROJ_BUILD_PROFILE=ON with PERFPROJ_COMPILER_CACHE=${PERFPROJ_COMPILER_CACHE}: a cache hit times a lookup, not a compile"
                     "set PERFPROJ_COMPILER_CACHE=auto or none in build-profile builds (their compiles bypass the cache)")
  endif()
  if(DEFINED PERFPROJ_DISTRIBUTED AND NOT PERFPROJ_DISTRIBUTED STREQUAL "none")
    perfproj_problem("PERFPROJ_BUILD_PROFILE=ON with PERFPROJ_DISTRIBUTED=${PERFPROJ_DISTRIBUTED}: a remote compile times the network and a worker, and Clang's trace stays on the worker"
                     "set PERFPROJ_DISTRIBUTED=none in build-profile builds")
  endif()
  perfproj_compiler(family major)
  if(family STREQUAL "GNU")
    set(flags -ftime-report)
  elseif(family STREQUAL "Clang")
    set(flags -ftime-trace)
  else()
    perfproj_problem("PERFPROJ_BUILD_PROFILE=ON is supported for GCC and Clang, not ${family}" "use GCC or Clang")
    return()
  endif()
  perfproj_check_flags(supported COMPILE ${flags})
  if(NOT supported)
    perfproj_problem("PERFPROJ_BUILD_PROFILE=ON: ${family} ${major} does not accept ${flags}"
                     "use GCC, or Clang 9 or newer")
    return()
  endif()
  set(${out} ${flags} PARENT_SCOPE)
endfunction()

# _perfproj_launcher_without_cache(<out> <launcher>): the launcher list without
# ccache or sccache, and without the CCACHE_* settings in front of ccache.
function(_perfproj_launcher_without_cache out launcher)
  set(kept "")
  foreach(word IN LISTS launcher)
    if(NOT word MATCHES "(^|/)s?ccache$" AND NOT word MATCHES "^CCACHE_[A-Z_]*=")
      list(APPEND kept "${word}")
    endif()
  endforeach()
  if(kept STREQUAL "${CMAKE_COMMAND};-E;env")  # what is left of perfproj's ccache settings
    set(kept "")
  endif()
  set(${out} "${kept}" PARENT_SCOPE)
endfunction()

function(_perfproj_add_build_profile_target enabled)
  if(TARGET perfproj-build-profile)
    return()
  endif()
  if(enabled)
    add_custom_target(perfproj-build-profile
      COMMAND "${_PERFPROJ_PYTHON3}" "${PERFPROJ_SCRIPTS_DIR}/build_profile.py" "${CMAKE_BINARY_DIR}"
      VERBATIM USES_TERMINAL)
  else()
    add_custom_target(perfproj-build-profile
      COMMAND "${CMAKE_COMMAND}" -E echo "perfproj-build-profile: this build does not time its compiles: configure with -DPERFPROJ_BUILD_PROFILE=ON (the build-profile preset does) and build again"
      VERBATIM)
  endif()
endfunction()

macro(_perfproj_apply_BuildProfile)
  _perfproj_build_profile_flags(_perfproj_build_profile_flags)
  if(_perfproj_build_profile_flags)
    add_compile_options(${_perfproj_build_profile_flags})
    perfproj_compiler(_perfproj_family _perfproj_major)
    perfproj_languages(_perfproj_languages)
    set(_perfproj_bypassed "")
    foreach(_perfproj_lang IN LISTS _perfproj_languages)
      set(_perfproj_launcher "${CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER}")
      _perfproj_launcher_program(_perfproj_cache_program "${_perfproj_launcher}")
      if(_perfproj_cache_program)
        get_filename_component(_perfproj_bypassed "${_perfproj_cache_program}" NAME)
      endif()
      _perfproj_launcher_without_cache(_perfproj_launcher "${_perfproj_launcher}")
      if(_perfproj_family STREQUAL "GNU")
        # -S: no site packages to import; its start-up is in every GCC compile step's time.
        list(PREPEND _perfproj_launcher "${_PERFPROJ_PYTHON3}" -S "${PERFPROJ_SCRIPTS_DIR}/build_profile_launcher.py")
      endif()
      set(CMAKE_${_perfproj_lang}_COMPILER_LAUNCHER "${_perfproj_launcher}")
    endforeach()
    if(_perfproj_bypassed)
      set(_perfproj_bypassed ", bypassing ${_perfproj_bypassed} so that every compile is timed")
    endif()
    message(STATUS "perfproj: build profile: ${_perfproj_build_profile_flags}${_perfproj_bypassed}; "
                   "`cmake --build <build> --target perfproj-build-profile` reports")
  endif()
  _perfproj_add_build_profile_target("${_perfproj_build_profile_flags}")
endmacro()
