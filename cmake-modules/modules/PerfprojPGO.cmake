# Profile-guided optimization: PERFPROJ_PGO=OFF|GENERATE|USE.
#
# GENERATE builds instrumented binaries that write a profile to PERFPROJ_PGO_DIR
# when they exit; USE builds optimized binaries from that profile. The whole
# chain is one command: `cmake -P cmake/perfproj/scripts/pgo.cmake [PRESET] [--bolt]`
# (see pgo.cmake). Profile flags go on compile and link lines (LTO optimizes at
# link time) and apply to the whole build, dependencies included.
#
# GCC
#   generate  -fprofile-generate=DIR -fprofile-prefix-path=<build dir>
#             -fprofile-update=single|atomic (PERFPROJ_PGO_ATOMIC)
#   use       -fprofile-use=DIR -fprofile-prefix-path=<build dir>
#             -fprofile-correction -Wno-error=coverage-mismatch
#   GCC names each .gcda after the object file's absolute path, so a profile
#   made in one build directory would silently not be found from another:
#   -fprofile-prefix-path makes the names relative to the build directory.
#   A stale profile is an error in GCC 12 (-Werror=coverage-mismatch); it is
#   a warning here, and -Wmissing-profile stays visible: it is the only sign
#   of a profile that does not match the build.
# Clang (IR PGO)
#   generate  -fprofile-generate=DIR  (+ -mllvm -instrprof-atomic-counter-update-all:
#             Clang 14/16 ignore -fprofile-update=atomic with -fprofile-generate)
#   merge     llvm-profdata-<clang major> merge -o DIR/merged.profdata DIR/*.profraw
#             (a profile merged by another major version is rejected)
#   use       -fprofile-use=DIR/merged.profdata
#
# GCC, both stages, measured on the sample workload (docs/pgo.md):
#   -fno-reorder-blocks-and-partition  with a profile, GCC splits functions and
#       moves code the training never ran far away; that cost 4-7% here, and
#       BOLT (which needs it off anyway) does the splitting better.
#   -fno-inline-functions-called-once  (with LTO) a library function called
#       once from main() was inlined, hot loop and all, into the big, cold
#       command-line function: PGO then made the program 11% *slower*.
#
# Atomic counters are off by default: they made instrumented training runs
# 5-10x slower on real workloads on this machine kind, and only training that
# runs several threads needs them (otherwise counts are merely approximate,
# which -fprofile-correction tolerates).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_PGO OFF "Profile-guided optimization stage" VALUES OFF GENERATE USE)
perfproj_option(PERFPROJ_PGO_DIR ""
                "Profile directory; relative paths are from the source directory (default: <build>/pgo-profile)")
perfproj_option(PERFPROJ_PGO_ATOMIC OFF "Atomic profile counters, for training that runs several threads" BOOL)

set(PERFPROJ_PGO_MANIFEST "perfproj-profile.txt")

# perfproj_pgo_dir(<out>): the absolute profile directory.
function(perfproj_pgo_dir out)
  set(dir "${PERFPROJ_PGO_DIR}")
  if(dir STREQUAL "")
    set(dir "${CMAKE_BINARY_DIR}/pgo-profile")
  endif()
  get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()

# The command that makes a profile, for error messages.
set(_PERFPROJ_PGO_HOW "run `cmake -P cmake/perfproj/scripts/pgo.cmake <release preset>` from the project's top directory, or point PERFPROJ_PGO_DIR at a saved profile")

# Checks that a saved profile was made by the same compiler (family and major).
function(_perfproj_pgo_check_manifest dir)
  perfproj_compiler(family major)
  set(manifest "${dir}/${PERFPROJ_PGO_MANIFEST}")
  if(NOT EXISTS "${manifest}")
    return()  # a profile from elsewhere: trust the compiler to complain
  endif()
  file(STRINGS "${manifest}" made_by REGEX "^compiler=")
  if(NOT made_by STREQUAL "compiler=${family} ${major}")
    string(REPLACE "compiler=" "" made_by "${made_by}")
    perfproj_problem("PERFPROJ_PGO=USE with a profile made by ${made_by}, but this build uses ${family} ${major}"
                     "make a new profile with this compiler: ${_PERFPROJ_PGO_HOW}")
  endif()
endfunction()

