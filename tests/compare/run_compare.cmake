# Compare NAME.trace's output with NAME.out; the exit status must be the
# number in NAME.rc, or 1 (the kernels differ) without one.
execute_process(COMMAND ${KSMSIM} compare ${NAME}.trace
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(READ ${NAME}.out want)
set(want_rc 1)
if(EXISTS ${NAME}.rc)
  file(READ ${NAME}.rc want_rc)
  string(STRIP "${want_rc}" want_rc)
endif()
if(NOT rc EQUAL want_rc)
  message(FATAL_ERROR "${NAME}: expected exit ${want_rc}, got ${rc}\n${err}")
endif()
if(NOT out STREQUAL want)
  message(FATAL_ERROR "${NAME}: output differs\nwant:\n${want}\ngot:\n${out}")
endif()
