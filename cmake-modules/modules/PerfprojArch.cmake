# Which CPU the build targets: PERFPROJ_ARCH and PERFPROJ_AVX512.
#
#   portable    the architecture's baseline (any x86-64; armv8-a on AArch64)
#   x86-64-v2   Nehalem and newer (SSE4.2, POPCNT)
#   x86-64-v3   Haswell / Zen 1 and newer (AVX2, BMI1/2, FMA, MOVBE)
#   x86-64-v4   AVX-512 CPUs; only with PERFPROJ_AVX512=ON
#   armv8.2-a   AArch64 with LSE atomics (Neoverse N1 / Graviton2 and newer)
#   native      this machine's CPU (-march=native; -mcpu=native on AArch64),
#               without AVX-512 unless PERFPROJ_AVX512=ON
#
# The flags apply to the whole build (compile and link: LTO generates code at
# link time). On x86-64, anything above the baseline gets a CPU guard: a
# start-up check that exits with status 86 and a message naming the missing
# features, instead of a SIGILL later (runtime/perfproj_cpu_guard.c).
#
# CPU dispatch, for portable builds that still want AVX2 in a hot loop:
# perfproj_cpu_dispatch(<target>) lets its sources use runtime/perfproj_dispatch.h,
# whose PERFPROJ_DISPATCH_V3 compiles a function for x86-64-v3 and for the
# baseline and picks one at run time. PERFPROJ_DISPATCH=ON (the default) turns
# it on in builds below x86-64-v3; at v3 and above (or native) one copy is
# compiled for the build's own level.
#
# Sets PERFPROJ_ARCH_FLAGS (the -march flags applied), read by PerfprojBuildInfo.cmake.
include_guard(GLOBAL)

perfproj_option(PERFPROJ_ARCH portable "CPU the build targets"
                VALUES portable x86-64-v2 x86-64-v3 x86-64-v4 armv8.2-a native)
perfproj_option(PERFPROJ_AVX512 OFF "Allow AVX-512 instructions (x86-64-v4, or native on an AVX-512 CPU)" BOOL)
perfproj_option(PERFPROJ_DISPATCH ON "Compile PERFPROJ_DISPATCH_V3 functions for x86-64-v3 too, picked at run time" BOOL)

set(PERFPROJ_CPU_GUARD_EXIT_CODE 86)

# x86_64, aarch64, or the raw processor name for anything else.
function(perfproj_target_cpu out)
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" processor)
  if(processor MATCHES "^(x86_64|amd64|x64)$")
    set(${out} x86_64 PARENT_SCOPE)
  elseif(processor MATCHES "^(aarch64|arm64)$")
    set(${out} aarch64 PARENT_SCOPE)
  else()
    set(${out} "${processor}" PARENT_SCOPE)
  endif()
endfunction()

