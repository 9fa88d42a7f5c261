# Link-time optimization and the linker that goes with it.
#
# - LTO is CMake's IPO, which also switches archives to gcc-ar / llvm-ar-N so
#   static libraries keep their LTO objects usable.
# - GCC's LTO plugin does not work with lld, so GCC keeps the system linker
#   (bfd) unless mold or gold is asked for.
# - Clang links with the lld of its own major version (clang-16 + lld 14 fails
#   on ThinLTO objects), passed with --ld-path so no other lld is picked up.
# - GCC caps inlining growth per compilation unit (inline-unit-growth, 40%).
#   Without LTO every file gets that budget; with LTO the whole program is one
#   unit and shares a single 40%, so the greedy inliner spends it on cold code
#   before hot helpers (measured on the sample workload: +12% instructions,
#   17% slower than plain -O3). perfproj raises it to 200%, where the sample
#   converges: 3.5% fewer instructions than plain -O3 and a smaller binary.
#   A --param=inline-unit-growth in the user's flags wins.
# - The LTO probe runs with the chosen linker and is cached (PerfprojProbe).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_LTO OFF "Link-time optimization for every target in the build" BOOL)
perfproj_option(PERFPROJ_LINKER auto
                "Linker: auto = lld of the same version for Clang, the system linker for GCC"
                VALUES auto system lld mold bfd gold)

# The user's own -fuse-ld/--ld-path wins over PERFPROJ_LINKER=auto.
function(_perfproj_user_chose_linker out)
  set(${out} FALSE PARENT_SCOPE)
  foreach(flags IN ITEMS CMAKE_EXE_LINKER_FLAGS CMAKE_SHARED_LINKER_FLAGS)
    if("${${flags}}" MATCHES "-fuse-ld=|--ld-path=")
      set(${out} TRUE PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

# perfproj_linker_flags(<out>): link options selecting the linker, or empty.
function(perfproj_linker_flags out)
  set(${out} "" PARENT_SCOPE)
  perfproj_compiler(family major)
  set(choice "${PERFPROJ_LINKER}")
  if(choice STREQUAL "auto")
    _perfproj_user_chose_linker(user_linker)
    if(user_linker OR NOT family STREQUAL "Clang")
      return()
    endif()
    perfproj_find_llvm_tool(lld ld.lld)
    if(lld)
      set(${out} "--ld-path=${lld}" PARENT_SCOPE)
    endif()
    return()
  endif()
  if(choice STREQUAL "system")
    return()
  endif()

  if(choice STREQUAL "lld")
    if(family STREQUAL "GNU" AND PERFPROJ_LTO)
      perfproj_problem("PERFPROJ_LINKER=lld with GCC and PERFPROJ_LTO=ON: lld cannot load GCC's LTO plugin"
                       "use PERFPROJ_LINKER=auto, bfd or mold with GCC, or switch to Clang")
      return()
    endif()
    if(family STREQUAL "Clang")
      perfproj_find_llvm_tool(lld ld.lld)
      if(NOT lld)
        perfproj_problem("PERFPROJ_LINKER=lld but no ld.lld ${major} matches Clang ${major}"
                         "install the Debian package lld-${major}")
        return()
      endif()
      set(${out} "--ld-path=${lld}" PARENT_SCOPE)
      return()
    endif()
  endif()

  set(program "${choice}")
  if(choice MATCHES "^(bfd|gold)$")
    set(program "ld.${choice}")
  elseif(choice STREQUAL "lld")
    set(program "ld.lld")
  endif()
  find_program(_PERFPROJ_LINKER_${choice} NAMES ${program})
  if(NOT _PERFPROJ_LINKER_${choice})
    set(package "${choice}")
    if(choice MATCHES "^(bfd|gold)$")
      set(package "binutils")
    endif()
    perfproj_problem("PERFPROJ_LINKER=${choice} but ${program} is not installed"
                     "install the Debian package ${package}, or use PERFPROJ_LINKER=auto")
    return()
  endif()
  set(${out} "-fuse-ld=${choice}" PARENT_SCOPE)
endfunction()

# Applies the linker and LTO settings to this directory and everything below.
macro(_perfproj_apply_LTO)
  perfproj_linker_flags(_perfproj_linker_flags)
  if(_perfproj_linker_flags)
    add_link_options(${_perfproj_linker_flags})
  endif()
  if(PERFPROJ_LTO)
    perfproj_check_ipo(_perfproj_lto_ok _perfproj_lto_reason LINK ${_perfproj_linker_flags})
    if(_perfproj_lto_ok)
      set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ON)
      perfproj_compiler(_perfproj_family _perfproj_major)
      if(_perfproj_family STREQUAL "GNU" AND NOT "${CMAKE_CXX_FLAGS} ${CMAKE_C_FLAGS}" MATCHES "inline-unit-growth")
        # The whole-program inlining budget (see the top of this file); the
        # link line matters most: that is where GCC's LTO inliner runs.
        add_compile_options(--param=inline-unit-growth=200)
        add_link_options(--param=inline-unit-growth=200)
      endif()
      # Each LTO link already uses every core (-flto=auto, ThinLTO threads), and
      # Ninja 1.11 has no jobserver to share them: link one target at a time.
      if(CMAKE_GENERATOR MATCHES "Ninja" AND NOT DEFINED CMAKE_JOB_POOL_LINK)
        set_property(GLOBAL APPEND PROPERTY JOB_POOLS perfproj_lto_link=1)
        set(CMAKE_JOB_POOL_LINK perfproj_lto_link)
      endif()
      if(_perfproj_linker_flags MATCHES "ld.lld")
        # Incremental ThinLTO: unchanged modules are reused on relink.
        add_link_options("LINKER:--thinlto-cache-dir=${CMAKE_BINARY_DIR}/perfproj-thinlto-cache")
      endif()
    else()
      perfproj_compiler(_perfproj_family _perfproj_major)
      perfproj_problem(
        "PERFPROJ_LTO=ON but ${_perfproj_family} ${_perfproj_major} cannot build with LTO here: ${_perfproj_lto_reason}"
        "install the LTO linker plugin (GCC: binutils; Clang: lld-${_perfproj_major} or llvm-${_perfproj_major}-linker-tools), or set PERFPROJ_LTO=OFF")
    endif()
  endif()
endmacro()
