# Sanitizers for the whole build: PERFPROJ_SANITIZERS, a list of
# address, undefined, leak, thread, memory.
#
# The flags go to every target, dependencies included (a sanitizer must see
# the whole program), on compile and link lines:
#   -fsanitize=<list> -fno-omit-frame-pointer (readable stacks)
#   undefined: -fno-sanitize-recover=undefined (stop at the first report)
#   memory:    -fsanitize-memory-track-origins=2 (where an uninitialized value
#              came from) and -O0: at -O1 and above the optimizer may turn a
#              branch on an uninitialized value into a select or fold it away,
#              and MSan then has nothing to report. MSan must see every line
#              that runs; libstdc++ is not built with it, so with libstdc++
#              its templates are compiled into the program instead
#              (runtime/perfproj_msan_libstdcxx.h) and its headers are not
#              checked (runtime/perfproj_msan_libstdcxx.ignorelist); dependencies the
#              build can make from source are made from source
#              (PERFPROJ_DEPENDENCIES_FROM_SOURCE, FETCHCONTENT_SOURCE_DIR_GOOGLETEST
#              = Debian's /usr/src/googletest when it is there).
# Every conflict is one problem of the configure error: address or leak with
# thread, memory with anything else or with GCC, and any sanitizer with PGO,
# LTO, BOLT or a non-system allocator (the sanitizer's allocator must win),
# and a _FORTIFY_SOURCE of your own under AddressSanitizer (they clash; the
# hardening module drops its own FORTIFY under ASan).
#
# Sets PERFPROJ_DEPENDENCIES_FROM_SOURCE in MemorySanitizer builds, read by the
# project's own CMakeLists.txt (the skeleton's tests/ builds GoogleTest from source).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_SANITIZERS ""
                "Sanitizers for the whole build: a list of address, undefined, leak, thread, memory")

set(_PERFPROJ_KNOWN_SANITIZERS address undefined leak thread memory)

