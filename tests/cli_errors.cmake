# The command line's handling of bad flags and files: each case must exit
# with the documented status and say what is wrong on stderr, and a failed
# replay must not leave a snapshot file behind.
set(tmp ${CMAKE_CURRENT_BINARY_DIR}/cli-errors)
file(REMOVE_RECURSE ${tmp})
file(MAKE_DIRECTORY ${tmp})

include(${CMAKE_CURRENT_LIST_DIR}/golden.cmake)

expect_run(2 "unknown subcommand 'frobnicate'" frobnicate)
expect_run(2 "usage: ksmsim" )
expect_run(2 "no trace given" replay)
expect_run(2 "unknown option '--bogus'" replay --bogus x.trace)
expect_run(2 "--check-invariants takes none, end or each" replay --check-invariants=sometimes x.trace)
expect_run(2 "--snapshots needs a file name" replay x.trace --snapshots)
expect_run(2 "one trace at a time" replay a.trace b.trace)
expect_run(2 "${tmp}/missing.trace: cannot read:" replay ${tmp}/missing.trace)
expect_run(2 "${tmp}: cannot read:" replay ${tmp})
expect_run(2 "usage: ksmsim fmt TRACE" fmt)

# One option parser (sim/cli/opts.c) for every subcommand: an option that
# takes a value but is the last word says so, contradictory flags are
# refused, words match whole.
expect_run(2 "ksmsim replay: --kernel needs a value" replay x.trace --kernel)
expect_run(2 "ksmsim replay: --set needs a value" replay x.trace --set)
expect_run(2 "ksmsim replay: --report needs a file name" replay x.trace --report)
expect_run(2 "ksmsim replay: --check-dot needs a folder" replay x.trace --check-dot)
expect_run(2 "unknown option '--check-invariants'" replay --check-invariants each x.trace)
expect_run(2 "ksmsim replay: --check=each and --check=none contradict each other"
           replay --check=each --check=none x.trace)
expect_run(2 "ksmsim check: --kernel needs a value" check x.trace --kernel)
expect_run(2 "ksmsim check: --set needs a value" check x.trace --set)
expect_run(2 "ksmsim window: --progress and --quiet contradict each other"
           window --progress --quiet x.trace)
expect_run(2 "ksmsim window: unexpected argument '--svg=x.svg'" window --svg=x.svg x.trace)
expect_run(2 "ksmsim diff: --ignore needs a FIELD" diff a.jsonl b.jsonl --ignore)
expect_run(2 "ksmsim diff: unknown option '--ignores'" diff --ignores knobs a.jsonl b.jsonl)
# After "--" every word is a file, even one that starts with '-'.
expect_run(2 "-x.jsonl: cannot read" diff -- -x.jsonl ${tmp}/missing.jsonl)
expect_run(2 "usage: ksmsim fmt TRACE" fmt --help x.trace)
expect_run(2 "usage: ksmsim fmt TRACE" fmt a.trace b.trace)

# A trace that fails half way leaves no snapshot file, not even a partial one.
file(WRITE ${tmp}/fails.trace "ksmtrace 1\nspawn a\nsnapshot first\nmmap a 0x100000000000 4\nmmap a 0x100000001000 1\n")
expect_run(2 "fails.trace:5:8: mmap of [0x100000001000, 0x100000002000) overlaps"
           replay --snapshots ${tmp}/out.jsonl ${tmp}/fails.trace)
file(GLOB left ${tmp}/out.jsonl*)
if(left)
  message(FATAL_ERROR "a failed replay left ${left}")
endif()

# A failed expect keeps the records written before it, and the failure is
# the stream's last record; `ksmsim diff` reads such a stream.
file(WRITE ${tmp}/expect.trace "ksmtrace 1\nspawn a\nmmap a 0x100000000000 2\nsnapshot first\nexpect a.vmas=2\nsnapshot second\n")
expect_run(1 "expect.trace:5:8: expect a.vmas=2 failed: the value is 1"
           replay --snapshots ${tmp}/expect.jsonl ${tmp}/expect.trace)
file(STRINGS ${tmp}/expect.jsonl lines)
list(LENGTH lines n)
list(GET lines -1 last)
if(NOT n EQUAL 2 OR NOT last STREQUAL "{\"line\":5,\"label\":\"\",\"expect_failed\":{\"field\":\"a.vmas\",\"want\":\"2\",\"got\":\"1\"}}")
  message(FATAL_ERROR "replay stopped by a failed expect: ${n} records, the last ${last}")
endif()
execute_process(COMMAND ${KSMSIM} diff ${tmp}/expect.jsonl ${tmp}/expect.jsonl RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "diff of a stream with an expect_failed record: exit ${rc}")
endif()

# An unwritable snapshot destination is refused before anything runs.
expect_run(2 "${tmp}/no/such/dir/out.jsonl: cannot write:"
           replay --snapshots ${tmp}/no/such/dir/out.jsonl ${SRC}/traces/examples/fork-mremap.trace)

# The same trace succeeds into a file, and the file holds exactly one record.
execute_process(COMMAND ${KSMSIM} replay --quiet --snapshots ${tmp}/ok.jsonl
                        ${SRC}/traces/examples/fork-mremap.trace RESULT_VARIABLE rc)
file(STRINGS ${tmp}/ok.jsonl lines)
list(LENGTH lines n)
if(NOT rc EQUAL 0 OR NOT n EQUAL 1)
  message(FATAL_ERROR "replay --snapshots: exit ${rc}, ${n} records")
endif()

# Output to something that is not a regular file (a FIFO here; /dev/null in
# practice) is written in place: renaming a temporary file over it would
# replace the device or FIFO by a regular file.
set(fifo ${tmp}/records.fifo)
execute_process(COMMAND mkfifo ${fifo} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mkfifo failed")
endif()
execute_process(COMMAND cat ${fifo}
                COMMAND ${KSMSIM} replay --quiet --snapshots ${fifo}
                        ${SRC}/traces/examples/fork-mremap.trace
                RESULT_VARIABLE rcs OUTPUT_VARIABLE out TIMEOUT 20)
execute_process(COMMAND test -p ${fifo} RESULT_VARIABLE still_fifo)
if(NOT still_fifo EQUAL 0)
  message(FATAL_ERROR "--snapshots replaced the FIFO ${fifo} by a regular file")
endif()
