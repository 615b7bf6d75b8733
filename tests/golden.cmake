# The golden-file runner: every test that compares what a command prints
# or writes with a file kept in tests/ goes through golden() here.
#
# Three ways in:
#
#  - as a test, from a CMakeLists.txt that included this file:
#      ksmsim_golden_test(NAME error.x LABELS error CMD $<TARGET_FILE:ksmsim> replay x.trace
#                         RC nonzero STDERR x.err STRIP ...)
#    registers `cmake -D... -P golden.cmake` under that name, with the
#    same options as golden() below (WORKING_DIRECTORY: where it runs);
#  - as a script: `cmake -DCMD="PROG|ARG|..." -DRC=0 -DSTDOUT=x.out ...
#    -P golden.cmake` runs golden() once; an option is a -D variable,
#    CMD and REPLACE "|"-separated (a ";" would split add_test's argument);
#  - from a test script that include()s this file and calls golden() or
#    expect_run() as often as it needs (several runs in one test).
#
# golden(CMD PROG ARGS... [options]) runs the command and fails the test
# (message(FATAL_ERROR)) unless everything asked for holds:
#
#   NAME x          what the messages call the run (default: the command)
#   WORKDIR dir     where the command runs (default: the current directory)
#   MKDIR dir       a folder emptied (made) before the run
#   RC n|nonzero    the exit status it must end with (default 0)
#   RC_FILE f       a file holding that status; wins over RC if it exists
#   STDOUT f        a file stdout must equal byte for byte (canonicalised)
#   STDERR f        a file stderr must equal byte for byte
#   STRIP           compare stdout and stderr without leading and trailing
#                   white space
#   STDOUT_EMPTY    stdout must be empty
#   FAILED_EXPECT_STREAM  stdout must be empty, except that exit 1 (a
#                   failed `expect` of a replay) keeps the snapshot stream,
#                   which must end with the expect_failed record
#   STDERR_HAS s    stderr must contain the text s
#   OUTPUT f        a file the command writes (removed before the run): it
#                   must exist afterwards ...
#   OUTPUT_GOLDEN g ... and equal g byte for byte
#   CANON prog      a program `prog IN OUT` that rewrites a file in
#                   canonical form: an OUTPUT that differs from its golden
#                   is compared again after both went through it (another
#                   Graphviz writes the same graph with other spacing)
#   REPLACE a b ... canonicalisation of stdout before it is compared:
#                   every a replaced by b (say the build folder by a word)
#   DROP_LINES re   lines of stdout from a match of the regex re to their
#                   end are dropped (a measured time)
#   JSON            stdout must parse as JSON
#   TWICE           run the command twice: stdout, stderr and OUTPUT must
#                   be byte-identical between the runs
#   ACTUAL f        where the canonical stdout is written when it differs
#   STDOUT_VAR v / STDERR_VAR v / RC_VAR v: the caller's variables that
#                   receive the raw stdout, stderr and exit status
#
# With KSMSIM_UPDATE_GOLDEN=1 in the environment, a golden file (STDOUT,
# STDERR, OUTPUT_GOLDEN) that differs is rewritten with what came out
# instead of failing: review the difference before committing it.

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_minimum_required(VERSION 3.19) # string(JSON), today's if() rules
endif()
set(GOLDEN_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
set(GOLDEN_OPTIONS STRIP STDOUT_EMPTY FAILED_EXPECT_STREAM JSON TWICE)
set(GOLDEN_ONE NAME WORKDIR MKDIR RC RC_FILE STDOUT STDERR STDERR_HAS OUTPUT OUTPUT_GOLDEN
    CANON DROP_LINES ACTUAL STDOUT_VAR STDERR_VAR RC_VAR)
set(GOLDEN_MULTI CMD REPLACE)

# A difference from a golden file: rewrite it (KSMSIM_UPDATE_GOLDEN) or fail.
function(golden_differs what golden got)
  if(DEFINED ENV{KSMSIM_UPDATE_GOLDEN})
    file(WRITE ${golden} "${got}")
    message(STATUS "wrote ${golden}")
    return()
  endif()
  file(READ ${golden} want)
  message(FATAL_ERROR "${G_NAME}: ${what} differs from ${golden}\n"
                      "--- want\n${want}\n--- got\n${got}")
endfunction()

function(golden_run out_var err_var rc_var)
  if(G_OUTPUT)
    file(REMOVE ${G_OUTPUT})
  endif()
  set(wd)
  if(G_WORKDIR)
    set(wd WORKING_DIRECTORY ${G_WORKDIR})
  endif()
  execute_process(COMMAND ${G_CMD} ${wd}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

function(golden)
  cmake_parse_arguments(G "${GOLDEN_OPTIONS}" "${GOLDEN_ONE}" "${GOLDEN_MULTI}" ${ARGN})
  if(G_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "golden(): unknown arguments ${G_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT G_CMD)
    message(FATAL_ERROR "golden(): no CMD")
  endif()
  if(NOT G_NAME)
    string(REPLACE ";" " " G_NAME "${G_CMD}")
  endif()
  set(want_rc 0)
  if(DEFINED G_RC)
    set(want_rc ${G_RC})
  endif()
  if(G_RC_FILE AND EXISTS ${G_RC_FILE})
    file(READ ${G_RC_FILE} want_rc)
    string(STRIP "${want_rc}" want_rc)
  elseif(G_RC_FILE AND NOT DEFINED G_RC)
    message(FATAL_ERROR "${G_NAME}: no ${G_RC_FILE}")
  endif()
  if(G_MKDIR)
    file(REMOVE_RECURSE ${G_MKDIR})
    file(MAKE_DIRECTORY ${G_MKDIR})
  endif()

  golden_run(out err rc)
  if(G_STDOUT_VAR)
    set(${G_STDOUT_VAR} "${out}" PARENT_SCOPE)
  endif()
  if(G_STDERR_VAR)
    set(${G_STDERR_VAR} "${err}" PARENT_SCOPE)
  endif()
  if(G_RC_VAR)
    set(${G_RC_VAR} "${rc}" PARENT_SCOPE)
  endif()

  if(want_rc STREQUAL "nonzero")
    if(rc EQUAL 0)
      message(FATAL_ERROR "${G_NAME}: expected a non-zero exit, got 0\nstderr:\n${err}")
    endif()
  elseif(NOT rc EQUAL want_rc)
    message(FATAL_ERROR "${G_NAME}: exit ${rc}, expected ${want_rc}\n"
                        "stdout:\n${out}\nstderr:\n${err}")
  endif()

  if(G_OUTPUT)
    if(NOT EXISTS ${G_OUTPUT})
      message(FATAL_ERROR "${G_NAME}: exit ${rc} but no ${G_OUTPUT}")
    endif()
    file(READ ${G_OUTPUT} written)
  endif()
  if(G_TWICE)
    golden_run(out2 err2 rc2)
    if(NOT rc2 EQUAL rc OR NOT out2 STREQUAL out OR NOT err2 STREQUAL err)
      message(FATAL_ERROR "${G_NAME}: two runs gave different results")
    endif()
    if(G_OUTPUT)
      file(READ ${G_OUTPUT} written2)
      if(NOT written2 STREQUAL written)
        message(FATAL_ERROR "${G_NAME}: two runs wrote different ${G_OUTPUT}")
      endif()
    endif()
  endif()

  # Canonical stdout: what the golden file holds.
  set(canon "${out}")
  set(rep ${G_REPLACE})
  list(LENGTH rep nrep)
  while(nrep GREATER 1)
    list(POP_FRONT rep from to)
    string(REPLACE "${from}" "${to}" canon "${canon}")
    math(EXPR nrep "${nrep} - 2")
  endwhile()
  if(G_DROP_LINES)
    string(REGEX REPLACE "${G_DROP_LINES}[^\n]*\n" "" canon "${canon}")
  endif()
  set(cerr "${err}")
  if(G_STRIP)
    string(STRIP "${canon}" canon)
    string(STRIP "${cerr}" cerr)
  endif()

  if(G_JSON)
    string(JSON type ERROR_VARIABLE bad TYPE "${out}")
    if(bad)
      message(FATAL_ERROR "${G_NAME}: stdout is not JSON: ${bad}\n${out}")
    endif()
  endif()
  if(G_STDERR_HAS)
    string(FIND "${err}" "${G_STDERR_HAS}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${G_NAME}: stderr lacks '${G_STDERR_HAS}':\n${err}")
    endif()
  endif()
  if(G_STDOUT_EMPTY AND NOT out STREQUAL "")
    message(FATAL_ERROR "${G_NAME}: expected no stdout, got:\n${out}")
  endif()
  if(G_FAILED_EXPECT_STREAM)
    if(rc EQUAL 1)
      string(REGEX MATCH "\"expect_failed\":[^\n]*}}\n$" last "${out}")
      if(NOT last)
        message(FATAL_ERROR "${G_NAME}: a failed expect, but stdout does not end with "
                            "its expect_failed record:\n${out}")
      endif()
    elseif(NOT out STREQUAL "")
      message(FATAL_ERROR "${G_NAME}: expected no stdout, got:\n${out}")
    endif()
  endif()

  foreach(stream STDERR STDOUT)
    if(stream STREQUAL "STDOUT")
      set(got "${canon}")
    else()
      set(got "${cerr}")
    endif()
    if(NOT G_${stream})
      continue()
    endif()
    if(NOT EXISTS ${G_${stream}} AND NOT DEFINED ENV{KSMSIM_UPDATE_GOLDEN})
      message(FATAL_ERROR "${G_NAME}: no golden ${G_${stream}} (KSMSIM_UPDATE_GOLDEN=1 writes it)")
    endif()
    set(want "")
    if(EXISTS ${G_${stream}})
      file(READ ${G_${stream}} want)
    endif()
    if(G_STRIP)
      string(STRIP "${want}" want)
    endif()
    if(NOT got STREQUAL want)
      if(stream STREQUAL "STDOUT" AND G_ACTUAL)
        file(WRITE ${G_ACTUAL} "${got}")
        message("${G_NAME}: what came out is in ${G_ACTUAL}")
      endif()
      if(G_STRIP)
        string(APPEND got "\n")
      endif()
      string(TOLOWER ${stream} what)
      golden_differs(${what} ${G_${stream}} "${got}")
    endif()
  endforeach()

  if(G_OUTPUT_GOLDEN)
    if(NOT EXISTS ${G_OUTPUT_GOLDEN} AND NOT DEFINED ENV{KSMSIM_UPDATE_GOLDEN})
      message(FATAL_ERROR "${G_NAME}: no golden ${G_OUTPUT_GOLDEN} (KSMSIM_UPDATE_GOLDEN=1 writes it)")
    endif()
    set(want "")
    if(EXISTS ${G_OUTPUT_GOLDEN})
      file(READ ${G_OUTPUT_GOLDEN} want)
    endif()
    if(NOT written STREQUAL want AND G_CANON AND EXISTS ${G_OUTPUT_GOLDEN})
      # Maybe only the formatting differs: compare the canonical forms.
      set(ca ${G_OUTPUT}.canon)
      set(cw ${G_OUTPUT}.golden.canon)
      foreach(pair "${G_OUTPUT}|${ca}" "${G_OUTPUT_GOLDEN}|${cw}")
        string(REPLACE "|" ";" pair "${pair}")
        execute_process(COMMAND ${G_CANON} ${pair} RESULT_VARIABLE crc ERROR_VARIABLE cerr)
        if(NOT crc EQUAL 0)
          message(FATAL_ERROR "${G_NAME}: ${G_CANON} ${pair}: ${cerr}")
        endif()
      endforeach()
      file(READ ${ca} la)
      file(READ ${cw} lw)
      if(la STREQUAL lw)
        return()
      endif()
      if(NOT DEFINED ENV{KSMSIM_UPDATE_GOLDEN})
        message(FATAL_ERROR "${G_NAME}: ${G_OUTPUT} differs from ${G_OUTPUT_GOLDEN}; "
                            "compared as canonical files too: diff -u ${cw} ${ca}")
      endif()
    endif()
    if(NOT written STREQUAL want)
      golden_differs("${G_OUTPUT}" ${G_OUTPUT_GOLDEN} "${written}")
    endif()
  endif()
endfunction()

# expect_run(RC TEXT ARGS...): `${KSMSIM} ARGS...` must exit with RC and
# its stderr must contain TEXT.  For scripts of many small error cases.
function(expect_run want_rc want_err)
  string(REPLACE ";" " " args "${ARGN}")
  golden(NAME "ksmsim ${args}" CMD ${KSMSIM} ${ARGN} RC ${want_rc} STDERR_HAS "${want_err}")
endfunction()

# ksmsim_golden_test(NAME test LABELS l... [WORKING_DIRECTORY d] <golden() options>)
function(ksmsim_golden_test)
  # NAME is the test's, and what the messages call the run.
  cmake_parse_arguments(T "${GOLDEN_OPTIONS}" "WORKING_DIRECTORY;${GOLDEN_ONE}"
                        "LABELS;${GOLDEN_MULTI}" ${ARGN})
  set(defs)
  foreach(opt ${GOLDEN_OPTIONS})
    if(T_${opt})
      list(APPEND defs -D${opt}=1)
    endif()
  endforeach()
  foreach(opt ${GOLDEN_ONE})
    if(DEFINED T_${opt})
      list(APPEND defs "-D${opt}=${T_${opt}}")
    endif()
  endforeach()
  foreach(opt ${GOLDEN_MULTI})
    if(DEFINED T_${opt})
      # "|" separates list items: a ";" would split add_test's argument.
      string(REPLACE ";" "|" v "${T_${opt}}")
      list(APPEND defs "-D${opt}=${v}")
    endif()
  endforeach()
  set(wd)
  if(T_WORKING_DIRECTORY)
    set(wd WORKING_DIRECTORY ${T_WORKING_DIRECTORY})
  endif()
  add_test(NAME ${T_NAME} COMMAND ${CMAKE_COMMAND} ${defs} -P ${GOLDEN_SCRIPT} ${wd})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
endfunction()

# Run as a script: the options are -D variables.
if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  set(args)
  foreach(opt ${GOLDEN_OPTIONS})
    if(DEFINED ${opt} AND ${opt})
      list(APPEND args ${opt})
    endif()
  endforeach()
  foreach(opt ${GOLDEN_ONE})
    if(DEFINED ${opt})
      list(APPEND args ${opt} "${${opt}}")
    endif()
  endforeach()
  foreach(opt ${GOLDEN_MULTI})
    if(DEFINED ${opt})
      string(REPLACE "|" ";" v "${${opt}}")
      list(APPEND args ${opt} ${v})
    endif()
  endforeach()
  golden(${args})
endif()
