# expect_run(RC TEXT ARGS...): run `${KSMSIM} ARGS...`; it must exit with
# RC and its stderr must contain TEXT.  Included by the CLI test scripts.
function(expect_run want_rc want_err)
  execute_process(COMMAND ${KSMSIM} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL want_rc)
    message(FATAL_ERROR "ksmsim ${ARGN}: exit ${rc}, expected ${want_rc}\nstderr: ${err}")
  endif()
  string(FIND "${err}" "${want_err}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "ksmsim ${ARGN}: stderr lacks '${want_err}':\n${err}")
  endif()
endfunction()
