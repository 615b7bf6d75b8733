execute_process(COMMAND ${KSMSIM} rmap --repeat 1 ${TRACE} a 0x10000000
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ksmsim rmap failed (${rc}): ${err}")
endif()
# Drop the measured line; every other line is exact.
string(REGEX REPLACE "time_ms \\(median\\)[^\n]*\n" "" out "${out}")
file(READ ${EXPECTED} want)
if(NOT out STREQUAL want)
  message(FATAL_ERROR "the reproducer's table changed\nwant:\n${want}\ngot:\n${out}")
endif()
