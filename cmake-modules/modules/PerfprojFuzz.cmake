# Fuzzing with libFuzzer: PERFPROJ_FUZZ (the fuzz preset) and perfproj_add_fuzzer().
#
# A fuzz target is one function that takes an input and must survive any input:
#   extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
# perfproj_add_fuzzer(<name> <source>... [LINK <target>...] [CORPUS <dir>]
#                     [REGRESSIONS <dir>] [DICT <file>])
# makes it an executable in every build:
#   - PERFPROJ_FUZZ=ON (Clang only): linked with libFuzzer (-fsanitize=fuzzer).
#     The whole build compiles with -fsanitize=fuzzer-no-link, so the library
#     code the target calls feeds coverage back to the fuzzer, and with
#     FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION defined (the common convention
#     for code that must relax a checksum or a limit under fuzzing).
#   - otherwise, GCC included: linked with runtime/perfproj_fuzz_main.c, a
#     main() that runs each input file once.
# Either way the test <name>-inputs runs every file of CORPUS (the seeds) and
# REGRESSIONS (inputs that once crashed it, kept in the repository) once, so
# every build checks them, and the asan/ubsan builds check them for memory
# errors and undefined behaviour.
#
# In a fuzz build, the target <name>-fuzz runs the fuzzer for
# PERFPROJ_FUZZ_SECONDS (the environment variable of the same name overrides
# it, e.g. for a longer nightly run), and the target `fuzz` (`perfproj-fuzz`
# in an adopted repository) runs every fuzzer in turn (scripts/fuzz.cmake).
# New interesting inputs go to <build>/perfproj-fuzz/<name>/corpus and are
# reused by the next run; a crash stops the run with the file's path and the
# command that copies it into REGRESSIONS. Outside fuzz builds `fuzz` says
# which preset to use instead of failing as an unknown target.
#
# Conflicts are problems of the configure error like every other: libFuzzer is
# Clang's (GCC has none), and LTO, PGO and BOLT describe an optimized program,
# not the instrumented one the fuzzer explores; ThreadSanitizer and
# MemorySanitizer need a fuzzing set-up of their own (address and undefined
# are the ones the fuzz preset uses).
#
# Reads PERFPROJ_SANITIZERS, PERFPROJ_LTO, PERFPROJ_PGO, PERFPROJ_BOLT; uses perfproj_pgo_untrained().
include_guard(GLOBAL)

perfproj_option(PERFPROJ_FUZZ OFF "Link fuzz targets with libFuzzer and instrument the build for it (Clang)" BOOL)
perfproj_option(PERFPROJ_FUZZ_SECONDS 60 "How long each fuzz target runs in the fuzz target (a positive integer)")

