# Unity builds and precompiled headers: faster builds of the project's own
# targets. Both are off until asked for; neither may change what the program does.
#
# PERFPROJ_UNITY_BUILD=ON compiles the sources of every target given
# perfproj_target_defaults() in batches: CMake's UNITY_BUILD writes one
# Unity/unity_<n>_cxx.cxx per batch that #includes up to
# PERFPROJ_UNITY_BATCH_SIZE sources, so the headers they share are parsed once
# per batch instead of once per source. It pays off on clean builds (CI, a new
# checkout, a cold compiler cache) of header-heavy code; an edit then
# recompiles its whole batch, so everyday incremental builds gain little.
#
# Only the project's own targets, not CMAKE_UNITY_BUILD for the whole tree:
# dependencies fetched with FetchContent (GoogleTest, Google Benchmark) were
# not written to be compiled together, a clash in their sources is not yours
# to fix, and they compile once and then come from the compiler cache.
# perfproj's own sources in your targets (the benchmark main) stay alone too:
# nothing of perfproj's may clash with a name of yours.
#
# The batch size is a fixed number (default 8, CMake's own), never derived
# from the machine's core count: the unity files must be the same on every
# machine, or a CI runner and a laptop compile different sources and never
# share compiler-cache entries. 8 still leaves a few translation units per
# target for parallel compiles and bounds what one edit recompiles.
#
# The traps: a batch is one translation unit, so what a source declares for
# itself alone is seen by the sources after it.
#  - Names in an anonymous namespace or `static` at namespace scope, defined
#    by two sources: the same signature is a redefinition, a compile error
#    (loud, tested); different signatures become overloads, and a call may
#    silently pick the other source's better match.
#  - `using namespace` at file scope and macros a source #defines leak into
#    the sources after it in the batch.
#  - A missing #include is hidden when an earlier source of the batch
#    included the header; the build without unity (dev, lint, CI) finds it.
#  - ODR: two sources defining the same class or inline function differently
#    was already undefined behaviour; unity turns it into a compile error or
#    a different pick.
# A unity build must behave exactly like the plain one: keep both in CI, and
# when a source must stay alone, set_source_files_properties(<file>
# PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON) after perfproj_target_defaults(),
# or group sources by hand (UNITY_BUILD_MODE GROUP with the UNITY_GROUP source
# property). CMake already keeps alone every source with its own
# COMPILE_OPTIONS, COMPILE_DEFINITIONS or INCLUDE_DIRECTORIES.
#
# perfproj_precompile_headers(<target> [PRIVATE] <header>...) precompiles
# headers for one target, PRIVATE only: a precompiled header is a build detail
# and never reaches consumers or installed and exported targets. CMake
# force-includes it (-include) in every source of the target, which hides a
# missing #include like a unity batch does; CMAKE_DISABLE_PRECOMPILE_HEADERS=ON
# builds without it. It pays off when the sources share large headers
# (the standard library, Boost, Eigen) that change rarely.
#
# Conflicts, checked honestly:
#  - PERFPROJ_UNITY_BUILD with PERFPROJ_CLANG_TIDY is a problem: clang-tidy
#    then checks the unity files, where the project's sources are included
#    files whose findings are dropped unless HeaderFilterRegex matches them
#    (measured: a finding in a source disappears), and a lint build is where
#    sources must compile as written.
#  - A precompiled header is skipped in clang-tidy builds for the same reason
#    (and clang-tidy cannot read GCC's .gch files: every source fails).
#  - Coverage and PGO work with unity builds: their data follows the unity
#    objects and lines map back to the sources (checked with GCC: gcovr lists
#    each source, the PGO chain reports no stale or missing profiles). Keep
#    PERFPROJ_UNITY_BUILD the same in both PGO stages (GCC's profiles are named
#    after the objects). Sanitizers, fuzzing and LTO change nothing a batch
#    depends on.
#
# The compiler cache with a precompiled header (measured with ccache 4.7.5,
# Debian 12's "4.8+really4.7.5", and sccache 0.4):
#  - ccache refuses every compile that uses a precompiled header ("could not
#    use precompiled header") unless its sloppiness includes
#    pch_defines,time_macros: the target's launcher gets CCACHE_SLOPPINESS with
#    those added to the value in effect. Only that target's: the rest of the
#    build keeps ccache's full checks.
#  - GCC needs no -fpch-preprocess: CMake passes the header with -include,
#    which ccache accepts in its place (hits in direct and preprocessor mode).
#  - Clang stamps the .pch with its build time, so no compile using it ever
#    hits: with ccache the target compiles with -Xclang -fno-pch-timestamp.
#    Not with sccache, which refuses any unknown -Xclang argument; sccache
#    hits the compiles using the header but never caches the header itself.
#  - With GCC a fresh checkout in another directory hits; with Clang only one
#    in the same directory (a clean rebuild, a CI runner's fixed path): CMake
#    passes Clang the header as `-Xclang -include -Xclang <absolute path>`,
#    which ccache does not rewrite relative to its base directory.
#
# Reads PERFPROJ_CLANG_TIDY (PerfprojLint.cmake) and the targets' compiler
# launchers (PerfprojCompilerCache.cmake); perfproj_target_unity() is called by
# perfproj_target_defaults() (PerfprojTargets.cmake).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_UNITY_BUILD OFF "Compile the project's own targets as unity builds (batches of sources)" BOOL)
perfproj_option(PERFPROJ_UNITY_BATCH_SIZE 8 "Sources per unity file with PERFPROJ_UNITY_BUILD=ON (a positive integer)")

