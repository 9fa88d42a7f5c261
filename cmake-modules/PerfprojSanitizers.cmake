# Sanitizers for the whole build: PERFPROJ_SANITIZERS, a list of
# address, undefined, leak, thread, memory.
#
# The flags go to every target, dependencies included (a sanitizer must see
# the whole program), on compile and link lines:
#   -fsanitize=<list> -fno-omit-frame-pointer (readable stacks)
#   undefined: -fno-sanitize-recover=undefined (stop at the first report)
#   memory:    -fsanitize-memory-track-origins=2 and -D_GLIBCXX_ASSERTIONS,
#              which makes libstdc++ instantiate std::string in the program
#              (instrumented) rather than use its uninstrumented copy
# Every conflict is one problem of the configure error: address or leak with
# thread, memory with anything else or with GCC, and any sanitizer with PGO,
# LTO, BOLT or a non-system allocator (the sanitizer's allocator must win),
# and a _FORTIFY_SOURCE of your own under AddressSanitizer (they clash; the
# hardening module drops its own FORTIFY under ASan).
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
  if(NOT PERFPROJ_PGO STREQUAL "OFF")
    perfproj_problem("PERFPROJ_SANITIZERS=${joined} with PERFPROJ_PGO=${PERFPROJ_PGO}: a profile of sanitized code describes the wrong program"
                     "set PERFPROJ_PGO=OFF in sanitizer builds")
    set(ok FALSE)
  endif()
  if(PERFPROJ_LTO)
    perfproj_problem("PERFPROJ_SANITIZERS=${joined} with PERFPROJ_LTO=ON: LTO slows sanitizer builds and blurs their reports"
                     "set PERFPROJ_LTO=OFF in sanitizer builds (the sanitizer presets do)")
    set(ok FALSE)
  endif()
  if(PERFPROJ_BOLT)
    perfproj_problem("PERFPROJ_SANITIZERS=${joined} with PERFPROJ_BOLT=ON" "set PERFPROJ_BOLT=OFF in sanitizer builds")
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
    list(APPEND compile -fsanitize-memory-track-origins=2 -D_GLIBCXX_ASSERTIONS)
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
  set(${out_compile} "${compile}" PARENT_SCOPE)
  set(${out_link} "-fsanitize=${joined}" PARENT_SCOPE)
endfunction()

macro(_perfproj_apply_sanitizers)
  perfproj_sanitizer_flags(_perfproj_san_compile _perfproj_san_link)
  if(_perfproj_san_compile)
    add_compile_options(${_perfproj_san_compile})
    add_link_options(${_perfproj_san_link})
  endif()
endmacro()

# perfproj_discover_tests(<target> [<gtest_discover_tests options>...])
# gtest_discover_tests(), except in MemorySanitizer builds: listing the tests
# runs GoogleTest through the uninstrumented libstdc++ iostreams, which MSan
# reports as uninitialized reads before any test could be filtered out. There
# the binary is registered as one test with the same LABELS, so the msan test
# preset can leave it out by label.
function(perfproj_discover_tests target)
  if(NOT "memory" IN_LIST PERFPROJ_SANITIZERS)
    include(GoogleTest)
    gtest_discover_tests(${target} ${ARGN})
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "PROPERTIES")
  add_test(NAME ${target} COMMAND ${target})
  if(arg_PROPERTIES)
    set_tests_properties(${target} PROPERTIES ${arg_PROPERTIES})
  endif()
endfunction()