# perfproj_arch_flags(<out>): the flags for PERFPROJ_ARCH, after validation.
function(perfproj_arch_flags out)
  set(${out} "" PARENT_SCOPE)
  # AVX-512 slipped in through the user's own flags needs the same opt-in.
  perfproj_languages(languages)
  foreach(lang IN LISTS languages)
    if(NOT PERFPROJ_AVX512 AND "${CMAKE_${lang}_FLAGS}" MATCHES "-mavx512|x86-64-v4")
      perfproj_problem("CMAKE_${lang}_FLAGS enables AVX-512 but PERFPROJ_AVX512 is OFF"
                       "set PERFPROJ_AVX512=ON to opt in, or remove the AVX-512 flags")
    endif()
  endforeach()

  perfproj_target_cpu(cpu)
  set(arch "${PERFPROJ_ARCH}")
  set(flags "")
  if(arch MATCHES "^x86-64-v[234]$")
    if(NOT cpu STREQUAL "x86_64")
      perfproj_problem("PERFPROJ_ARCH=${arch} is an x86-64 level, but the target CPU is ${CMAKE_SYSTEM_PROCESSOR}"
                       "use PERFPROJ_ARCH=portable, armv8.2-a or native")
      return()
    endif()
    if(arch STREQUAL "x86-64-v4" AND NOT PERFPROJ_AVX512)
      perfproj_problem("PERFPROJ_ARCH=x86-64-v4 means AVX-512, which needs PERFPROJ_AVX512=ON"
                       "set PERFPROJ_AVX512=ON if every CPU that runs the build has AVX-512, else use x86-64-v3")
      return()
    endif()
    set(flags "-march=${arch}")
  elseif(arch STREQUAL "armv8.2-a")
    if(NOT cpu STREQUAL "aarch64")
      perfproj_problem("PERFPROJ_ARCH=armv8.2-a is an AArch64 level, but the target CPU is ${CMAKE_SYSTEM_PROCESSOR}"
                       "use PERFPROJ_ARCH=portable, x86-64-v2, x86-64-v3 or native")
      return()
    endif()
    set(flags "-march=armv8.2-a")
  elseif(arch STREQUAL "native")
    if(cpu STREQUAL "aarch64")
      set(flags "-mcpu=native")  # Arm's advice; -march=native is incomplete on GCC 12
    else()
      set(flags "-march=native")
      if(cpu STREQUAL "x86_64" AND NOT PERFPROJ_AVX512)
        list(APPEND flags "-mno-avx512f")  # removes every AVX-512 subset with it
      endif()
    endif()
  endif()


  if(flags)
    perfproj_check_flags(supported COMPILE ${flags})
    if(NOT supported)
      perfproj_compiler(family major)
      list(JOIN flags " " text)
      perfproj_problem("PERFPROJ_ARCH=${arch}: ${family} ${major} does not accept ${text}"
                       "use a newer compiler (GCC >= 11, Clang >= 12 know the x86-64 levels) or another PERFPROJ_ARCH")
      return()
    endif()
  endif()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

# perfproj_cpu_features(<out> <flag>...): the x86 features the compiler may
# use with these flags, from its predefined macros (cached per compiler+flags).
function(perfproj_cpu_features out)
  _perfproj_probe_key(key "cpu-features;${ARGN}")
  if(NOT DEFINED ${key})
    perfproj_primary_language(lang)
    if(lang STREQUAL "CXX")
      set(language_flag -x c++)
    else()
      set(language_flag -x c)
    endif()
    execute_process(COMMAND "${CMAKE_${lang}_COMPILER}" ${ARGN} -dM -E ${language_flag} /dev/null
                    OUTPUT_VARIABLE macros ERROR_QUIET)
    # macro => name used by runtime/perfproj_cpu_guard.c
    set(map
        __SSE3__=sse3 __PCLMUL__=pclmul __SSSE3__=ssse3 __FMA__=fma
        __GCC_HAVE_SYNC_COMPARE_AND_SWAP_16=cx16 __SSE4_1__=sse4.1 __SSE4_2__=sse4.2
        __MOVBE__=movbe __POPCNT__=popcnt __AES__=aes __XSAVE__=xsave __AVX__=avx
        __F16C__=f16c __RDRND__=rdrnd __BMI__=bmi __AVX2__=avx2 __BMI2__=bmi2
        __AVX512F__=avx512f __AVX512DQ__=avx512dq __RDSEED__=rdseed __ADX__=adx
        __AVX512CD__=avx512cd __SHA__=sha __AVX512BW__=avx512bw __AVX512VL__=avx512vl
        __GFNI__=gfni __VAES__=vaes __VPCLMULQDQ__=vpclmulqdq __LAHF_SAHF__=lahf_sahf
        __LZCNT__=lzcnt)
    set(features "")
    foreach(entry IN LISTS map)
      string(REPLACE "=" ";" pair "${entry}")
      list(GET pair 0 macro)
      list(GET pair 1 feature)
      if(macros MATCHES "#define ${macro} ")
        list(APPEND features ${feature})
      endif()
    endforeach()
    list(JOIN features "," features)
    set(${key} "${features}" CACHE INTERNAL "perfproj probe: CPU features for ${ARGN}")
  endif()
  set(${out} "${${key}}" PARENT_SCOPE)
