# Which malloc the project's executables use: PERFPROJ_ALLOCATOR.
#
#   system    glibc malloc (the default: measure before switching)
#   mimalloc  Debian libmimalloc-dev (shared library)
#   jemalloc  Debian libjemalloc-dev
#   tcmalloc  Debian libgoogle-perftools-dev (tcmalloc_minimal)
#
# The allocator is linked into executables only (libraries must not choose
# the process's allocator), dynamically, so it replaces malloc/free/new/delete
# for the whole process. Debian's GCC passes --as-needed by default, which
# drops a library the executable does not call directly: -lmimalloc would
# vanish from the binary and glibc malloc would run silently. The link goes
# through a LINK_LIBRARY feature that wraps it in --no-as-needed.
include_guard(GLOBAL)

perfproj_option(PERFPROJ_ALLOCATOR system "malloc implementation linked into the project's executables"
                VALUES system mimalloc jemalloc tcmalloc)

set(_PERFPROJ_ALLOCATOR_LIBRARY_mimalloc mimalloc)
set(_PERFPROJ_ALLOCATOR_LIBRARY_jemalloc jemalloc)
set(_PERFPROJ_ALLOCATOR_LIBRARY_tcmalloc tcmalloc_minimal)
set(_PERFPROJ_ALLOCATOR_PACKAGE_mimalloc libmimalloc-dev)
set(_PERFPROJ_ALLOCATOR_PACKAGE_jemalloc libjemalloc-dev)
set(_PERFPROJ_ALLOCATOR_PACKAGE_tcmalloc libgoogle-perftools-dev)

# perfproj_allocator_library(<out>): path of the allocator's shared library,
# or empty for the system allocator (a missing library is a problem).
function(perfproj_allocator_library out)
  set(${out} "" PARENT_SCOPE)
  set(allocator "${PERFPROJ_ALLOCATOR}")
  if(allocator STREQUAL "system")
    return()
  endif()
  set(name "${_PERFPROJ_ALLOCATOR_LIBRARY_${allocator}}")
  find_library(_PERFPROJ_ALLOCATOR_${allocator} NAMES ${name})
  if(NOT _PERFPROJ_ALLOCATOR_${allocator})
    perfproj_problem("PERFPROJ_ALLOCATOR=${allocator} but lib${name} is not installed"
                     "install the Debian package ${_PERFPROJ_ALLOCATOR_PACKAGE_${allocator}}, or use PERFPROJ_ALLOCATOR=system")
    return()
  endif()
  set(${out} "${_PERFPROJ_ALLOCATOR_${allocator}}" PARENT_SCOPE)
endfunction()

# perfproj_link_allocator(<executable>)
function(perfproj_link_allocator target)
  set_property(GLOBAL APPEND PROPERTY _PERFPROJ_ALLOCATOR_TARGETS ${target})
  if(NOT PERFPROJ_ALLOCATOR_LIBRARY)
    return()
  endif()
  target_link_libraries(${target} PRIVATE
                        "$<LINK_LIBRARY:PERFPROJ_NO_AS_NEEDED,${PERFPROJ_ALLOCATOR_LIBRARY}>")
  if(PERFPROJ_ALLOCATOR STREQUAL "tcmalloc")
    # gperftools: stop the compiler from assuming glibc's malloc semantics.
    target_compile_options(${target} PRIVATE -fno-builtin-malloc -fno-builtin-calloc
                                             -fno-builtin-realloc -fno-builtin-free)
  endif()
endfunction()

# At the end of the top directory: which executables PERFPROJ_ALLOCATOR reaches,
# in the cache. In an adopted repository whose CMakeLists.txt calls nothing of
# perfproj's, none does, and `perfproj tune` must not offer allocators there.
function(_perfproj_record_allocator_targets)
  get_property(targets GLOBAL PROPERTY _PERFPROJ_ALLOCATOR_TARGETS)
  set(_PERFPROJ_ALLOCATOR_TARGETS "${targets}" CACHE INTERNAL "executables PERFPROJ_ALLOCATOR is linked into")
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _perfproj_record_allocator_targets)

macro(_perfproj_apply_Allocator)
  perfproj_allocator_library(PERFPROJ_ALLOCATOR_LIBRARY)
  # The link feature used above: keep the library even if no symbol is used.
  set(CMAKE_LINK_LIBRARY_USING_PERFPROJ_NO_AS_NEEDED
      "LINKER:--push-state,--no-as-needed" "<LINK_ITEM>" "LINKER:--pop-state")
  set(CMAKE_LINK_LIBRARY_USING_PERFPROJ_NO_AS_NEEDED_SUPPORTED TRUE)
endmacro()
