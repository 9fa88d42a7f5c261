# Moves BINARY's debug info to BINARY.debug and DEBUG_DIR/.build-id/xx/yyyy.debug,
# leaving BINARY with its symbol table and a .gnu_debuglink (run after each link
# by PERFPROJ_SPLIT_DEBUG, see modules/PerfprojSplitDebug.cmake).
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(failed)
    message(FATAL_ERROR "perfproj: splitting the debug info of ${BINARY} failed: ${ARGN}\n${out}")
  endif()
endfunction()

get_filename_component(folder "${BINARY}" DIRECTORY)
get_filename_component(name "${BINARY}" NAME)
set(debug "${BINARY}.debug")
file(REMOVE "${debug}")
run("${OBJCOPY}" --only-keep-debug "${BINARY}" "${debug}")
# --add-gnu-debuglink records the file's name (and CRC): run where both are.
execute_process(COMMAND "${OBJCOPY}" --strip-debug "--add-gnu-debuglink=${name}.debug" "${name}"
                WORKING_DIRECTORY "${folder}" RESULT_VARIABLE failed ERROR_VARIABLE out)
if(failed)
  message(FATAL_ERROR "perfproj: stripping the debug info of ${BINARY} failed:\n${out}")
endif()

execute_process(COMMAND "${READELF}" --notes "${BINARY}" OUTPUT_VARIABLE notes)
string(REGEX MATCH "Build ID: ([0-9a-f][0-9a-f])([0-9a-f]+)" _ "${notes}")
if(CMAKE_MATCH_1)
  file(MAKE_DIRECTORY "${DEBUG_DIR}/.build-id/${CMAKE_MATCH_1}")
  file(COPY_FILE "${debug}" "${DEBUG_DIR}/.build-id/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.debug")
endif()
