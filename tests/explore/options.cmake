# explore's options are checked before any search: each contradiction,
# empty run, malformed number and unusable --out is a usage error (exit 2)
# whose message names the option.  Run with -DKSMSIM= -DOUT=.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
include(${CMAKE_CURRENT_LIST_DIR}/../golden.cmake)

# Contradictions: an option of the other mode, or of opposite meaning.
expect_run(2 "--depth needs --exhaustive" explore --depth 5)
expect_run(2 "--alphabet needs --exhaustive" explore --alphabet mprotect)
expect_run(2 "--seed is for random search" explore --exhaustive --seed 3)
expect_run(2 "--traces is for random search" explore --exhaustive --depth 2 --traces 5)
expect_run(2 "--steps is for random search" explore --steps 5 --exhaustive)
expect_run(2 "--progress and --quiet contradict each other" explore --progress --quiet)
expect_run(2 "--seed given twice" explore --seed 1 --seed 2)
expect_run(2 "unexpected argument 'extra'" explore extra)
# Options are whole words: no --name=VALUE, no lone "-" (standard input).
expect_run(2 "unexpected argument '--seed=5'" explore --seed=5)
expect_run(2 "unexpected argument '-'" explore -)

# Runs that would explore nothing.
expect_run(2 "--depth 0 explores nothing" explore --exhaustive --depth 0)
expect_run(2 "--traces 0 explores nothing" explore --traces 0)
expect_run(2 "--steps 0 explores nothing" explore --steps 0)

# Numbers: garbage, signs, blanks, overflow, values out of range, none.
expect_run(2 "--seed takes a number, not '12x'" explore --seed 12x)
expect_run(2 "--seed takes a number, not '-1'" explore --seed -1)
expect_run(2 "--depth takes a number, not ' 5'" explore --exhaustive --depth " 5")
expect_run(2 "--traces takes a number, not '+3'" explore --traces +3)
expect_run(2 "--seed 18446744073709551616 is too large" explore --seed 18446744073709551616)
expect_run(2 "--traces 4294967296 is too large" explore --traces 4294967296)
expect_run(2 "--depth 13 is too large: at most 12" explore --exhaustive --depth 13)
expect_run(2 "--seed needs a value" explore --seed)
expect_run(2 "--seed needs a value" explore --seed --quiet)
# An option of explore is never taken as a value (--out would otherwise
# write into a folder named --json); other words are, and are checked.
expect_run(2 "--out needs a value" explore --out --json)
expect_run(2 "--seed takes a number, not '--bogus'" explore --seed --bogus)
# A repeat is named as such even when its value is missing too.
expect_run(2 "--seed given twice" explore --seed 1 --seed)
expect_run(2 "--target takes divergence, naive or any, not 'all'" explore --target all)
expect_run(2 "--alphabet takes default or mprotect, not 'x'" explore --exhaustive --alphabet x)

# --out is checked before the search: a missing folder, a file.  The
# random run asked for here would take minutes (and, finding nothing,
# never notice a bad --out) if it started; it must fail at once.
expect_run(2 "--out ${OUT}/missing: No such file or directory"
           explore --seed 7 --traces 100000 --quiet --out ${OUT}/missing)
file(WRITE ${OUT}/file "")
expect_run(2 "--out ${OUT}/file: not a directory"
           explore --exhaustive --depth 12 --keep-going --quiet --out ${OUT}/file)
# A folder without write permission (root may write anywhere: not there).
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")
  file(MAKE_DIRECTORY ${OUT}/ro)
  file(CHMOD ${OUT}/ro DIRECTORY_PERMISSIONS OWNER_READ OWNER_EXECUTE)
  expect_run(2 "--out ${OUT}/ro: cannot write there" explore --seed 7 --traces 100000 --out ${OUT}/ro)
endif()

# Empty values (written out here: a function's ARGN drops empty strings).
execute_process(COMMAND ${KSMSIM} explore --seed "" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--seed takes a number, not ''")
  message(FATAL_ERROR "explore --seed '': exit ${rc}: ${err}")
endif()
execute_process(COMMAND ${KSMSIM} explore --out "" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--out needs a folder, not ''")
  message(FATAL_ERROR "explore --out '': exit ${rc}: ${err}")
endif()

# Nothing was searched, so nothing was written.
file(GLOB left ${OUT}/explore-*)
if(left)
  message(FATAL_ERROR "a refused run wrote ${left}")
endif()

# --help documents every option and the exit statuses.
execute_process(COMMAND ${KSMSIM} explore --help RESULT_VARIABLE rc OUTPUT_VARIABLE help)
foreach(word --seed --traces --steps --exhaustive --depth --alphabet --target --out
             --keep-going --json --progress --quiet SIGINT "128+N")
  string(FIND "${help}" "${word}" at)
  if(NOT rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "explore --help (exit ${rc}) does not mention ${word}:\n${help}")
  endif()
endforeach()
