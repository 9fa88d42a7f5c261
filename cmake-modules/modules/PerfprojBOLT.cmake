# BOLT, the post-link optimizer, after PGO: PERFPROJ_BOLT=ON.
#
# BOLT reorders a linked binary's functions and basic blocks by a profile of
# real runs. With PERFPROJ_BOLT=ON the project's executables are linked with
# their relocations kept (--emit-relocs; GCC also without hot/cold block
# splitting, which BOLT does better), and two targets drive BOLT in place:
#   perfproj-bolt-instrument  replace each executable by an instrumented copy
#   (run the training)        ctest -L pgo-training writes the BOLT profiles
#   perfproj-bolt-optimize    replace each executable by its optimized copy
# The pgo.cmake driver runs the three with --bolt. A saved profile (the merged
# <executable>.fdata files of a training, e.g. what `perfproj tune` keeps)
# replaces the training: with PERFPROJ_BOLT_PROFILE_DIR=DIR every executable is
# optimized with DIR/<name>.fdata right after it links. Debian's bolt-16 is used in
# instrumentation mode, which needs no hardware counters (this machine kind
# exposes none to perf); /usr/bin/llvm-bolt-16 cannot instrument, so perfproj
# runs the llvm-bolt next to the instrumentation runtime (/usr/lib/llvm-N).
#
# Reads the global property PERFPROJ_EXECUTABLES (PerfprojTargets.cmake); sets
# _PERFPROJ_BOLT_ACTIVE, read by perfproj_target_bolt() (called by perfproj_target_defaults).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_BOLT OFF "Link for BOLT and add the perfproj-bolt-* targets" BOOL)
perfproj_option(PERFPROJ_BOLT_PROFILE_DIR "" "Saved BOLT profiles (<executable>.fdata): optimize each executable after it links")

# perfproj_bolt_tools(<bolt> <merge-fdata> <runtime>): the newest llvm-bolt
# installed with its instrumentation runtime, or empty.
function(perfproj_bolt_tools out_bolt out_merge out_runtime)
  if(NOT _PERFPROJ_BOLT)
    file(GLOB candidates "/usr/lib/llvm-*/bin/llvm-bolt")
    find_program(_perfproj_bolt_on_path NAMES llvm-bolt NO_CACHE)
    list(SORT candidates COMPARE NATURAL ORDER DESCENDING)
    foreach(bolt IN LISTS candidates _perfproj_bolt_on_path)
      get_filename_component(prefix "${bolt}" DIRECTORY)
      get_filename_component(prefix "${prefix}" DIRECTORY)
      if(bolt AND EXISTS "${prefix}/lib/libbolt_rt_instr.a" AND EXISTS "${prefix}/bin/merge-fdata")
        set(_PERFPROJ_BOLT "${bolt}" CACHE INTERNAL "llvm-bolt")
        set(_PERFPROJ_BOLT_MERGE "${prefix}/bin/merge-fdata" CACHE INTERNAL "merge-fdata")
        set(_PERFPROJ_BOLT_RUNTIME "${prefix}/lib/libbolt_rt_instr.a" CACHE INTERNAL "BOLT runtime")
        break()
      endif()
    endforeach()
  endif()
  set(${out_bolt} "${_PERFPROJ_BOLT}" PARENT_SCOPE)
  set(${out_merge} "${_PERFPROJ_BOLT_MERGE}" PARENT_SCOPE)
  set(${out_runtime} "${_PERFPROJ_BOLT_RUNTIME}" PARENT_SCOPE)
endfunction()

