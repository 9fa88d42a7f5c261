# Build information embedded in a binary: perfproj_build_info(<target>).
#
# The target can then call perfproj_print_build_info(stdout) (declared in
# perfproj_build_info.h), which prints the compiler, build type, LTO, PGO,
# architecture, sanitizers and the allocator that actually serves malloc at
# run time. Embed it in executables (one copy per linked binary).
#
# Reads PERFPROJ_ARCH_FLAGS (PerfprojArch.cmake).
include_guard(GLOBAL)

# The build-wide settings, as the strings the binary reports.
function(_perfproj_build_info_definitions out)
  perfproj_primary_language(lang)
  set(lto "off")
  if(CMAKE_INTERPROCEDURAL_OPTIMIZATION)
    set(lto "on")
  endif()
  set(arch "${PERFPROJ_ARCH}")
  if(PERFPROJ_ARCH_FLAGS)
    list(JOIN PERFPROJ_ARCH_FLAGS " " arch_flags)
    string(APPEND arch " (${arch_flags})")
  endif()
  set(pgo "off")
  if(DEFINED PERFPROJ_PGO AND NOT PERFPROJ_PGO STREQUAL "OFF")
    set(pgo "${PERFPROJ_PGO}")
  endif()
  set(sanitizers "none")
  if(PERFPROJ_SANITIZERS)
    list(JOIN PERFPROJ_SANITIZERS "," sanitizers)
  endif()
  set(${out}
      "PERFPROJ_BUILD_COMPILER=\"${CMAKE_${lang}_COMPILER_ID} ${CMAKE_${lang}_COMPILER_VERSION}\""
      "PERFPROJ_BUILD_TYPE=\"$<IF:$<BOOL:$<CONFIG>>,$<CONFIG>,none>\""
      "PERFPROJ_BUILD_LTO=\"${lto}\""
      "PERFPROJ_BUILD_PGO=\"${pgo}\""
      "PERFPROJ_BUILD_ARCH=\"${arch}\""
      "PERFPROJ_BUILD_SANITIZERS=\"${sanitizers}\""
      "PERFPROJ_BUILD_ALLOCATOR=\"${PERFPROJ_ALLOCATOR}\""
      PARENT_SCOPE)
endfunction()

# perfproj_build_info(<target>)
function(perfproj_build_info target)
  if(NOT TARGET perfproj_build_info)
    perfproj_primary_language(lang)
    set(source "${PERFPROJ_RUNTIME_DIR}/perfproj_build_info.c")
    add_library(perfproj_build_info OBJECT "${source}")
    # The file is valid C and C++: compiled as the project's own language, so
    # a C++-only project needs no C compiler (and a C project no C++ one).
    set_source_files_properties("${source}" TARGET_DIRECTORY perfproj_build_info
                                PROPERTIES LANGUAGE ${lang})
    _perfproj_build_info_definitions(definitions)
    target_compile_definitions(perfproj_build_info PRIVATE ${definitions})
    target_include_directories(perfproj_build_info PUBLIC "${PERFPROJ_RUNTIME_DIR}")
    set_target_properties(perfproj_build_info PROPERTIES POSITION_INDEPENDENT_CODE ON)
    perfproj_target_hardening(perfproj_build_info)
  endif()
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:perfproj_build_info>)
  target_include_directories(${target} PRIVATE "${PERFPROJ_RUNTIME_DIR}")
  target_link_libraries(${target} PRIVATE ${CMAKE_DL_LIBS})
endfunction()
