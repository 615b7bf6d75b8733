# Runs `ksmsim replay TRACE` and checks it fails with exactly the expected
# diagnostic and prints nothing on stdout.
execute_process(COMMAND ${KSMSIM} replay ${TRACE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(READ ${EXPECTED} want)
string(STRIP "${want}" want)
string(STRIP "${err}" err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${TRACE}: expected a non-zero exit, got 0")
endif()
if(NOT err STREQUAL want)
  message(FATAL_ERROR "${TRACE}: stderr differs\n want: ${want}\n got:  ${err}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "${TRACE}: expected no stdout, got:\n${out}")
endif()
