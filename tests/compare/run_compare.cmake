execute_process(COMMAND ${KSMSIM} compare ${NAME}.trace
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(READ ${NAME}.out want)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "${NAME}: expected exit 1 (the kernels differ), got ${rc}\n${err}")
endif()
if(NOT out STREQUAL want)
  message(FATAL_ERROR "${NAME}: output differs\nwant:\n${want}\ngot:\n${out}")
endif()