macro(_perfproj_apply_Fuzz)
  if(NOT PERFPROJ_FUZZ_SECONDS MATCHES "^[1-9][0-9]*$")
    perfproj_problem("PERFPROJ_FUZZ_SECONDS=${PERFPROJ_FUZZ_SECONDS} is not a number of seconds"
                     "set PERFPROJ_FUZZ_SECONDS to a positive integer, e.g. 60")
  endif()
  if(PERFPROJ_FUZZ)
    _perfproj_fuzz_flags(_perfproj_fuzz_ok)
    if(_perfproj_fuzz_ok)
      add_compile_options(-fsanitize=fuzzer-no-link)
      add_compile_definitions(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
      perfproj_target_name(_perfproj_fuzz_all fuzz)
      message(STATUS "perfproj: fuzz build: the target ${_perfproj_fuzz_all} runs each fuzz target for "
                     "${PERFPROJ_FUZZ_SECONDS} s (PERFPROJ_FUZZ_SECONDS)")
    endif()
  endif()
endmacro()

function(_perfproj_fuzz_flags out_ok)
  set(ok TRUE)
  perfproj_compiler(family major)
  if(NOT family STREQUAL "Clang")
    perfproj_problem("PERFPROJ_FUZZ=ON needs Clang's libFuzzer: ${family} has none"
                     "configure with CC=clang CXX=clang++ (the fuzz preset is Clang only)")
    set(ok FALSE)
  endif()
  perfproj_instrumented_build_conflicts(optimized_ok "PERFPROJ_FUZZ=ON" fuzz)
  if(NOT optimized_ok)
    set(ok FALSE)
  endif()
  foreach(sanitizer IN ITEMS thread memory)
    if(sanitizer IN_LIST PERFPROJ_SANITIZERS)
      perfproj_problem("PERFPROJ_FUZZ=ON with PERFPROJ_SANITIZERS containing ${sanitizer}: perfproj fuzzes with AddressSanitizer and UndefinedBehaviorSanitizer"
                       "set PERFPROJ_SANITIZERS=address;undefined (the fuzz preset's)")
      set(ok FALSE)
    endif()
  endforeach()
  if(ok)
    # A fuzz target defines no main(): libFuzzer's is the one.
    perfproj_primary_language(lang)
    set(entry "int LLVMFuzzerTestOneInput(const unsigned char* data, unsigned long size)")
    if(lang STREQUAL "CXX")
      set(entry "extern \"C\" ${entry}")
    endif()
    perfproj_check_program(supported ${lang} "${entry} { return data != 0 && size > 0 ? 0 : 0; }"
                           FLAGS -fsanitize=fuzzer)
    if(NOT supported)
      perfproj_problem("PERFPROJ_FUZZ=ON: Clang ${major} cannot build and link with -fsanitize=fuzzer"
                       "install libclang-rt-${major}-dev (it holds libFuzzer)")
      set(ok FALSE)
    endif()
  endif()
  set(${out_ok} ${ok} PARENT_SCOPE)
endfunction()

# The replay main(), one object library for every fuzz target, outside the
# project's warning flags (it is perfproj's code, not the project's).
function(_perfproj_fuzz_replay_main)
  if(TARGET perfproj_fuzz_replay)
    return()
  endif()
  set(source "${PERFPROJ_RUNTIME_DIR}/perfproj_fuzz_main.c")
  add_library(perfproj_fuzz_replay OBJECT "${source}")
  # Valid C and C++: compiled as the project's own language, like build info.
  perfproj_primary_language(lang)
  set_source_files_properties("${source}" TARGET_DIRECTORY perfproj_fuzz_replay PROPERTIES LANGUAGE ${lang})
  perfproj_pgo_untrained(perfproj_fuzz_replay)  # training never runs it
endfunction()

# perfproj_add_fuzzer(<name> <source>... [LINK <target>...] [CORPUS <dir>]
#                     [REGRESSIONS <dir>] [DICT <file>])
# Relative folders and files are relative to the calling CMakeLists.txt.
function(perfproj_add_fuzzer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "CORPUS;REGRESSIONS;DICT" "LINK")
  set(sources ${arg_UNPARSED_ARGUMENTS})
  if(NOT sources)
    message(FATAL_ERROR "perfproj_add_fuzzer(${name}): no source files; name the one that defines LLVMFuzzerTestOneInput")
  endif()
  set(inputs "")
  foreach(kind IN ITEMS CORPUS REGRESSIONS DICT)
    if(arg_${kind})
      get_filename_component(arg_${kind} "${arg_${kind}}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      if(NOT EXISTS "${arg_${kind}}")
        message(FATAL_ERROR "perfproj_add_fuzzer(${name}): ${kind} ${arg_${kind}} does not exist")
      endif()
      if(NOT kind STREQUAL "DICT")
        list(APPEND inputs "${arg_${kind}}")
      endif()
    endif()
  endforeach()

  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${arg_LINK})
  perfproj_pgo_untrained(${name})  # training never runs a fuzz target
  if(PERFPROJ_FUZZ)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    # -runs=0: read and run every input of the folders once, then stop.
    set(run_inputs -runs=0)
  else()
    _perfproj_fuzz_replay_main()
    target_link_libraries(${name} PRIVATE perfproj_fuzz_replay)
    set(run_inputs "")
  endif()
  if(inputs)
    add_test(NAME ${name}-inputs COMMAND ${name} ${run_inputs} ${inputs})
    set_tests_properties(${name}-inputs PROPERTIES LABELS fuzz)
  endif()

  perfproj_target_name(all_target fuzz)
  if(NOT TARGET ${all_target})
    if(PERFPROJ_FUZZ)
      add_custom_target(${all_target})
    else()
      add_custom_target(${all_target}
        COMMAND "${CMAKE_COMMAND}" -E echo "perfproj: this build has PERFPROJ_FUZZ=OFF, so its fuzz targets only replay their inputs (ctest -L fuzz); to fuzz, configure the fuzz preset with Clang (CC=clang CXX=clang++) and build this target there"
        COMMAND "${CMAKE_COMMAND}" -E false
        VERBATIM)
    endif()
  endif()
  if(PERFPROJ_FUZZ)
    set(work "${CMAKE_BINARY_DIR}/perfproj-fuzz/${name}")
    add_custom_target(${name}-fuzz
      COMMAND "${CMAKE_COMMAND}" "-DFUZZER=$<TARGET_FILE:${name}>" "-DNAME=${name}" "-DWORK=${work}"
              "-DSEEDS=${arg_CORPUS}" "-DREGRESSIONS=${arg_REGRESSIONS}" "-DDICT=${arg_DICT}"
              "-DSECONDS=${PERFPROJ_FUZZ_SECONDS}" -P "${PERFPROJ_SCRIPTS_DIR}/fuzz.cmake"
      DEPENDS ${name} USES_TERMINAL VERBATIM)
    add_dependencies(${all_target} ${name}-fuzz)
  endif()
endfunction()
