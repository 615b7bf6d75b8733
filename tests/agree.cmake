# Agreement with the real kernel: replay TRACE on the simulator (with every
# invariant checked after every command) and compare its snapshot records
# with EXPECTED, recorded from Linux by tools/kernel-replay, using
# `ksmsim diff`.  Any difference fails; there is no tolerance.
# With -DKERNEL=K the trace is replayed as that kernel (`--kernel`, which
# overrides the trace's own sim.kernel): the guest corpus uses it.
set(out ${WORKDIR}/${NAME}.sim.jsonl)
set(kernel_args)
if(KERNEL)
  set(kernel_args --kernel ${KERNEL} --report /dev/null)
endif()
file(REMOVE ${out})
execute_process(COMMAND ${KSMSIM} replay --quiet --check-invariants=each ${kernel_args}
                        --snapshots ${out} ${TRACE}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "replay of ${TRACE} failed (exit ${rc}):\n${err}")
endif()
execute_process(COMMAND ${KSMSIM} diff ${EXPECTED} ${out}
                RESULT_VARIABLE rc OUTPUT_VARIABLE diff ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the simulator disagrees with the kernel on ${TRACE}:\n${diff}${err}")
endif()
