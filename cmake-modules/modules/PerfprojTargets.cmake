# Per-target settings for the project's own targets.
#
# Whole-program settings (LTO, architecture, PGO, sanitizers) are applied to the
# whole build tree by Perfproj.cmake; what belongs to the project's own code
# only (warnings, visibility, hardening, clang-tidy, unity builds) is applied here, as PRIVATE
# properties that never reach installed or exported targets. Executables and
# shared libraries also get the CPU guard, and executables the allocator.
#
# Sets the global property PERFPROJ_EXECUTABLES (targets given the defaults),
# read by PerfprojBOLT.cmake and PerfprojCoverage.cmake at the end of configure.
include_guard(GLOBAL)

# perfproj_target_defaults(<target>...)
function(perfproj_target_defaults)
  perfproj_compiler(family major)
  set_property(GLOBAL APPEND PROPERTY _PERFPROJ_TARGETS_WITH_DEFAULTS ${ARGN})
  foreach(target IN LISTS ARGN)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "INTERFACE_LIBRARY")
      continue()  # nothing is compiled for it
    endif()
    perfproj_target_warnings(${target})
    perfproj_target_hardening(${target})
    perfproj_target_coverage(${target})
    perfproj_target_lint(${target})
    perfproj_target_bolt(${target})
    perfproj_target_unity(${target})
    # Hidden visibility: only the API marked visible is exported, which gives
    # LTO and the optimizer more freedom and keeps the dynamic symbol table small.
    set_target_properties(${target} PROPERTIES
      C_VISIBILITY_PRESET hidden
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON
      C_EXTENSIONS OFF
      CXX_EXTENSIONS OFF)
    if(type MATCHES "^(SHARED|MODULE)_LIBRARY$" AND family STREQUAL "GNU")
      # GCC otherwise assumes every exported function may be replaced at run
      # time (LD_PRELOAD) and will not inline it or call it directly.
      target_compile_options(${target} PRIVATE -fno-semantic-interposition)
    endif()
    if(type MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$" AND TARGET perfproj_cpu_guard)
      target_sources(${target} PRIVATE $<TARGET_OBJECTS:perfproj_cpu_guard>)
    endif()
    if(type STREQUAL "EXECUTABLE")
      perfproj_link_allocator(${target})
      set_property(GLOBAL APPEND PROPERTY PERFPROJ_EXECUTABLES ${target})  # for BOLT and coverage
    endif()
  endforeach()
endfunction()

# At the end of the top directory: which targets got the per-target settings,
# in the cache, so `perfproj explain` (and `perfproj tune`) can say where PERFPROJ_HARDENING,
# PERFPROJ_WARNINGS and friends really apply (in an adopted repository whose
# CMakeLists.txt calls nothing of perfproj's: nowhere).
function(_perfproj_record_targets_with_defaults)
  get_property(targets GLOBAL PROPERTY _PERFPROJ_TARGETS_WITH_DEFAULTS)
  set(_PERFPROJ_TARGETS_WITH_DEFAULTS "${targets}" CACHE INTERNAL
      "targets given perfproj_target_defaults(), for perfproj explain")
  # The executables among them, which BOLT optimizes: `perfproj tune` offers no BOLT build without one.
  get_property(executables GLOBAL PROPERTY PERFPROJ_EXECUTABLES)
  set(_PERFPROJ_EXECUTABLES "${executables}" CACHE INTERNAL "executables given perfproj_target_defaults()")
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _perfproj_record_targets_with_defaults)

# perfproj_installable_library(<target>): a library installed for other
# projects to link. With LTO, GCC writes IR-only objects (-fno-fat-lto-objects),
# which a consumer that does not use LTO cannot link; an installed static
# library keeps machine code next to the IR (-ffat-lto-objects). Clang 14/16
# have no fat LTO objects: the installed archive is ThinLTO bitcode, so say so.
function(perfproj_installable_library target)
  get_target_property(type ${target} TYPE)
  get_target_property(ipo ${target} INTERPROCEDURAL_OPTIMIZATION)
  if(NOT type STREQUAL "STATIC_LIBRARY" OR NOT ipo)
    return()
  endif()
  perfproj_compiler(family major)
  if(family STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -ffat-lto-objects)
  elseif(family STREQUAL "Clang")
    message(STATUS "perfproj: the installed ${target} holds ThinLTO bitcode: "
                   "programs linking it need Clang ${major} with LTO (or build it without PERFPROJ_LTO)")
  endif()
endfunction()
