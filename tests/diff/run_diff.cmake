# Runs `ksmsim diff ARGS` in the tests/diff folder and checks its exit
# status and, when given, its exact stdout and stderr.
#   -DKSMSIM=path -DARGS="a.jsonl;b.jsonl" -DRC=1
#   [-DSTDOUT=file.out] [-DSTDERR=file.err]
execute_process(COMMAND ${KSMSIM} diff ${ARGS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL RC)
  message(FATAL_ERROR "ksmsim diff ${ARGS}: exit ${rc}, expected ${RC}\nstdout:\n${out}\nstderr:\n${err}")
endif()
foreach(stream STDOUT STDERR)
  if(DEFINED ${stream})
    file(READ ${${stream}} want)
    if(stream STREQUAL STDOUT)
      set(got "${out}")
    else()
      set(got "${err}")
    endif()
    if(NOT got STREQUAL want)
      message(FATAL_ERROR "ksmsim diff ${ARGS}: ${stream} differs\n--- want\n${want}--- got\n${got}")
    endif()
  endif()
endforeach()
