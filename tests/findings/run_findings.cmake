file(REMOVE ${OUT})
execute_process(COMMAND ${KSMSIM} replay --quiet --check-invariants=each
                        --snapshots /dev/null --report ${OUT} ${NAME}.trace
                RESULT_VARIABLE rc ERROR_VARIABLE err)
file(READ ${NAME}.rc want_rc)
string(STRIP "${want_rc}" want_rc)
if(NOT rc EQUAL want_rc)
  message(FATAL_ERROR "${NAME}: exit ${rc}, expected ${want_rc}\n${err}")
endif()
file(READ ${OUT} got)
file(READ ${NAME}.report want)
if(NOT got STREQUAL want)
  message(FATAL_ERROR "${NAME}: the report differs\nwant:\n${want}\ngot:\n${got}")
endif()
