# One golden test of tests/dot/CMakeLists.txt: KSMSIM, CANON, NAME, ARGS
# ("|"-separated options, trace and WHAT [P [ADDR]]), GOLDEN, WORK.
# The DOT text must be the same on two runs and equal GOLDEN (as bytes,
# or as graphs after both went through dot_canon); the same picture must
# render to SVG in-process.
include(${CMAKE_CURRENT_LIST_DIR}/../golden.cmake)
string(REPLACE "|" ";" args "${ARGS}")
set(dot ${WORK}/${NAME}.dot)
set(svg ${WORK}/${NAME}.svg)

golden(NAME "ksmsim dot ${ARGS}" CMD ${KSMSIM} dot ${args} ${dot} TWICE
       OUTPUT ${dot} OUTPUT_GOLDEN ${GOLDEN} CANON ${CANON})

golden(NAME "ksmsim dot ${ARGS} (SVG)" CMD ${KSMSIM} dot ${args} ${svg} OUTPUT ${svg})
file(READ ${svg} head LIMIT 64)
if(NOT head MATCHES "^(<\\?xml|<svg)")
  message(FATAL_ERROR "${svg} does not start like an SVG: '${head}'")
endif()
