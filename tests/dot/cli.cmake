# `ksmsim dot` beyond the goldens: every picture rendered as PNG and PDF,
# and every error — each must exit with the documented status, say what
# is wrong on stderr and leave no file behind, not even a temporary one.
# KSMSIM, WORK; run in tests/dot.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

include(${CMAKE_CURRENT_LIST_DIR}/../golden.cmake)

function(expect_nothing_left)
  file(GLOB left ${WORK}/*)
  if(left)
    message(FATAL_ERROR "a failed ksmsim dot left ${left}")
  endif()
endfunction()

# Rendering: PNG and PDF of every kind of picture.
set(png_sig "89504e470d0a1a0a")
foreach(pic "stable|stable.trace|stable" "unstable|unstable.trace|unstable"
            "anon_vma|family.trace|anon_vma|c|0x200000000000" "mm|family.trace|mm|b"
            "all|family.trace|all")
  string(REPLACE "|" ";" pic "${pic}")
  list(POP_FRONT pic name)
  expect_run(0 "" dot ${pic} ${WORK}/${name}.png)
  file(READ ${WORK}/${name}.png sig LIMIT 8 HEX)
  if(NOT sig STREQUAL png_sig)
    message(FATAL_ERROR "${name}.png is not a PNG (starts ${sig})")
  endif()
  expect_run(0 "" dot ${pic} ${WORK}/${name}.pdf)
  file(READ ${WORK}/${name}.pdf sig LIMIT 8)
  if(NOT sig MATCHES "^%PDF-")
    message(FATAL_ERROR "${name}.pdf is not a PDF (starts ${sig})")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# Usage.
expect_run(2 "no trace given" dot)
expect_run(2 "nothing to draw" dot stable.trace)
expect_run(2 "no output file given" dot stable.trace stable)
expect_run(2 "cannot draw 'tree'" dot stable.trace tree ${WORK}/x.dot)
expect_run(2 "mm takes P FILE" dot family.trace mm ${WORK}/x.dot)
expect_run(2 "anon_vma takes P ADDR FILE" dot family.trace anon_vma a ${WORK}/x.dot)
expect_run(2 "stable takes only FILE" dot stable.trace stable a ${WORK}/x.dot)
expect_run(2 "'0xzz' is not an address" dot family.trace anon_vma a 0xzz ${WORK}/x.dot)
expect_run(2 "unknown option '--bogus'" dot --bogus stable.trace stable ${WORK}/x.dot)
expect_run(2 "--limit takes a number from 1" dot --limit 0 stable.trace stable ${WORK}/x.dot)
expect_run(2 "--at needs a line number" dot stable.trace stable ${WORK}/x.dot --at)
expect_run(2 "--at takes a number from 1" dot --at x stable.trace stable ${WORK}/x.dot)
expect_run(2 "--page takes P:ADDR" dot --page a stable.trace stable ${WORK}/x.dot)
expect_run(2 "too many arguments" dot a b c d e f g)
expect_run(0 "" dot --help)
# --help names every picture and every option.
execute_process(COMMAND ${KSMSIM} dot --help OUTPUT_VARIABLE help)
foreach(word "stable FILE" "unstable FILE" "anon_vma P ADDR FILE" "mm P FILE"
             "rmap P ADDR FILE" "all FILE" "--at" "--focus" "--page" "--range"
             "--limit" "--fold" "--progress" "--quiet")
  string(FIND "${help}" "${word}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "ksmsim dot --help does not mention '${word}'")
  endif()
endforeach()
expect_run(2 "WHAT is stable, unstable, anon_vma, mm, rmap or all" dot stable.trace tree ${WORK}/x.dot)
expect_run(2 "--range takes LO-HI, not '0x10'" dot --range 0x10 stable.trace stable ${WORK}/x.dot)
expect_run(2 "--range: 0x20-0x10 is empty" dot --range 0x20-0x10 stable.trace stable ${WORK}/x.dot)
expect_run(2 "--range: 'zz' is not an address" dot --range 0x10-zz stable.trace stable ${WORK}/x.dot)
expect_run(2 "--fold takes a number from 1" dot --fold x stable.trace stable ${WORK}/x.dot)
expect_run(2 "--fold needs a number" dot stable.trace stable ${WORK}/x.dot --fold)
expect_run(2 "ksmsim dot: --limit needs a number" dot stable.trace stable ${WORK}/x.dot --limit)
expect_run(2 "ksmsim dot: --page needs P:ADDR" dot stable.trace stable ${WORK}/x.dot --page)
# Counts are whole numbers: no blanks, no sign.
expect_run(2 "ksmsim dot: --limit takes a number from 1 to 4294967295, not ' 5'"
           dot --limit " 5" stable.trace stable ${WORK}/x.dot)
expect_run(2 "ksmsim dot: --at takes a number from 1 to 4294967295, not '+3'"
           dot --at +3 stable.trace stable ${WORK}/x.dot)
expect_run(2 "ksmsim dot: --fold takes a number from 1 to 1000000, not '0x'"
           dot --fold 0x stable.trace stable ${WORK}/x.dot)
expect_nothing_left()

# What cannot be drawn.
expect_run(2 "ksmsim dot: no live process named 'zz'" dot family.trace mm zz ${WORK}/x.dot)
expect_run(2 "ksmsim dot: a has no VMA at 0x300000000000"
           dot family.trace anon_vma a 0x300000000000 ${WORK}/x.dot)
expect_run(2 "ksmsim dot: focus: no live process named 'zz'"
           dot --focus zz stable.trace stable ${WORK}/x.dot)
expect_run(2 "ksmsim dot: page: a maps no KSM page at 0x100000003000"
           dot --page a:0x100000003000 stable.trace stable ${WORK}/x.dot)
expect_run(2 "ksmsim dot: focus: mm draws no other process to leave out"
           dot --focus a family.trace mm a ${WORK}/x.dot)
expect_run(2 "ksmsim dot: page: only stable and all draw KSM pages to choose from, not anon_vma"
           dot --page a:0x100000000000 family.trace anon_vma a 0x100000000000 ${WORK}/x.dot)
expect_run(2 "ksmsim dot: range: rmap is of one page already"
           dot --range 0x0-0x1000 divergence.trace rmap p 0x100000000000 ${WORK}/x.dot)
expect_run(2 "ksmsim dot: a maps no KSM page at 0x100000010000"
           dot family.trace rmap a 0x100000010000 ${WORK}/x.dot)
expect_run(2 "ksmsim dot: cannot write ${WORK}/no/such/x.dot:"
           dot stable.trace stable ${WORK}/no/such/x.dot)
expect_run(2 "ksmsim dot: cannot write ${WORK}/no/such/x.svg:"
           dot stable.trace stable ${WORK}/no/such/x.svg)
expect_run(2 "${WORK}/missing.trace: cannot read:" dot ${WORK}/missing.trace stable ${WORK}/x.dot)
expect_nothing_left()

# A trace that cannot be applied draws nothing.
file(WRITE ${WORK}/fails.trace "ksmtrace 1\nspawn a\nmmap a 0x100000000000 4\nmmap a 0x100000001000 1\n")
expect_run(2 "fails.trace:4:8: mmap of [0x100000001000, 0x100000002000) overlaps"
           dot ${WORK}/fails.trace mm a ${WORK}/x.dot)
# ... unless the picture is of the state before the failing line.
expect_run(0 "" dot --at 3 ${WORK}/fails.trace mm a ${WORK}/x.dot)
file(REMOVE ${WORK}/x.dot ${WORK}/fails.trace)

# A failed expect is reported, the picture still drawn: exit 1.
file(WRITE ${WORK}/expect.trace "ksmtrace 1\nspawn a\nexpect a.vmas=1\nmmap a 0x100000000000 4\n")
expect_run(1 "expect.trace:3:8: expect a.vmas=1 failed: the value is 0"
           dot ${WORK}/expect.trace mm a ${WORK}/x.dot)
if(NOT EXISTS ${WORK}/x.dot)
  message(FATAL_ERROR "no picture after a failed expect")
endif()
file(REMOVE ${WORK}/x.dot ${WORK}/expect.trace)

# The trace's own dot commands are skipped: they write nothing.
file(WRITE ${WORK}/own.trace "ksmtrace 1\nspawn a\ndot mm a ${WORK}/own.dot\n")
expect_run(0 "" dot ${WORK}/own.trace mm a ${WORK}/x.dot)
if(EXISTS ${WORK}/own.dot)
  message(FATAL_ERROR "ksmsim dot ran the trace's own dot command")
endif()

# The title names the trace file, backslashes and all: escaped in the label.
file(WRITE "${WORK}/back\\slash.trace" "ksmtrace 1\nspawn a\n")
expect_run(0 "" dot "${WORK}/back\\slash.trace" mm a ${WORK}/title.dot)
file(READ ${WORK}/title.dot text)
string(FIND "${text}" "back\\\\slash.trace" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the title's backslash is not escaped:\n${text}")
endif()
