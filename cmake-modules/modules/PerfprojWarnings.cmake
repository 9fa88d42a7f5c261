# Warning sets for the project's own targets (never for dependencies, never
# exported: they are PRIVATE options).
include_guard(GLOBAL)

perfproj_option(PERFPROJ_WARNINGS ON "Compiler warnings on the project's own targets" BOOL)
perfproj_option(PERFPROJ_WARNINGS_AS_ERRORS OFF "Treat warnings on the project's own targets as errors" BOOL)

set(_PERFPROJ_WARNINGS_COMMON
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wcast-align
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough -Wnull-dereference -Wunused)
# C++ only: these flags are errors or noise for C sources.
set(_PERFPROJ_WARNINGS_CXX -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
set(_PERFPROJ_WARNINGS_GNU
    -Wmisleading-indentation -Wduplicated-cond -Wduplicated-branches -Wlogical-op)
set(_PERFPROJ_WARNINGS_CLANG -Wextra-semi -Wloop-analysis)

# perfproj_target_warnings(<target>)
function(perfproj_target_warnings target)
  if(NOT PERFPROJ_WARNINGS)
    return()
  endif()
  perfproj_compiler(family major)
  set(flags ${_PERFPROJ_WARNINGS_COMMON})
  if(family STREQUAL "GNU")
    list(APPEND flags ${_PERFPROJ_WARNINGS_GNU})
  elseif(family STREQUAL "Clang")
    list(APPEND flags ${_PERFPROJ_WARNINGS_CLANG})
  else()
    return()
  endif()
  target_compile_options(${target} PRIVATE ${flags}
                         "$<$<COMPILE_LANGUAGE:CXX>:${_PERFPROJ_WARNINGS_CXX}>")
  if(PERFPROJ_WARNINGS_AS_ERRORS)
    set_target_properties(${target} PROPERTIES COMPILE_WARNING_AS_ERROR ON)
  endif()
endfunction()
