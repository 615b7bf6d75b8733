# The golden-file runner's own teeth: each option that asserts something
# must fail a run that breaks it and pass one that keeps it, so that no
# golden test can pass by not looking.  Run with -DWORK=folder.  (A ";"
# in a -D list would split it: the shell commands here use "&&".)
cmake_minimum_required(VERSION 3.19)
set(golden ${CMAKE_CURRENT_LIST_DIR}/golden.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/hi.out "hi\n")
file(WRITE ${WORK}/hi-word.out "hi WORK/x\n")
file(WRITE ${WORK}/ho.out "ho\n")
file(WRITE ${WORK}/stripped.out "  hi  \n\n")
file(WRITE ${WORK}/rc3 "3\n")
file(WRITE ${WORK}/counter.sh "echo run >> \"$1\"\ncat \"$1\"\n")
file(WRITE ${WORK}/json.sh "printf '%s\\n' \"$1\"\n")
file(WRITE ${WORK}/expect.sh "printf '%s\\n' \"$1\"; exit $2\n")

# case(PASS|FAIL what -Dopt=... ...): golden.cmake as a test runs it.
function(case want what)
  execute_process(COMMAND ${CMAKE_COMMAND} ${ARGN} -P ${golden}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(want STREQUAL "PASS" AND NOT rc EQUAL 0)
    message(FATAL_ERROR "golden.cmake failed ${what}:\n${err}")
  elseif(want STREQUAL "FAIL" AND rc EQUAL 0)
    message(FATAL_ERROR "golden.cmake passed ${what}")
  endif()
endfunction()

set(echo_hi "-DCMD=${CMAKE_COMMAND}|-E|echo|hi")
case(PASS "equal stdout" ${echo_hi} -DSTDOUT=${WORK}/hi.out)
case(FAIL "different stdout" ${echo_hi} -DSTDOUT=${WORK}/ho.out)
case(FAIL "a missing golden file" ${echo_hi} -DSTDOUT=${WORK}/none.out)
case(FAIL "stdout where STDOUT_EMPTY" ${echo_hi} -DSTDOUT_EMPTY=1)
case(FAIL "stdout against an empty stderr golden"
     "-DCMD=${CMAKE_COMMAND}|-E|echo_append" -DSTDERR=${WORK}/hi.out)
case(PASS "stripped comparison" ${echo_hi} -DSTDOUT=${WORK}/stripped.out -DSTRIP=1)
case(FAIL "unstripped comparison" ${echo_hi} -DSTDOUT=${WORK}/stripped.out)
case(PASS "replaced text" "-DCMD=${CMAKE_COMMAND}|-E|echo|hi|${WORK}/x"
     -DSTDOUT=${WORK}/hi-word.out "-DREPLACE=${WORK}/|WORK/")
case(FAIL "text not replaced" "-DCMD=${CMAKE_COMMAND}|-E|echo|hi|${WORK}/x"
     -DSTDOUT=${WORK}/hi-word.out)
case(PASS "a dropped line" "-DCMD=sh|-c|echo hi && echo 'time_ms (median) 3'"
     -DSTDOUT=${WORK}/hi.out "-DDROP_LINES=time_ms \\(median\\)")
case(FAIL "a line not dropped" "-DCMD=sh|-c|echo hi && echo 'time_ms (median) 3'"
     -DSTDOUT=${WORK}/hi.out)
# Exit statuses.
case(PASS "exit 0 by default" ${echo_hi})
case(FAIL "exit 3 where 0 is wanted" "-DCMD=sh|-c|exit 3")
case(PASS "exit 3 from RC_FILE" "-DCMD=sh|-c|exit 3" -DRC_FILE=${WORK}/rc3)
case(PASS "RC_FILE wins over RC" "-DCMD=sh|-c|exit 3" -DRC=1 -DRC_FILE=${WORK}/rc3)
case(PASS "RC when there is no RC_FILE" "-DCMD=sh|-c|exit 1" -DRC=1 -DRC_FILE=${WORK}/none)
case(FAIL "exit 0 where nonzero is wanted" ${echo_hi} -DRC=nonzero)
case(PASS "exit 2 where nonzero is wanted" "-DCMD=sh|-c|exit 2" -DRC=nonzero)
case(PASS "stderr that has the text" "-DCMD=sh|-c|echo 'bad thing' >&2 && exit 2" -DRC=2
     "-DSTDERR_HAS=bad")
case(FAIL "stderr that lacks the text" "-DCMD=sh|-c|echo 'bad thing' >&2 && exit 2" -DRC=2
     "-DSTDERR_HAS=good")
# A file the command writes.
case(PASS "an equal output file" "-DCMD=sh|-c|echo hi > ${WORK}/o" -DOUTPUT=${WORK}/o
     -DOUTPUT_GOLDEN=${WORK}/hi.out)
case(FAIL "a different output file" "-DCMD=sh|-c|echo ho > ${WORK}/o" -DOUTPUT=${WORK}/o
     -DOUTPUT_GOLDEN=${WORK}/hi.out)
case(FAIL "an output file not written" "-DCMD=sh|-c|true" -DOUTPUT=${WORK}/o)
# Determinism, JSON, the replay's failed-expect stream.
case(FAIL "two runs that differ" "-DCMD=sh|${WORK}/counter.sh|${WORK}/count" -DTWICE=1)
case(PASS "two runs alike" ${echo_hi} -DTWICE=1)
case(PASS "JSON" "-DCMD=sh|${WORK}/json.sh|{\"a\": 1}" -DJSON=1)
case(FAIL "not JSON" "-DCMD=sh|${WORK}/json.sh|{a: 1}" -DJSON=1)
case(PASS "a failed expect's stream" "-DCMD=sh|${WORK}/expect.sh|{\"expect_failed\":{\"a\":{}}}|1"
     -DRC=nonzero -DFAILED_EXPECT_STREAM=1)
case(FAIL "a failed expect without its record" "-DCMD=sh|${WORK}/expect.sh|{}|1"
     -DRC=nonzero -DFAILED_EXPECT_STREAM=1)
case(FAIL "stdout after an error" "-DCMD=sh|${WORK}/expect.sh|x|2"
     -DRC=nonzero -DFAILED_EXPECT_STREAM=1)
