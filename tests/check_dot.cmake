# The checker draws the rmap picture of the page it reports: replaying the
# §8.6 trace with --check-dot must leave a DOT file of that page that
# marks the mapping only the full walk found, and it must render.
set(dir ${CMAKE_CURRENT_BINARY_DIR}/check-dot)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${KSMSIM} replay --quiet --snapshots /dev/null --report ${dir}/report
                        --check-dot ${dir} ${SRC}/tests/findings/s86-fork-mremap-divergence.trace
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected the divergence to fail the replay (1), got ${rc}")
endif()
set(pic ${dir}/check-line29-pfn2-divergence.dot)
if(NOT EXISTS ${pic})
  message(FATAL_ERROR "the checker drew no ${pic}")
endif()
file(READ ${pic} dot)
string(FIND "${dot}" "found by: full" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${pic} does not mark the mapping only the full walk found")
endif()
execute_process(COMMAND ${KSMSIM} dot --at 26 ${SRC}/tests/findings/s86-fork-mremap-divergence.trace
                        rmap p 0x100000000000 ${dir}/rmap.svg RESULT_VARIABLE rc)
file(SIZE ${dir}/rmap.svg size)
if(NOT rc EQUAL 0 OR size EQUAL 0)
  message(FATAL_ERROR "ksmsim dot rmap did not render (${rc})")
endif()