# perfproj_bolt_flags(<out-compile> <out-link>), after validation.
function(perfproj_bolt_flags out_compile out_link)
  set(${out_compile} "" PARENT_SCOPE)
  set(${out_link} "" PARENT_SCOPE)
  if(NOT PERFPROJ_BOLT)
    return()
  endif()
  perfproj_target_cpu(cpu)
  if(NOT CMAKE_EXECUTABLE_FORMAT STREQUAL "ELF")
    perfproj_problem("PERFPROJ_BOLT=ON but ${CMAKE_SYSTEM_NAME} binaries are not ELF: BOLT optimizes ELF binaries only"
                     "set PERFPROJ_BOLT=OFF on this platform")
    return()
  endif()
  if(NOT cpu MATCHES "^(x86_64|aarch64)$")
    perfproj_problem("PERFPROJ_BOLT=ON but BOLT supports x86-64 and AArch64, not ${CMAKE_SYSTEM_PROCESSOR}"
                     "set PERFPROJ_BOLT=OFF for this target")
    return()
  endif()
  if(PERFPROJ_BOLT_PROFILE_DIR AND NOT IS_DIRECTORY "${PERFPROJ_BOLT_PROFILE_DIR}")
    perfproj_problem("PERFPROJ_BOLT_PROFILE_DIR=${PERFPROJ_BOLT_PROFILE_DIR} is not a folder"
                     "point it at the saved .fdata profiles, or leave it empty to train")
  endif()
  perfproj_bolt_tools(bolt merge runtime)
  if(NOT bolt)
    perfproj_problem("PERFPROJ_BOLT=ON but no llvm-bolt with its instrumentation runtime is installed"
                     "install the Debian packages bolt-16 and libbolt-16-dev")
    return()
  endif()
  perfproj_compiler(family major)
  set(compile "")
  if(family STREQUAL "GNU")
    set(compile -fno-reorder-blocks-and-partition)
  endif()
  set(${out_compile} "${compile}" PARENT_SCOPE)
  set(${out_link} "LINKER:--emit-relocs" PARENT_SCOPE)
endfunction()

# At the end of configure: the executables to optimize, and the targets.
function(_perfproj_bolt_targets)
  get_property(executables GLOBAL PROPERTY PERFPROJ_EXECUTABLES)
  set(files "")
  foreach(target IN LISTS executables)
    string(APPEND files "$<TARGET_FILE:${target}>\n")
  endforeach()
  set(manifest "${CMAKE_BINARY_DIR}/perfproj-bolt-executables.txt")
  file(GENERATE OUTPUT "${manifest}" CONTENT "${files}")
  perfproj_bolt_tools(bolt merge runtime)
  set(script "${PERFPROJ_SCRIPTS_DIR}/bolt.cmake")
  set(args -DMANIFEST=${manifest} -DBOLT=${bolt} -DMERGE_FDATA=${merge}
           -DDATA_DIR=${CMAKE_BINARY_DIR}/bolt-profile)
  add_custom_target(perfproj-bolt-instrument
                    COMMAND "${CMAKE_COMMAND}" ${args} -DMODE=instrument -P "${script}" VERBATIM)
  add_custom_target(perfproj-bolt-optimize
                    COMMAND "${CMAKE_COMMAND}" ${args} -DMODE=optimize -P "${script}" VERBATIM)
endfunction()

# perfproj_target_bolt(<target>): with saved profiles (PERFPROJ_BOLT_PROFILE_DIR),
# each executable is optimized right after it links. CMake takes that step only
# in the directory that creates the target: say so plainly when called elsewhere.
function(perfproj_target_bolt target)
  get_target_property(type ${target} TYPE)
  if(NOT _PERFPROJ_BOLT_ACTIVE OR NOT PERFPROJ_BOLT_PROFILE_DIR OR NOT type STREQUAL "EXECUTABLE")
    return()
  endif()
  get_target_property(directory ${target} BINARY_DIR)
  if(NOT directory STREQUAL CMAKE_CURRENT_BINARY_DIR)
    get_target_property(where ${target} SOURCE_DIR)
    message(FATAL_ERROR "perfproj: call perfproj_target_defaults(${target}) in ${where}/CMakeLists.txt, "
                        "which creates ${target}: PERFPROJ_BOLT_PROFILE_DIR optimizes it after the link there")
  endif()
  perfproj_bolt_tools(bolt merge runtime)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -DMODE=apply "-DEXECUTABLE=$<TARGET_FILE:${target}>" -DBOLT=${bolt}
            "-DDATA_DIR=${PERFPROJ_BOLT_PROFILE_DIR}" -P "${PERFPROJ_SCRIPTS_DIR}/bolt.cmake"
    VERBATIM)
endfunction()

macro(_perfproj_apply_BOLT)
  perfproj_bolt_flags(_perfproj_bolt_compile _perfproj_bolt_link)
  set(_PERFPROJ_BOLT_ACTIVE FALSE)
  if(_perfproj_bolt_link)
    set(_PERFPROJ_BOLT_ACTIVE TRUE)
    add_compile_options(${_perfproj_bolt_compile})
    add_link_options(${_perfproj_bolt_link})
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _perfproj_bolt_targets)
  endif()
endmacro()
