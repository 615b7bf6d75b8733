cmake_minimum_required(VERSION 3.19) # string(JSON)
# The finding's KSM page (lpi, set by the trace): the full walk finds 3
# mappings, indexed and naive 2.  Two runs agree once "timing" is removed.
set(trace ${SRC}/tests/dot/divergence.trace)
foreach(run 1 2)
  execute_process(COMMAND ${KSMSIM} rmap --json --repeat 1 ${trace} p 0x100000000000
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out${run} ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "rmap --json: exit ${rc}\n${err}")
  endif()
  string(JSON t ERROR_VARIABLE e TYPE "${out${run}}" timing time_ms_median full)
  if(e OR NOT t STREQUAL "NUMBER")
    message(FATAL_ERROR "rmap --json: no timing.time_ms_median.full number: ${e}\n${out${run}}")
  endif()
  string(JSON exact${run} REMOVE "${out${run}}" timing)
endforeach()
if(NOT exact1 STREQUAL exact2)
  message(FATAL_ERROR "rmap --json: two runs differ outside timing\n${exact1}\n${exact2}")
endif()
set(j "${exact1}")
foreach(check "kernel=lpi" "mappings=3" "pfn=2" "addr=0x100000000000"
              "strategies.full.found_walk=3" "strategies.indexed.found_walk=2"
              "strategies.naive.found_walk=2" "strategies.full.iterations_walk=8"
              "strategies.full.skip_mm_walk=3" "strategies.indexed.rmap_items=2")
  string(REGEX MATCH "^([^=]*)=(.*)$" m "${check}")
  set(path ${CMAKE_MATCH_1})
  set(want ${CMAKE_MATCH_2})
  string(REPLACE "." ";" keys "${path}")
  string(JSON got GET "${j}" ${keys})
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "rmap --json: ${path} is '${got}', expected '${want}'\n${j}")
  endif()
endforeach()
# On a kernel without the indexed walk, "indexed" is null (n/a in the table).
execute_process(COMMAND ${KSMSIM} rmap --json --repeat 1 --at 21
                        ${SRC}/traces/guest/f01-window-migrate.trace p 0x100000000000
                RESULT_VARIABLE rc OUTPUT_VARIABLE j)
string(JSON t TYPE "${j}" strategies indexed)
string(JSON at GET "${j}" at)
if(NOT rc EQUAL 0 OR NOT t STREQUAL "NULL" OR NOT at EQUAL 21)
  message(FATAL_ERROR "rmap --json on baseline: exit ${rc}\n${j}")
endif()