# perfproj_sanitizer_flags(<out-compile> <out-link>), after validation.
function(perfproj_sanitizer_flags out_compile out_link)
  set(${out_compile} "" PARENT_SCOPE)
  set(${out_link} "" PARENT_SCOPE)
  set(sanitizers ${PERFPROJ_SANITIZERS})
  if(NOT sanitizers)
    return()
  endif()
  list(JOIN sanitizers "," joined)
  set(ok TRUE)
  foreach(sanitizer IN LISTS sanitizers)
    if(NOT sanitizer IN_LIST _PERFPROJ_KNOWN_SANITIZERS)
      list(JOIN _PERFPROJ_KNOWN_SANITIZERS ", " known)
      perfproj_problem("PERFPROJ_SANITIZERS contains '${sanitizer}'" "use any of: ${known}")
      set(ok FALSE)
    endif()
  endforeach()
  if("thread" IN_LIST sanitizers AND ("address" IN_LIST sanitizers OR "leak" IN_LIST sanitizers))
    perfproj_problem("PERFPROJ_SANITIZERS=${joined}: ThreadSanitizer cannot run with AddressSanitizer or LeakSanitizer"
                     "use the asan and tsan presets as two separate builds")
    set(ok FALSE)
  endif()
  list(LENGTH sanitizers count)
  if("memory" IN_LIST sanitizers AND count GREATER 1)
    perfproj_problem("PERFPROJ_SANITIZERS=${joined}: MemorySanitizer runs alone"
                     "use the msan preset as a build of its own")
    set(ok FALSE)
  endif()
  perfproj_compiler(family major)
  if("memory" IN_LIST sanitizers AND NOT family STREQUAL "Clang")
    perfproj_problem("PERFPROJ_SANITIZERS=memory needs Clang: ${family} has no MemorySanitizer"
                     "configure with CC=clang CXX=clang++")
    set(ok FALSE)
  endif()
  perfproj_instrumented_build_conflicts(optimized_ok "PERFPROJ_SANITIZERS=${joined}" sanitizer)
  if(NOT optimized_ok)
    set(ok FALSE)
  endif()
  if(NOT PERFPROJ_ALLOCATOR STREQUAL "system")
    perfproj_problem("PERFPROJ_SANITIZERS=${joined} with PERFPROJ_ALLOCATOR=${PERFPROJ_ALLOCATOR}: the sanitizer's allocator replaces it anyway"
                     "set PERFPROJ_ALLOCATOR=system in sanitizer builds")
    set(ok FALSE)
  endif()
  perfproj_languages(languages)
  foreach(lang IN LISTS languages)
    if("address" IN_LIST sanitizers AND "${CMAKE_${lang}_FLAGS}" MATCHES "_FORTIFY_SOURCE")
      perfproj_problem("CMAKE_${lang}_FLAGS sets _FORTIFY_SOURCE under AddressSanitizer: the two check the same calls and clash"
                       "drop _FORTIFY_SOURCE from the flags of sanitizer builds")
      set(ok FALSE)
    endif()
  endforeach()
  if(NOT ok)
    return()
  endif()

  set(compile "-fsanitize=${joined}" -fno-omit-frame-pointer)
  if("undefined" IN_LIST sanitizers)
    list(APPEND compile -fno-sanitize-recover=undefined)
  endif()
  if("memory" IN_LIST sanitizers)
    list(APPEND compile -fsanitize-memory-track-origins=2 -O0)
  endif()
  perfproj_check_flags(supported COMPILE ${compile} LINK "-fsanitize=${joined}")
  if(NOT supported)
    set(package "the compiler's sanitizer runtimes (GCC: libasan8, libubsan1, libtsan2)")
    if(family STREQUAL "Clang")
      set(package "libclang-rt-${major}-dev")
    endif()
    perfproj_problem("PERFPROJ_SANITIZERS=${joined}: ${family} ${major} cannot build and link with -fsanitize=${joined}"
                     "install ${package}")
    return()
  endif()
  if("memory" IN_LIST sanitizers AND "CXX" IN_LIST languages AND NOT "${CMAKE_CXX_FLAGS}" MATCHES "-stdlib=libc")
    list(APPEND compile "$<$<COMPILE_LANGUAGE:CXX>:--include=${PERFPROJ_RUNTIME_DIR}/perfproj_msan_libstdcxx.h>"
                        "$<$<COMPILE_LANGUAGE:CXX>:-fsanitize-ignorelist=${PERFPROJ_RUNTIME_DIR}/perfproj_msan_libstdcxx.ignorelist>")
  endif()
  set(${out_compile} "${compile}" PARENT_SCOPE)
  set(${out_link} "-fsanitize=${joined}" PARENT_SCOPE)
endfunction()

macro(_perfproj_apply_Sanitizers)
  perfproj_sanitizer_flags(_perfproj_san_compile _perfproj_san_link)
  if(_perfproj_san_compile)
    add_compile_options(${_perfproj_san_compile})
    add_link_options(${_perfproj_san_link})
  endif()
  if("memory" IN_LIST PERFPROJ_SANITIZERS AND _perfproj_san_compile)
    # Dependencies the project can build from source: built, so MSan sees their code too.
    set(PERFPROJ_DEPENDENCIES_FROM_SOURCE TRUE)
    if(NOT DEFINED FETCHCONTENT_SOURCE_DIR_GOOGLETEST AND EXISTS "/usr/src/googletest/CMakeLists.txt")
      set(FETCHCONTENT_SOURCE_DIR_GOOGLETEST "/usr/src/googletest")  # Debian's libgtest-dev ships it
    endif()
    message(STATUS "perfproj: msan: GoogleTest is built from source with MemorySanitizer; Google Benchmark "
                   "is the system's, uninstrumented, so the msan test preset leaves out the tests labelled "
                   "benchmark (MSan would report inside it)")
  endif()
endmacro()

# perfproj_discover_tests(<target> [<gtest_discover_tests options>...])
# gtest_discover_tests(). (It once registered MemorySanitizer builds as one
# test; GoogleTest built from source with MSan now lists its tests like any
# other build.) Kept so projects need not change their CMakeLists.txt.
function(perfproj_discover_tests target)
  include(GoogleTest)
  gtest_discover_tests(${target} ${ARGN})
endfunction()
