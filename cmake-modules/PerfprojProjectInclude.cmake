# Run at the end of every project() call of an adopted repository (see
# PerfprojTopLevel.cmake): the build's own CMAKE_PROJECT_INCLUDE first, if it
# had one, then Perfproj.cmake, whose include guard makes only the first,
# top-level project() call count.
foreach(_perfproj_chained IN LISTS _PERFPROJ_CHAINED_PROJECT_INCLUDE)
  include("${_perfproj_chained}")
endforeach()
include("${CMAKE_CURRENT_LIST_DIR}/Perfproj.cmake")
