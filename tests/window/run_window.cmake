# One `ksmsim window` case: run from the source root on TRACE (a path
# relative to it), text and --json; stdout must equal NAME.out / NAME.json
# byte for byte, the exit status NAME.rc, and the JSON must parse with the
# window count the text reports.
#   cmake -DKSMSIM=... -DSRC=... -DTRACE=... -DNAME=... -DOUT=... -P run_window.cmake
#   ARGS: more arguments, comma-separated (may be empty)
include(${CMAKE_CURRENT_LIST_DIR}/../golden.cmake)
set(dir ${SRC}/tests/window)
string(REPLACE "," ";" args "${ARGS}")

golden(NAME "window ${TRACE}" CMD ${KSMSIM} window ${args} ${TRACE} WORKDIR ${SRC}
       RC_FILE ${dir}/${NAME}.rc STDOUT ${dir}/${NAME}.out
       ACTUAL ${OUT}/${NAME}.out.actual STDOUT_VAR text)
golden(NAME "window --json ${TRACE}"
       CMD ${KSMSIM} window ${args} --json --svg ${OUT}/${NAME}.svg ${TRACE} WORKDIR ${SRC}
       RC_FILE ${dir}/${NAME}.rc STDOUT ${dir}/${NAME}.json JSON REPLACE "${OUT}/" "OUT/"
       ACTUAL ${OUT}/${NAME}.json.actual STDOUT_VAR json)

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
