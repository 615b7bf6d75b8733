# Runs `ksmsim replay TRACE` and checks it fails with exactly the expected
# diagnostic and prints nothing on stdout — except after a failed expect
# (exit 1), whose snapshot stream is kept and ends with the failure's
# expect_failed record (docs/trace-format.md).
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
if(rc EQUAL 1)
  string(REGEX MATCH "\"expect_failed\":[^\n]*}}\n$" last "${out}")
  if(NOT last)
    message(FATAL_ERROR "${TRACE}: a failed expect, but stdout does not end with its expect_failed record:\n${out}")
  endif()
elseif(NOT out STREQUAL "")
  message(FATAL_ERROR "${TRACE}: expected no stdout, got:\n${out}")
endif()
