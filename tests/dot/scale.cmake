# Pictures that scale (docs/dot.md, "Big machines"): every kind of picture
# of the big traces here (512 one-page VMAs in three processes; five
# processes) and of the 20,000-VMA reproducer renders to SVG, with a
# bounded number of nodes in the DOT text and a page size rsvg-convert
# (cairo: 32,767 px a side) can still render.  Sizes, not times: timing
# is measured by tools/bench/dot-corpus.sh.  KSMSIM, WORK, REPRO.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

include(${CMAKE_CURRENT_LIST_DIR}/../golden.cmake)

# Nodes the default picture may hold, and the largest side in points
# (24,000 pt is 32,000 px at 96 dpi).
set(max_nodes 400)
set(max_side 24000)

# Structure nodes (objects and folds) and all nodes of a DOT file: the
# lines "<tabs>NAME<tab>[attributes" (edges have " -> " in between).  The
# matches, not the lines, are listed: a line's brackets would upset the
# list.
function(count_nodes file out_all out_struct)
  file(READ ${file} text)
  string(REGEX MATCHALL "\n\t+[a-z][a-z_0-9]*\t" names "${text}")
  set(all 0)
  set(st 0)
  foreach(l IN LISTS names)
    string(STRIP "${l}" name)
    if(name STREQUAL "graph" OR name STREQUAL "node" OR name STREQUAL "edge")
      continue()
    endif()
    math(EXPR all "${all} + 1")
    if(name MATCHES "^(stable|item|vma|av|avc|mm|fold)_")
      math(EXPR st "${st} + 1")
    endif()
  endforeach()
  set(${out_all} ${all} PARENT_SCOPE)
  set(${out_struct} ${st} PARENT_SCOPE)
endfunction()

function(check_svg file)
  file(READ ${file} head LIMIT 2000)
  if(NOT head MATCHES "<svg width=\"([0-9]+)pt\" height=\"([0-9]+)pt\"")
    message(FATAL_ERROR "${file}: no width and height in pt")
  endif()
  foreach(side ${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
    if(side GREATER max_side)
      message(FATAL_ERROR "${file}: ${CMAKE_MATCH_1} x ${CMAKE_MATCH_2} pt, more than ${max_side} pt a side")
    endif()
  endforeach()
endfunction()

set(n 0)
foreach(pic
    "big.trace|all" "big.trace|stable" "big.trace|unstable" "big.trace|mm|a"
    "big.trace|mm|c" "big.trace|anon_vma|a|0x100000000000"
    "big.trace|anon_vma|c|0x100000001000" "big.trace|rmap|a|0x100000000000"
    "five.trace|all" "five.trace|stable" "five.trace|unstable" "five.trace|mm|e"
    "five.trace|anon_vma|e|0x100000000000" "five.trace|rmap|a|0x100000001000"
    "${REPRO}|all" "${REPRO}|stable" "${REPRO}|unstable" "${REPRO}|mm|a"
    "${REPRO}|anon_vma|a|0x10000000" "${REPRO}|rmap|a|0x10000000"
    "${REPRO}|rmap|a|0x14e1f000"
    # 100 items of a in one VMA: only the page asked about stays unfolded.
    "../fuzz/corpus/spec_example.trace|rmap|a|0x100000000000")
  string(REPLACE "|" ";" args "${pic}")
  math(EXPR n "${n} + 1")
  expect_run(0 "" dot ${args} ${WORK}/${n}.dot)
  count_nodes(${WORK}/${n}.dot all st)
  if(all GREATER max_nodes)
    message(FATAL_ERROR "dot ${args}: ${all} nodes, more than ${max_nodes}")
  endif()
  expect_run(0 "" dot ${args} ${WORK}/${n}.svg)
  check_svg(${WORK}/${n}.svg)
endforeach()

# What was folded is said on stderr and in the picture.
expect_run(0 "objects folded into" dot big.trace all ${WORK}/f.dot)
file(READ ${WORK}/f.dot text)
foreach(want "256 VMAs like this (a)" "512 anon_vmas like this" "subtree of ")
  string(FIND "${text}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "dot big.trace all: no '${want}' in the picture")
  endif()
endforeach()
# Every single object drawn: the node limit holds, and says so.
expect_run(0 "not drawn (node limit 600" dot --fold 0 big.trace all ${WORK}/nofold.dot)
count_nodes(${WORK}/nofold.dot all st)
if(st GREATER 600)
  message(FATAL_ERROR "dot --fold 0 big.trace all: ${st} structure nodes, limit 600")
endif()
file(READ ${WORK}/nofold.dot text)
string(FIND "${text}" "more not drawn" at)
if(at EQUAL -1)
  message(FATAL_ERROR "dot --fold 0 big.trace all: no note of what was not drawn")
endif()

# The page asked about is never folded away: --page of a deep KSM page.
expect_run(0 "" dot --page c:0x1000001ff000 big.trace stable ${WORK}/page.dot)
file(READ ${WORK}/page.dot text)
string(REGEX MATCH "c 0x1000001ff000" hit "${text}")
if(NOT hit)
  message(FATAL_ERROR "dot --page c:0x1000001ff000: the item at c 0x1000001ff000 is not drawn alone")
endif()

# Divergence in the rmap picture: red dashed, and a legend explains it.
expect_run(0 "" dot divergence.trace rmap p 0x100000000000 ${WORK}/div.dot)
file(READ ${WORK}/div.dot text)
foreach(want "DIVERGENCE: found by the full walk" "rb: black" "color=red")
  string(FIND "${text}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "dot rmap of divergence.trace: no '${want}'")
  endif()
endforeach()
if(text MATCHES "fillcolor=red")
  message(FATAL_ERROR "dot rmap: a red fill, which reads like a divergence")
endif()

# Progress: asked for, it is said; not asked for and not a terminal, not.
expect_run(0 "laid out and rendered in" dot --progress five.trace all ${WORK}/p.svg)
execute_process(COMMAND ${KSMSIM} dot big.trace all ${WORK}/q.svg ERROR_VARIABLE err)
if(err MATCHES "laying out")
  message(FATAL_ERROR "progress on a stderr that is not a terminal: ${err}")
endif()