macro(_perfproj_apply_Unity)
  if(NOT PERFPROJ_UNITY_BATCH_SIZE MATCHES "^[1-9][0-9]*$")
    perfproj_problem("PERFPROJ_UNITY_BATCH_SIZE=${PERFPROJ_UNITY_BATCH_SIZE} is not a positive integer"
                     "set PERFPROJ_UNITY_BATCH_SIZE to a number of sources per unity file, e.g. 8")
  endif()
  if(PERFPROJ_UNITY_BUILD AND PERFPROJ_CLANG_TIDY)
    perfproj_problem("PERFPROJ_UNITY_BUILD=ON with PERFPROJ_CLANG_TIDY=ON: clang-tidy would check the unity files, where findings in the included sources are dropped"
                     "set PERFPROJ_UNITY_BUILD=OFF in lint builds (the lint presets leave it OFF)")
  endif()
  if(PERFPROJ_UNITY_BUILD)
    message(STATUS "perfproj: unity build: the project's own targets compile in batches of "
                   "${PERFPROJ_UNITY_BATCH_SIZE} sources (PERFPROJ_UNITY_BUILD)")
  endif()
endmacro()

# perfproj_target_unity(<target>): the unity build settings of one of the
# project's own targets (called by perfproj_target_defaults).
function(perfproj_target_unity target)
  if(NOT PERFPROJ_UNITY_BUILD OR NOT PERFPROJ_UNITY_BATCH_SIZE MATCHES "^[1-9][0-9]*$")
    return()
  endif()
  set_target_properties(${target} PROPERTIES
    UNITY_BUILD ON
    UNITY_BUILD_MODE BATCH
    UNITY_BUILD_BATCH_SIZE ${PERFPROJ_UNITY_BATCH_SIZE})
  set_property(GLOBAL APPEND PROPERTY _PERFPROJ_UNITY_TARGETS ${target})
endfunction()

