# Operations on a PGO profile directory, run by the perfproj-pgo-* targets:
#   cmake -DMODE=clean|merge|report -DPROFILE_DIR=... -DCOMPILER=GNU|Clang
#         -DTOOL=<gcov-dump or llvm-profdata> -DMANIFEST=<file name> -P pgo-profile.cmake
# clean   removes old profile data (before training: stale data poisons a profile)
# merge   Clang: raw profiles -> merged.profdata; GCC: checks the .gcda files
# report  the profile's size and the share of its functions that ran in training
cmake_minimum_required(VERSION 3.25)

file(GLOB gcda "${PROFILE_DIR}/*.gcda")
file(GLOB raw "${PROFILE_DIR}/*.profraw")
set(merged "${PROFILE_DIR}/merged.profdata")

if(MODE STREQUAL "clean")
  file(REMOVE ${gcda} ${raw} "${merged}")
  return()
endif()

if(MODE STREQUAL "merge")
  if(COMPILER STREQUAL "Clang")
    if(NOT raw)
      message(FATAL_ERROR "perfproj: no raw profile in ${PROFILE_DIR}: did the training run? "
                          "(ctest -L pgo-training in the instrumented build)")
    endif()
    execute_process(COMMAND "${TOOL}" merge -o "${merged}" ${raw} RESULT_VARIABLE failed)
    if(failed)
      message(FATAL_ERROR "perfproj: ${TOOL} merge failed")
    endif()
  elseif(NOT gcda)
    message(FATAL_ERROR "perfproj: no .gcda files in ${PROFILE_DIR}: did the training run? "
                        "(ctest -L pgo-training in the instrumented build)")
  endif()
  return()
endif()

if(MODE STREQUAL "report")
  # Size of the profile data.
  set(bytes 0)
  set(files ${gcda})
  if(COMPILER STREQUAL "Clang")
    set(files "${merged}")
  endif()
  foreach(file IN LISTS files)
    file(SIZE "${file}" size)
    math(EXPR bytes "${bytes} + ${size}")
  endforeach()
  math(EXPR kib "(${bytes} + 1023) / 1024")
  list(LENGTH files count)

  # Functions in the profile, and how many ran during training.
  set(total 0)
  set(ran 0)
  if(COMPILER STREQUAL "Clang")
    # One "Block counts: [...]" per function; any non-zero count means it ran.
    execute_process(COMMAND "${TOOL}" show --all-functions --counts "${merged}" OUTPUT_VARIABLE listing)
    string(REGEX MATCHALL "Block counts: \\[[0-9, ]*\\]" counts "${listing}")
    foreach(entry IN LISTS counts)
      math(EXPR total "${total} + 1")
      if(entry MATCHES "[1-9]")
        math(EXPR ran "${ran} + 1")
      endif()
    endforeach()
  elseif(TOOL)
    foreach(file IN LISTS gcda)
      execute_process(COMMAND "${TOOL}" -l "${file}" OUTPUT_VARIABLE listing ERROR_QUIET)
      string(REGEX MATCHALL "FUNCTION ident" functions "${listing}")
      string(REGEX MATCHALL "COUNTERS arcs [0-9]+ counts \\(all zero\\)" unexecuted "${listing}")
      list(LENGTH functions n_functions)
      list(LENGTH unexecuted n_unexecuted)
      math(EXPR total "${total} + ${n_functions}")
      math(EXPR ran "${ran} + ${n_functions} - ${n_unexecuted}")
    endforeach()
  endif()
  set(share "?")
  if(total GREATER 0)
    math(EXPR share "100 * ${ran} / ${total}")
  endif()
  message("profile: ${kib} KiB in ${count} file(s) in ${PROFILE_DIR}")
  message("functions with profile data: ${ran} of ${total} (${share}%) ran during training")
  return()
endif()

message(FATAL_ERROR "pgo-profile.cmake: unknown MODE '${MODE}'")
