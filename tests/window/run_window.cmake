# One `ksmsim window` case: run from the source root on TRACE (a path
# relative to it), text and --json; stdout must equal NAME.out / NAME.json
# byte for byte, the exit status NAME.rc, and the JSON must parse with the
# window count the text reports.
#   cmake -DKSMSIM=... -DSRC=... -DTRACE=... -DNAME=... -DOUT=... -P run_window.cmake
#   ARGS: more arguments, comma-separated (may be empty)
set(dir ${SRC}/tests/window)
string(REPLACE "," ";" args "${ARGS}")
file(READ ${dir}/${NAME}.rc want_rc)
string(STRIP "${want_rc}" want_rc)

execute_process(COMMAND ${KSMSIM} window ${args} ${TRACE} WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc STREQUAL want_rc)
  message(FATAL_ERROR "window ${TRACE}: exit ${rc}, want ${want_rc}\n${text}${err}")
endif()
file(READ ${dir}/${NAME}.out want)
if(NOT text STREQUAL want)
  file(WRITE ${OUT}/${NAME}.out.actual "${text}")
  message(FATAL_ERROR "window ${TRACE}: output differs from ${dir}/${NAME}.out "
                      "(actual: ${OUT}/${NAME}.out.actual)\n${text}")
endif()

execute_process(COMMAND ${KSMSIM} window ${args} --json --svg ${OUT}/${NAME}.svg ${TRACE}
                WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE json ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc STREQUAL want_rc)
  message(FATAL_ERROR "window --json ${TRACE}: exit ${rc}, want ${want_rc}\n${err}")
endif()
string(REPLACE "${OUT}/" "OUT/" json_canon "${json}")
file(READ ${dir}/${NAME}.json want)
if(NOT json_canon STREQUAL want)
  file(WRITE ${OUT}/${NAME}.json.actual "${json_canon}")
  message(FATAL_ERROR "window --json ${TRACE}: differs from ${dir}/${NAME}.json\n${json_canon}")
endif()
string(JSON nwin LENGTH "${json}" windows)
string(REGEX MATCHALL "\nwindow [0-9]+:" text_windows "${text}")
list(LENGTH text_windows ntext)
if(NOT nwin EQUAL ntext)
  message(FATAL_ERROR "window ${TRACE}: --json has ${nwin} windows, the text ${ntext}")
endif()
if(nwin GREATER 0)
  string(JSON picture GET "${json}" picture)
  if(NOT EXISTS "${picture}")
    message(FATAL_ERROR "window ${TRACE}: --svg ${picture} was not written")
  endif()
  file(READ "${picture}" svg LIMIT 200)
  if(NOT svg MATCHES "<svg|<\\?xml")
    message(FATAL_ERROR "window ${TRACE}: ${picture} is not SVG")
  endif()
endif()
