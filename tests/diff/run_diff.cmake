# Runs `ksmsim diff ARGS` in the tests/diff folder and checks its exit
# status and, when given, its exact stdout and stderr.
#   -DKSMSIM=path -DARGS="a.jsonl|b.jsonl" -DRC=1
#   [-DSTDOUT=file.out] [-DSTDERR=file.err]
cmake_minimum_required(VERSION 3.18)
string(REPLACE "|" ";" ARGS "${ARGS}")
execute_process(COMMAND ${KSMSIM} diff ${ARGS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL RC)
  message(FATAL_ERROR "ksmsim diff ${ARGS}: exit ${rc}, expected ${RC}\nstdout:\n${out}\nstderr:\n${err}")
endif()

function(check_stream what want_file got)
  file(READ ${want_file} want)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "ksmsim diff ${ARGS}: ${what} differs\n--- want\n${want}--- got\n${got}")
  endif()
endfunction()

if(DEFINED STDOUT)
  check_stream(stdout ${STDOUT} "${out}")
endif()
if(DEFINED STDERR)
  check_stream(stderr ${STDERR} "${err}")
endif()
