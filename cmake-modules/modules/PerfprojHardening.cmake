# Hardening of the project's own targets: PERFPROJ_HARDENING=none|cheap|full.
#
# cheap  flags with no measurable run-time cost (OpenSSF compiler options guide):
#        -D_FORTIFY_SOURCE=3 (after -U_FORTIFY_SOURCE; optimized builds only,
#        it needs -O1+; left out under AddressSanitizer, which checks the same
#        calls), -fstack-protector-strong, -fstack-clash-protection,
#        -fcf-protection=full (x86-64), RELRO + BIND_NOW + non-executable stack,
#        and position-independent executables
# full   cheap, plus the checks that cost something: -D_GLIBCXX_ASSERTIONS
#        (bounds checks in the standard library), -ftrivial-auto-var-init=zero,
#        -fno-delete-null-pointer-checks, -fno-strict-overflow,
#        -fno-strict-aliasing, -fstrict-flex-arrays=3
# Every flag is probed (cached); one the compiler lacks is skipped and listed
# at configure time. Only the project's own targets are hardened, with PRIVATE
# options: installed packages and dependencies are untouched.
include_guard(GLOBAL)

perfproj_option(PERFPROJ_HARDENING none "Hardening of the project's own targets" VALUES none cheap full)

# _perfproj_supported(<out> <COMPILE|LINK> <flag>...): the flags that work,
# probing them all at once first, one by one only if that fails.
function(_perfproj_supported out kind)
  perfproj_check_flags(all ${kind} ${ARGN})
  if(all)
    set(${out} "${ARGN}" PARENT_SCOPE)
    return()
  endif()
  set(kept "")
  set(dropped "")
  foreach(flag IN LISTS ARGN)
    perfproj_check_flags(ok ${kind} ${flag})
    if(ok)
      list(APPEND kept ${flag})
    else()
      list(APPEND dropped ${flag})
    endif()
  endforeach()
  if(dropped)
    list(JOIN dropped " " text)
    perfproj_compiler(family major)
    message(STATUS "perfproj: hardening flags ${family} ${major} does not support, skipped: ${text}")
  endif()
  set(${out} "${kept}" PARENT_SCOPE)
endfunction()

# Computed once per configure: the compile and link flags of the chosen level.
function(_perfproj_hardening_flags out_compile out_link out_pie)
  set(${out_compile} "" PARENT_SCOPE)
  set(${out_link} "" PARENT_SCOPE)
  set(${out_pie} FALSE PARENT_SCOPE)
  if(PERFPROJ_HARDENING STREQUAL "none")
    return()
  endif()
  perfproj_target_cpu(cpu)
  set(compile -fstack-protector-strong -fstack-clash-protection)
  if(cpu STREQUAL "x86_64")
    list(APPEND compile -fcf-protection=full)
  endif()
  if(PERFPROJ_HARDENING STREQUAL "full")
    list(APPEND compile -D_GLIBCXX_ASSERTIONS -ftrivial-auto-var-init=zero -fno-delete-null-pointer-checks
                        -fno-strict-overflow -fno-strict-aliasing -fstrict-flex-arrays=3)
  endif()
  _perfproj_supported(compile COMPILE ${compile})
  if(NOT "address" IN_LIST PERFPROJ_SANITIZERS)
    # FORTIFY needs optimization (at -O0 it only warns).
    list(PREPEND compile "$<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE>"
                         "$<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=3>")
  endif()
  _perfproj_supported(link LINK "LINKER:-z,relro" "LINKER:-z,now" "LINKER:-z,noexecstack")
  perfproj_check_flags(pie COMPILE -fPIE LINK -pie)
  set(${out_compile} "${compile}" PARENT_SCOPE)
  set(${out_link} "${link}" PARENT_SCOPE)
  set(${out_pie} ${pie} PARENT_SCOPE)
endfunction()

# perfproj_target_hardening(<target>)
function(perfproj_target_hardening target)
  if(PERFPROJ_HARDENING STREQUAL "none")
    return()
  endif()
  get_target_property(type ${target} TYPE)
  target_compile_options(${target} PRIVATE ${PERFPROJ_HARDENING_COMPILE})
  if(type MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
    target_link_options(${target} PRIVATE ${PERFPROJ_HARDENING_LINK})
  endif()
  if(type STREQUAL "EXECUTABLE" AND PERFPROJ_HARDENING_PIE)
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    target_link_options(${target} PRIVATE -pie)
  endif()
endfunction()

macro(_perfproj_apply_Hardening)
  _perfproj_hardening_flags(PERFPROJ_HARDENING_COMPILE PERFPROJ_HARDENING_LINK PERFPROJ_HARDENING_PIE)
  # perfproj's own objects go into the project's binaries: harden them too,
  # or one unprotected object drops properties (e.g. CET) from the binary.
  if(TARGET perfproj_cpu_guard)
    perfproj_target_hardening(perfproj_cpu_guard)
  endif()
endmacro()
