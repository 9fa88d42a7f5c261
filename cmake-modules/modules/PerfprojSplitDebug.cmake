# Debug info for the binaries you ship: PERFPROJ_SPLIT_DEBUG (ON in the release presets).
#
# The whole build compiles and links with debug info (-gdwarf-4, see below; on
# the link line too: with LTO the code, and its debug info, is generated
# there), and right after each
# executable or shared library links, its debug info moves to a file of its
# own (scripts/split_debug.cmake): <binary>.debug next to it, and the same
# file under <build>/perfproj-debug/.build-id/xx/yyyy.debug, keyed by the
# binary's build ID. The binary keeps its symbol table and gets a
# .gnu_debuglink naming <binary>.debug, so gdb, perf, addr2line and objdump -S
# read the exact optimized binary with its source lines, while the binary you
# ship keeps its code byte for byte: -g never changes the generated code, and
# the debug sections are gone from it again. For binaries copied elsewhere,
# point the debugger at <build>/perfproj-debug (`set debug-file-directory`).
#
# The split is one more command of the link rule itself (CMake's rule
# variables CMAKE_<LANG>_LINK_EXECUTABLE and CMAKE_<LANG>_CREATE_SHARED_*
# are lists of commands), not a POST_BUILD step: a POST_BUILD step can only be
# added in the directory that creates the target, and an adopted repository's
# targets are created in directories perfproj never edits. Every executable and
# shared library of the build is split, the same in generated and adopted
# projects; static libraries and objects keep their debug info for the link.
#
# The debug info is DWARF 4 (-gdwarf-4), not the compilers' default DWARF 5,
# because the BFD library of binutils 2.40 (Debian 12: addr2line, objdump -l,
# perf's source lines) misreads the DWARF 5 that LTO builds carry: the units
# GCC's LTO generates at link time name a file "<artificial>" as entry 0 of
# their line table and BFD reads their file numbers one off (every line shows
# in "<artificial>" or the wrong file), and it finds none of the inlining
# records of Clang's ThinLTO output (no "inlined by" chain). gdb, readelf and
# llvm-symbolizer read both versions right; with DWARF 4 every tool does.
#
# Left off with BOLT (PERFPROJ_BOLT=ON): BOLT rewrites the binaries after the
# link, which would leave the split debug info describing the old layout.
include_guard(GLOBAL)

perfproj_option(PERFPROJ_SPLIT_DEBUG OFF "Build with -g and move the debug info to <binary>.debug after linking" BOOL)

macro(_perfproj_apply_SplitDebug)
  if(PERFPROJ_SPLIT_DEBUG AND PERFPROJ_BOLT)
    message(STATUS "perfproj: PERFPROJ_SPLIT_DEBUG is left off: BOLT rewrites the binaries after the link")
  elseif(PERFPROJ_SPLIT_DEBUG)
    if(NOT CMAKE_OBJCOPY OR NOT CMAKE_READELF)
      perfproj_problem("PERFPROJ_SPLIT_DEBUG=ON needs objcopy and readelf"
                       "install the Debian package binutils, or set PERFPROJ_SPLIT_DEBUG=OFF")
    elseif(NOT CMAKE_EXECUTABLE_FORMAT STREQUAL "ELF")
      perfproj_problem("PERFPROJ_SPLIT_DEBUG=ON splits ELF binaries; ${CMAKE_SYSTEM_NAME} binaries are not ELF"
                       "set PERFPROJ_SPLIT_DEBUG=OFF")
    else()
      add_compile_options(-gdwarf-4)
      add_link_options(-gdwarf-4)
      # <TARGET> is the linked file, relative to where the link runs.
      set(_perfproj_split
          "\"${CMAKE_COMMAND}\" -DBINARY=<TARGET> \"-DOBJCOPY=${CMAKE_OBJCOPY}\" \"-DREADELF=${CMAKE_READELF}\" \"-DDEBUG_DIR=${CMAKE_BINARY_DIR}/perfproj-debug\" -P \"${PERFPROJ_SCRIPTS_DIR}/split_debug.cmake\"")
      foreach(_perfproj_rule IN ITEMS LINK_EXECUTABLE CREATE_SHARED_LIBRARY CREATE_SHARED_MODULE)
        foreach(_perfproj_lang IN ITEMS C CXX)
          if(DEFINED CMAKE_${_perfproj_lang}_${_perfproj_rule})
            list(APPEND CMAKE_${_perfproj_lang}_${_perfproj_rule} "${_perfproj_split}")
          endif()
        endforeach()
      endforeach()
    endif()
  endif()
endmacro()
