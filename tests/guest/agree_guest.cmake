# Agreement with a guest kernel: replay TRACE on the simulator as KERNEL
# (`--kernel`, which overrides the trace's own sim.kernel) with every
# invariant checked after every command, and compare the snapshot records
# with EXPECTED, recorded on the guest by tools/guest/record.sh.  Any
# difference fails.
file(REMOVE ${OUT})
execute_process(COMMAND ${KSMSIM} replay --quiet --check-invariants=each --kernel ${KERNEL}
                        --report /dev/null --snapshots ${OUT} ${TRACE}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "replay of ${TRACE} as ${KERNEL} failed (exit ${rc}):\n${err}")
endif()
execute_process(COMMAND ${KSMSIM} diff ${EXPECTED} ${OUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE diff ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the simulator (${KERNEL}) disagrees with the ${KERNEL} guest on ${TRACE}:\n${diff}${err}")
endif()