# perfproj_pgo_flags(<out-compile> <out-link>): flags for PERFPROJ_PGO, after validation.
function(perfproj_pgo_flags out_compile out_link)
  set(${out_compile} "" PARENT_SCOPE)
  set(${out_link} "" PARENT_SCOPE)
  if(PERFPROJ_PGO STREQUAL "OFF")
    return()
  endif()
  perfproj_compiler(family major)
  perfproj_pgo_dir(dir)
  # GCC code-shape flags for both stages (see the top of this file).
  set(_PERFPROJ_PGO_GCC_SHAPE -fno-reorder-blocks-and-partition)
  if(CMAKE_INTERPROCEDURAL_OPTIMIZATION)
    list(APPEND _PERFPROJ_PGO_GCC_SHAPE -fno-inline-functions-called-once)
  endif()
  if(NOT family MATCHES "^(GNU|Clang)$")
    perfproj_problem("PERFPROJ_PGO=${PERFPROJ_PGO} is supported for GCC and Clang, not ${family}"
                     "use GCC or Clang, or set PERFPROJ_PGO=OFF")
    return()
  endif()

  if(PERFPROJ_PGO STREQUAL "GENERATE")
    if(family STREQUAL "GNU")
      set(update single)
      if(PERFPROJ_PGO_ATOMIC)
        set(update atomic)
      endif()
      set(flags "-fprofile-generate=${dir}" "-fprofile-prefix-path=${CMAKE_BINARY_DIR}"
                "-fprofile-update=${update}" ${_PERFPROJ_PGO_GCC_SHAPE})
    else()
      perfproj_find_llvm_tool(profdata llvm-profdata)
      if(NOT profdata)
        perfproj_problem("PERFPROJ_PGO=GENERATE with Clang ${major} needs llvm-profdata ${major} to merge the profile"
                         "install the Debian package llvm-${major}")
      endif()
      set(flags "-fprofile-generate=${dir}")
      if(PERFPROJ_PGO_ATOMIC)
        list(APPEND flags "SHELL:-mllvm -instrprof-atomic-counter-update-all")
      endif()
    endif()
    file(MAKE_DIRECTORY "${dir}")
    file(WRITE "${dir}/${PERFPROJ_PGO_MANIFEST}"
         "compiler=${family} ${major}\narch=${PERFPROJ_ARCH}\nbuild=${CMAKE_BINARY_DIR}\n")
    set(${out_compile} "${flags}" PARENT_SCOPE)
    set(${out_link} "${flags}" PARENT_SCOPE)
    return()
  endif()

  # USE: the profile must exist, from this compiler.
  if(family STREQUAL "GNU")
    file(GLOB gcda "${dir}/*.gcda")
    if(NOT gcda)
      perfproj_problem("PERFPROJ_PGO=USE but ${dir} holds no profile (.gcda files)" "${_PERFPROJ_PGO_HOW}")
      return()
    endif()
    set(flags "-fprofile-use=${dir}" "-fprofile-prefix-path=${CMAKE_BINARY_DIR}" -fprofile-correction
              -Wno-error=coverage-mismatch -Wno-error=missing-profile ${_PERFPROJ_PGO_GCC_SHAPE})
  else()
    set(profile "${dir}/merged.profdata")
    if(NOT EXISTS "${profile}")
      file(GLOB raw "${dir}/*.profraw")
      perfproj_find_llvm_tool(profdata llvm-profdata)
      if(raw AND profdata)
        execute_process(COMMAND "${profdata}" merge -o "${profile}" ${raw} RESULT_VARIABLE failed)
      endif()
    endif()
    if(NOT EXISTS "${profile}")
      perfproj_problem("PERFPROJ_PGO=USE but ${profile} does not exist" "${_PERFPROJ_PGO_HOW}")
      return()
    endif()
    set(flags "-fprofile-use=${profile}" -Wno-error=backend-plugin)
  endif()
  _perfproj_pgo_check_manifest("${dir}")
  set(${out_compile} "${flags}" PARENT_SCOPE)
  set(${out_link} "${flags}" PARENT_SCOPE)
endfunction()

# Targets the driver uses: perfproj-pgo-clean and -merge in GENERATE builds,
# perfproj-pgo-report in USE builds (all run scripts/pgo_profile.cmake).
# perfproj_pgo_untrained(<target>): a target PGO training never runs (a fuzz
# target, a tool): in a PERFPROJ_PGO=USE build it is compiled without the
# profile, said outright, so the PGO chain's warning counts stay about the
# trained code. Otherwise GCC warns about each of its files
# (-Wmissing-profile), and Clang, whose profile names functions without
# their file, about any function it shares a name with trained code (a
# second main() has another hash).
function(perfproj_pgo_untrained target)
  if(NOT PERFPROJ_PGO STREQUAL "USE")
    return()
  endif()
  perfproj_compiler(family major)
  if(family STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-missing-profile)
  elseif(family STREQUAL "Clang")
    target_compile_options(${target} PRIVATE -fno-profile-instr-use)
  endif()
endfunction()

function(_perfproj_pgo_targets)
  perfproj_compiler(family major)
  perfproj_pgo_dir(dir)
  set(tool "")
  if(family STREQUAL "Clang")
    perfproj_find_llvm_tool(tool llvm-profdata)
  else()
    find_program(_PERFPROJ_GCOV_DUMP NAMES gcov-dump-${major} gcov-dump)
    set(tool "${_PERFPROJ_GCOV_DUMP}")
  endif()
  set(script "${PERFPROJ_SCRIPTS_DIR}/pgo_profile.cmake")
  set(args -DPROFILE_DIR=${dir} -DCOMPILER=${family} -DTOOL=${tool} -DMANIFEST=${PERFPROJ_PGO_MANIFEST})
  if(PERFPROJ_PGO STREQUAL "GENERATE")
    add_custom_target(perfproj-pgo-clean COMMAND "${CMAKE_COMMAND}" ${args} -DMODE=clean -P "${script}"
                      COMMENT "perfproj: clearing old profile data in ${dir}" VERBATIM)
    add_custom_target(perfproj-pgo-merge COMMAND "${CMAKE_COMMAND}" ${args} -DMODE=merge -P "${script}"
                      COMMENT "perfproj: merging the profile in ${dir}" VERBATIM)
  elseif(PERFPROJ_PGO STREQUAL "USE")
    add_custom_target(perfproj-pgo-report COMMAND "${CMAKE_COMMAND}" ${args} -DMODE=report -P "${script}"
                      VERBATIM)
  endif()
endfunction()

macro(_perfproj_apply_PGO)
  perfproj_pgo_flags(_perfproj_pgo_compile _perfproj_pgo_link)
  if(_perfproj_pgo_compile)
    add_compile_options(${_perfproj_pgo_compile})
    add_link_options(${_perfproj_pgo_link})
    _perfproj_pgo_targets()
  endif()
endmacro()
