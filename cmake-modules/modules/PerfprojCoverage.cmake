# Test coverage of the project's own code: PERFPROJ_COVERAGE=ON.
#
# GCC:   --coverage on the project's targets; the report is made by gcovr.
# Clang: -fprofile-instr-generate -fcoverage-mapping (source-based coverage);
#        the report is made by llvm-profdata and llvm-cov of Clang's version.
# The perfproj-coverage target writes an HTML report to
# <build>/coverage-report/index.html and prints a one-line summary;
# perfproj-coverage-clean clears the counts of earlier runs. The coverage
# preset's workflow builds, clears, tests, then makes the report.
#
# Reads the global property PERFPROJ_EXECUTABLES (PerfprojTargets.cmake).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_COVERAGE OFF "Test coverage of the project's own targets" BOOL)

function(_perfproj_coverage_setup out_flags)
  set(${out_flags} "" PARENT_SCOPE)
  if(NOT PERFPROJ_COVERAGE)
    return()
  endif()
  perfproj_compiler(family major)
  if(family STREQUAL "GNU")
    find_program(_PERFPROJ_GCOVR NAMES gcovr)
    find_program(_PERFPROJ_GCOV NAMES gcov-${major} gcov)
    if(NOT _PERFPROJ_GCOVR)
      perfproj_problem("PERFPROJ_COVERAGE=ON with GCC needs gcovr for the report" "install the Debian package gcovr")
      return()
    endif()
    set(${out_flags} --coverage PARENT_SCOPE)
  elseif(family STREQUAL "Clang")
    perfproj_find_llvm_tool(profdata llvm-profdata)
    perfproj_find_llvm_tool(cov llvm-cov)
    if(NOT profdata OR NOT cov)
      perfproj_problem("PERFPROJ_COVERAGE=ON with Clang ${major} needs llvm-profdata and llvm-cov ${major}"
                       "install the Debian package llvm-${major}")
      return()
    endif()
    set(${out_flags} -fprofile-instr-generate -fcoverage-mapping PARENT_SCOPE)
  else()
    perfproj_problem("PERFPROJ_COVERAGE=ON is supported for GCC and Clang, not ${family}" "use GCC or Clang")
  endif()
endfunction()

# perfproj_target_coverage(<target>)
function(perfproj_target_coverage target)
  if(PERFPROJ_COVERAGE_FLAGS)
    target_compile_options(${target} PRIVATE ${PERFPROJ_COVERAGE_FLAGS})
    target_link_options(${target} PRIVATE ${PERFPROJ_COVERAGE_FLAGS})
  endif()
endfunction()

# At the end of configure: the report target, over the project's executables.
function(_perfproj_coverage_target)
  perfproj_compiler(family major)
  get_property(executables GLOBAL PROPERTY PERFPROJ_EXECUTABLES)
  set(objects "")
  foreach(target IN LISTS executables)
    list(APPEND objects "$<TARGET_FILE:${target}>")
  endforeach()
  list(JOIN objects "$<SEMICOLON>" objects)
  set(tools "")
  if(family STREQUAL "Clang")
    perfproj_find_llvm_tool(profdata llvm-profdata)
    perfproj_find_llvm_tool(cov llvm-cov)
    set(tools "-DPROFDATA=${profdata}" "-DLLVM_COV=${cov}")
  else()
    set(tools "-DGCOVR=${_PERFPROJ_GCOVR}" "-DGCOV=${_PERFPROJ_GCOV}")
  endif()
  set(script "${PERFPROJ_SCRIPTS_DIR}/coverage.cmake")
  set(args -DCOMPILER=${family} ${tools} "-DSOURCE_DIR=${CMAKE_SOURCE_DIR}" "-DBINARY_DIR=${CMAKE_BINARY_DIR}")
  add_custom_target(perfproj-coverage
    COMMAND "${CMAKE_COMMAND}" ${args} "-DOBJECTS=${objects}" -DMODE=report -P "${script}" VERBATIM)
  # Counts from earlier runs would add up with the next ones: clear them first.
  add_custom_target(perfproj-coverage-clean
    COMMAND "${CMAKE_COMMAND}" ${args} -DMODE=clean -P "${script}" VERBATIM)
endfunction()

macro(_perfproj_apply_Coverage)
  _perfproj_coverage_setup(PERFPROJ_COVERAGE_FLAGS)
  if(PERFPROJ_COVERAGE_FLAGS)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _perfproj_coverage_target)
  endif()
endmacro()
