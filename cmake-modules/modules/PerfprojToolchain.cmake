# Who is compiling, and which companion tools match it.
#
# LLVM tools must come from the same major version as Clang: clang-14 rejects a
# profile merged by llvm-profdata-16, and clang-16 ThinLTO objects break lld 14.
# Debian installs unversioned names (ld.lld, llvm-profdata) for one version only,
# so tools are looked up next to the real compiler binary first.
include_guard(GLOBAL)

# perfproj_compiler(<out-family> <out-major>): family is GNU, Clang or the raw ID.
function(perfproj_compiler out_family out_major)
  perfproj_primary_language(lang)
  set(id "${CMAKE_${lang}_COMPILER_ID}")
  if(id STREQUAL "GNU")
    set(family GNU)
  elseif(id MATCHES "Clang$")
    set(family Clang)
  else()
    set(family "${id}")
  endif()
  string(REGEX MATCH "^[0-9]+" major "${CMAKE_${lang}_COMPILER_VERSION}")
  set(${out_family} "${family}" PARENT_SCOPE)
  set(${out_major} "${major}" PARENT_SCOPE)
endfunction()

# perfproj_find_llvm_tool(<out> <tool>): path of <tool> (e.g. ld.lld,
# llvm-profdata) with the same major version as the Clang in use, or empty.
function(perfproj_find_llvm_tool out tool)
  perfproj_compiler(family major)
  string(MAKE_C_IDENTIFIER "_PERFPROJ_TOOL_${tool}_${major}" var)
  if(NOT ${var})
    perfproj_primary_language(lang)
    file(REAL_PATH "${CMAKE_${lang}_COMPILER}" real_compiler)
    get_filename_component(compiler_dir "${real_compiler}" DIRECTORY)
    find_program(${var} NAMES ${tool}-${major} ${tool}
                 PATHS "${compiler_dir}" "/usr/lib/llvm-${major}/bin" NO_DEFAULT_PATH)
    if(NOT ${var})
      find_program(${var} NAMES ${tool}-${major})
    endif()
    if(NOT ${var})
      # An unversioned tool on PATH is only usable if its version matches.
      find_program(_perfproj_candidate NAMES ${tool} NO_CACHE)
      if(_perfproj_candidate)
        execute_process(COMMAND "${_perfproj_candidate}" --version
                        OUTPUT_VARIABLE version_text ERROR_QUIET)
        if(version_text MATCHES "(version|LLD) ${major}\\.")
          set(${var} "${_perfproj_candidate}" CACHE FILEPATH "${tool} matching Clang ${major}" FORCE)
        endif()
      endif()
    endif()
  endif()
  if(${var})
    set(${out} "${${var}}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()