endfunction()

# The guard object, compiled once for baseline x86-64 without LTO: the flags
# appended here come after the build-wide -march, and the last -march wins.
function(_perfproj_make_cpu_guard arch_flags)
  perfproj_cpu_features(features ${arch_flags})
  if(NOT features)
    return()  # nothing beyond the baseline to check
  endif()
  perfproj_primary_language(lang)
  set(source "${PERFPROJ_RUNTIME_DIR}/perfproj_cpu_guard.c")
  add_library(perfproj_cpu_guard OBJECT "${source}")
  # Valid C and C++: compiled as the project's own language (no second compiler needed).
  set_source_files_properties("${source}" TARGET_DIRECTORY perfproj_cpu_guard PROPERTIES LANGUAGE ${lang})
  target_compile_options(perfproj_cpu_guard PRIVATE -march=x86-64 -mtune=generic)
  # PIC: the same object goes into executables and shared libraries.
  set_target_properties(perfproj_cpu_guard PROPERTIES INTERPROCEDURAL_OPTIMIZATION OFF
                                                      POSITION_INDEPENDENT_CODE ON)
  list(JOIN arch_flags " " arch_text)
  target_compile_definitions(perfproj_cpu_guard PRIVATE
    "PERFPROJ_CPU_TARGET=\"${PERFPROJ_ARCH} (${arch_text})\""
    "PERFPROJ_CPU_FEATURES=\"${features}\""
    "PERFPROJ_CPU_EXIT_CODE=${PERFPROJ_CPU_GUARD_EXIT_CODE}")
endfunction()

# perfproj_cpu_dispatch(<target>): its sources may use perfproj_dispatch.h.
function(perfproj_cpu_dispatch target)
  perfproj_target_cpu(cpu)
  perfproj_compiler(family major)
  set(enabled 0)
  if(PERFPROJ_DISPATCH AND cpu STREQUAL "x86_64" AND PERFPROJ_ARCH MATCHES "^(portable|x86-64-v2)$")
    if((family STREQUAL "GNU" AND major GREATER_EQUAL 11) OR (family STREQUAL "Clang" AND major GREATER_EQUAL 12))
      set(enabled 1)
    else()
      message(STATUS "perfproj: ${family} ${major} has no target(\"arch=x86-64-v3\"): ${target} gets one copy "
                     "of its dispatched functions")
    endif()
  endif()
  # SYSTEM: perfproj's headers raise no project warnings; PRIVATE: nothing reaches installed targets.
  target_include_directories(${target} SYSTEM PRIVATE "${PERFPROJ_RUNTIME_DIR}")
  target_compile_definitions(${target} PRIVATE PERFPROJ_DISPATCH=${enabled})
endfunction()

macro(_perfproj_apply_Arch)
  perfproj_arch_flags(PERFPROJ_ARCH_FLAGS)
  if(PERFPROJ_ARCH_FLAGS)
    add_compile_options(${PERFPROJ_ARCH_FLAGS})
    add_link_options(${PERFPROJ_ARCH_FLAGS})
    perfproj_target_cpu(_perfproj_cpu)
    if(_perfproj_cpu STREQUAL "x86_64" AND NOT TARGET perfproj_cpu_guard)
      _perfproj_make_cpu_guard("${PERFPROJ_ARCH_FLAGS}")
    endif()
  endif()
  if(PERFPROJ_ARCH STREQUAL "native")
    message(NOTICE "perfproj: PERFPROJ_ARCH=native tunes for this machine's CPU: "
                   "the binaries may not run elsewhere, so they are not for distribution.")
  endif()
endmacro()
