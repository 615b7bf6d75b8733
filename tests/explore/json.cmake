# explore --json: one JSON object on stdout that parses, holds the figures
# the text report holds and the written traces' paths, and is the same
# bytes for the same options; --progress and --quiet decide what goes to
# stderr.  Run with -DKSMSIM= -DOUT=.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/a ${OUT}/b)

function(explore_json var rc_want)
  execute_process(COMMAND ${KSMSIM} explore ${ARGN} --json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc_want STREQUAL "ANY" AND (rc EQUAL 0 OR rc EQUAL 1))
    set(rc_want ${rc})
  endif()
  if(NOT rc EQUAL rc_want)
    message(FATAL_ERROR "explore ${ARGN} --json: exit ${rc}, expected ${rc_want}\n${out}${err}")
  endif()
  string(JSON type ERROR_VARIABLE bad TYPE "${out}")
  if(bad OR NOT type STREQUAL "OBJECT")
    message(FATAL_ERROR "explore ${ARGN} --json: not a JSON object (${bad}):\n${out}")
  endif()
  set(${var} "${out}" PARENT_SCOPE)
  set(${var}_err "${err}" PARENT_SCOPE)
endfunction()

function(expect_field json want)
  string(JSON got ERROR_VARIABLE bad GET "${json}" ${ARGN})
  if(bad OR NOT got STREQUAL want)
    message(FATAL_ERROR "JSON ${ARGN}: '${got}' ${bad}, expected '${want}':\n${json}")
  endif()
endfunction()

function(expect_length json want)
  string(JSON got ERROR_VARIABLE bad LENGTH "${json}" ${ARGN})
  if(bad OR NOT got EQUAL want)
    message(FATAL_ERROR "JSON ${ARGN}: ${got} elements ${bad}, expected ${want}:\n${json}")
  endif()
endfunction()

# Exhaustive to depth 6 finds the divergence: figures, kind, trace path.
explore_json(j 1 --exhaustive --depth 6 --out ${OUT}/a)
expect_field("${j}" exhaustive mode)
expect_field("${j}" 9794 sequences)
expect_field("${j}" 997 states)
string(JSON type TYPE "${j}" interrupted_by)
if(NOT type STREQUAL "NULL")
  message(FATAL_ERROR "a complete run has interrupted_by ${type}:\n${j}")
endif()
expect_length("${j}" 1 failures)
expect_field("${j}" divergence failures 0 kind)
expect_field("${j}" ${OUT}/a/explore-depth6-divergence.trace failures 0 trace)
# The trace named is there and is the one in the report.
string(JSON line GET "${j}" failures 0 lines 5)
file(READ ${OUT}/a/explore-depth6-divergence.trace text)
string(FIND "${text}" "\n${line}\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the written trace lacks '${line}':\n${text}")
endif()
if(NOT j_err STREQUAL "")
  message(FATAL_ERROR "explore wrote to stderr without --progress on a non-terminal:\n${j_err}")
endif()

# Random, the negative control: shrinking figures.
explore_json(j 1 --seed 1 --traces 200 --target naive --out ${OUT}/a)
expect_field("${j}" random mode)
expect_field("${j}" 17 traces)
expect_field("${j}" naive-miss failures 0 kind)
expect_field("${j}" 77 failures 0 shrunk_from)
expect_field("${j}" 15 failures 0 shrunk_to)
expect_field("${j}" ON failures 0 shrink_complete)

# --keep-going: every failure, each in its own numbered file.
explore_json(j 1 --seed 1 --traces 200 --target naive --keep-going --out ${OUT}/b)
expect_field("${j}" 200 traces)
expect_length("${j}" 14 failures)
foreach(i 1 13)
  math(EXPR n "${i} + 1")
  expect_field("${j}" ${OUT}/b/explore-1-naive-miss-${n}.trace failures ${i} trace)
  if(NOT EXISTS ${OUT}/b/explore-1-naive-miss-${n}.trace)
    message(FATAL_ERROR "--keep-going did not write failure ${n}")
  endif()
endforeach()

# Determinism: the same options, the same bytes (random and exhaustive).
foreach(args "--seed 3;--traces 40;--steps 150;--target any;--keep-going"
             "--exhaustive;--depth 5;--alphabet mprotect")
  string(REPLACE " " ";" args "${args}")
  explore_json(one ANY ${args} --out ${OUT}/a)
  explore_json(two ANY ${args} --out ${OUT}/a --progress)
  if(NOT one STREQUAL two)
    message(FATAL_ERROR "explore ${args} --json differs between two runs:\n${one}\n---\n${two}")
  endif()
  # --progress reports on stderr only, and ends with a summary line.
  if(NOT two_err MATCHES "explore: done: [0-9]+ ")
    message(FATAL_ERROR "explore ${args} --progress: no final progress line:\n${two_err}")
  endif()
endforeach()

# --quiet: nothing at all on stderr.
execute_process(COMMAND ${KSMSIM} explore --seed 3 --traces 5 --quiet --progress
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "--quiet --progress accepted")
endif()
execute_process(COMMAND ${KSMSIM} explore --seed 3 --traces 5 --quiet --out ${OUT}/a
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "explore --quiet: exit ${rc}, stderr:\n${err}")
endif()

# A trace that cannot be written (here its name is taken by a folder) is
# not lost: the report prints its commands instead, and they parse.
file(MAKE_DIRECTORY ${OUT}/c/explore-1-naive-miss.trace)
execute_process(COMMAND ${KSMSIM} explore --seed 1 --traces 200 --target naive --out ${OUT}/c
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(FIND "${out}" "trace: not written (${OUT}/c/explore-1-naive-miss.trace: cannot write:" at)
string(FIND "${out}" "its commands:\nksmtrace 1\n" cmds)
if(NOT rc EQUAL 1 OR at EQUAL -1 OR cmds EQUAL -1)
  message(FATAL_ERROR "an unwritable trace: exit ${rc}, report:\n${out}")
endif()
math(EXPR cmds "${cmds} + 14") # past "its commands:\n"
string(SUBSTRING "${out}" ${cmds} -1 trace)
file(WRITE ${OUT}/c/printed.trace "${trace}")
execute_process(COMMAND ${KSMSIM} fmt ${OUT}/c/printed.trace RESULT_VARIABLE rc OUTPUT_VARIABLE canon)
string(REGEX MATCHALL "\n" n "${canon}")
list(LENGTH n n)
if(NOT rc EQUAL 0 OR n LESS 15)
  message(FATAL_ERROR "the printed trace does not parse (exit ${rc}, ${n} lines):\n${trace}")
endif()
explore_json(j 1 --seed 1 --traces 200 --target naive --out ${OUT}/c)
string(JSON type TYPE "${j}" failures 0 trace)
string(JSON err GET "${j}" failures 0 write_error)
if(NOT type STREQUAL "NULL" OR NOT err MATCHES "cannot write")
  message(FATAL_ERROR "an unwritable trace in JSON: trace ${type}, write_error '${err}'")
endif()
expect_length("${j}" 15 failures 0 lines)
