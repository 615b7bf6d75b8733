# Traces are read as streams in bounded memory (sim/trace/input.c):
# a bad byte fails at once with its position, an over-long line is an
# error, and replay/fmt read a file twice (check, then run) but a pipe once.
#   cmake -DKSMSIM=... -DSANITIZE=ON|OFF -P bounded_input.cmake
set(tmp ${CMAKE_CURRENT_BINARY_DIR}/bounded-input)
file(REMOVE_RECURSE ${tmp})
file(MAKE_DIRECTORY ${tmp})

# run(RC STDERR OUT_VAR CMD...): the exact stderr, the exit status.
function(run want_rc want_err outvar)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 120)
  if(NOT "${rc}" STREQUAL "${want_rc}" OR NOT "${err}" STREQUAL "${want_err}")
    message(FATAL_ERROR "${ARGN}: exit ${rc} (want ${want_rc})\nstderr: ${err}\nwant:   ${want_err}")
  endif()
  set(${outvar} "${out}" PARENT_SCOPE)
endfunction()

# /dev/zero: its first byte is a NUL.  The old reader loaded all of the
# input first and grew without bound; under `ulimit -v` (not in sanitizer
# builds, whose shadow memory needs terabytes of address space) a reader
# that keeps reading cannot pass.
set(limit "")
if(NOT SANITIZE)
  set(limit "ulimit -v 300000 &&")
endif()
foreach(sub fmt replay)
  run(2 "/dev/zero:1:1: NUL character is not allowed in a trace\n" out
      sh -c "${limit} exec \"$0\" ${sub} /dev/zero" ${KSMSIM})
  run(2 "<stdin>:1:1: NUL character is not allowed in a trace\n" out
      sh -c "${limit} exec \"$0\" ${sub} - < /dev/zero" ${KSMSIM})
endforeach()

# A line over 1 MiB: an error at the first byte too many.
string(REPEAT "x" 1024 kib)
string(REPEAT "${kib}" 1100 long)
file(WRITE ${tmp}/long.trace "ksmtrace 1\n${long}\n")
run(2 "${tmp}/long.trace:2:1048577: line longer than 1048576 bytes\n" out
    ${KSMSIM} fmt ${tmp}/long.trace)

# A bad byte late in a file: nothing printed, nothing applied.
string(ASCII 7 bel)
file(WRITE ${tmp}/late.trace "ksmtrace 1\nspawn a\nsnapshot one\ndot all ${tmp}/late.dot\nspawn b${bel}\n")
run(2 "${tmp}/late.trace:5:8: control character U+0007 is not allowed\n" out ${KSMSIM} fmt ${tmp}/late.trace)
if(NOT out STREQUAL "")
  message(FATAL_ERROR "fmt printed part of a bad trace:\n${out}")
endif()
run(2 "${tmp}/late.trace:5:8: control character U+0007 is not allowed\n" out ${KSMSIM} replay ${tmp}/late.trace)
if(NOT out STREQUAL "" OR EXISTS ${tmp}/late.dot)
  message(FATAL_ERROR "replay applied part of a bad trace:\n${out}")
endif()

# From a pipe the trace can be read only once: the commands before the
# error have run (the dot file is drawn) and the error has its position;
# snapshot records written to a file are dropped as for any failed replay.
run(2 "<stdin>:5:8: control character U+0007 is not allowed\n" out
    sh -c "cat ${tmp}/late.trace | \"$0\" replay --snapshots ${tmp}/late.jsonl -" ${KSMSIM})
if(NOT EXISTS ${tmp}/late.dot OR EXISTS ${tmp}/late.jsonl)
  message(FATAL_ERROR "replay from a pipe: late.dot or late.jsonl wrong")
endif()
run(2 "<stdin>:5:8: control character U+0007 is not allowed\n" out
    sh -c "cat ${tmp}/late.trace | \"$0\" fmt -" ${KSMSIM})
if(NOT out STREQUAL "ksmtrace 1\nspawn a\nsnapshot one\ndot all ${tmp}/late.dot\n")
  message(FATAL_ERROR "fmt from a pipe printed:\n${out}")
endif()

# A good trace from a pipe replays and formats like the file.
run(0 "" from_file ${KSMSIM} fmt ${SRC}/traces/examples/fork-mremap.trace)
run(0 "" from_pipe sh -c "cat ${SRC}/traces/examples/fork-mremap.trace | \"$0\" fmt -" ${KSMSIM})
if(NOT from_file STREQUAL from_pipe)
  message(FATAL_ERROR "fmt of a pipe differs from fmt of the file")
endif()

# stdin from a file that was read from already: the trace starts where
# stdin stood, also when the file is read a second time after the check.
file(WRITE ${tmp}/offset.trace "not part of the trace\nksmtrace 1\nspawn a\n")
run(0 "" out sh -c "exec < ${tmp}/offset.trace && read -r skip && exec \"$0\" fmt -" ${KSMSIM})
if(NOT out STREQUAL "ksmtrace 1\nspawn a\n")
  message(FATAL_ERROR "fmt of a stdin read from already printed:\n${out}")
endif()