# At the end of the top directory, when every source is known: perfproj's own
# sources in unity targets (perfproj_benchmark adds its main after
# perfproj_target_defaults) compile alone.
function(_perfproj_unity_keep_runtime_alone)
  get_property(targets GLOBAL PROPERTY _PERFPROJ_UNITY_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(sources ${target} SOURCES)
    foreach(source IN LISTS sources)
      string(FIND "${source}" "${PERFPROJ_RUNTIME_DIR}/" at)
      if(at EQUAL 0)
        set_source_files_properties("${source}" TARGET_DIRECTORY ${target}
                                    PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
      endif()
    endforeach()
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _perfproj_unity_keep_runtime_alone)

# perfproj_precompile_headers(<target> [PRIVATE] <header>...): <header> is a
# file (relative to the current source directory) or a system header in angle
# brackets, as for target_precompile_headers: perfproj_precompile_headers(mylib
# <string> <vector> src/common.hpp).
function(perfproj_precompile_headers target)
  set(call "perfproj_precompile_headers(${target})")
  set(headers ${ARGN})
  list(REMOVE_ITEM headers PRIVATE)
  foreach(keyword IN ITEMS PUBLIC INTERFACE)
    if(keyword IN_LIST headers)
      message(FATAL_ERROR "perfproj: ${call}: a ${keyword} precompiled header would reach the targets linking "
                          "${target} and its installed package\n     fix: drop ${keyword}: the header is "
                          "precompiled for ${target} only; give the consumers their own perfproj_precompile_headers()")
    endif()
  endforeach()
  if(NOT headers)
    message(FATAL_ERROR "perfproj: ${call}: no header to precompile\n     fix: name the headers, "
                        "e.g. perfproj_precompile_headers(${target} <string> <vector>)")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "perfproj: ${call}: there is no target ${target}\n     fix: call it after "
                        "add_library(${target} ...) or add_executable(${target} ...), and check the spelling")
  endif()
  get_target_property(aliased ${target} ALIASED_TARGET)
  if(aliased)
    set(target "${aliased}")
  endif()
  get_target_property(imported ${target} IMPORTED)
  get_target_property(type ${target} TYPE)
  if(imported)
    message(FATAL_ERROR "perfproj: ${call}: ${target} is an imported target, built elsewhere\n     fix: "
                        "precompile headers for the project's own targets that compile sources")
  endif()
  if(type STREQUAL "INTERFACE_LIBRARY")
    message(FATAL_ERROR "perfproj: ${call}: ${target} is an interface library: it compiles nothing, and its "
                        "precompiled header could only be INTERFACE, which reaches every consumer and the "
                        "installed package\n     fix: precompile the headers for the targets that link ${target}")
  endif()

  get_target_property(tidy ${target} CXX_CLANG_TIDY)
  if(PERFPROJ_CLANG_TIDY OR tidy)
    message(STATUS "perfproj: ${target}: no precompiled header in a clang-tidy build: each source is "
                   "checked as written (and clang-tidy cannot read GCC's .gch files)")
    return()
  endif()
  target_precompile_headers(${target} PRIVATE ${headers})
  _perfproj_pch_compiler_cache(${target})
endfunction()

# The precompiled header's compiles keep hitting the compiler cache (see the
# top): for ccache, the sloppiness it needs on this target's launcher, and
# with Clang a .pch without a timestamp.
function(_perfproj_pch_compiler_cache target)
  perfproj_compiler(family major)
  foreach(lang IN ITEMS C CXX)
    get_target_property(launcher ${target} ${lang}_COMPILER_LAUNCHER)
    if(NOT launcher)
      continue()
    endif()
    _perfproj_launcher_program(program "${launcher}")
    if(NOT program MATCHES "(^|/)ccache$")
      continue()
    endif()
    _perfproj_pch_sloppiness(sloppiness "${program}")
    perfproj_ccache_launcher_with(launcher "${launcher}" "CCACHE_SLOPPINESS=${sloppiness}")
    set_target_properties(${target} PROPERTIES ${lang}_COMPILER_LAUNCHER "${launcher}")
    if(family STREQUAL "Clang")
      target_compile_options(${target} PRIVATE "SHELL:-Xclang -fno-pch-timestamp")
    endif()
  endforeach()
endfunction()

# The sloppiness in effect (the environment's or ccache.conf's) plus what
# precompiled headers need, so that a setting of the user's is kept.
function(_perfproj_pch_sloppiness out program)
  execute_process(COMMAND "${program}" --get-config sloppiness OUTPUT_VARIABLE current
                  RESULT_VARIABLE failed OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(failed)
    set(current "")
  endif()
  string(REGEX REPLACE "[ ,]+" ";" values "${current}")
  list(APPEND values pch_defines time_macros)
  list(REMOVE_ITEM values "")
  list(REMOVE_DUPLICATES values)
  list(JOIN values "," joined)
  set(${out} "${joined}" PARENT_SCOPE)
endfunction()
