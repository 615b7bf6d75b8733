# The library's layering, checked on every #include (docs/architecture.md,
# "Layers and files").  Run as
#   cmake -DROOT=<source tree> -P tests/layers/check_layers.cmake
# It fails, listing every offending line, when a file includes a header of
# a layer above its own, or when a file of sim/ or include/ksmsim/ belongs
# to no layer.  The suite runs it on the source tree (test `layers`) and on
# a tree with one upward include (test `layers-upward`, which must fail).
#
# Layers, lowest first.  A file may include headers of its own layer and of
# the layers before it, never of one after it.  Each layer lists path
# patterns (regular expressions on the path from ROOT); the first layer
# whose pattern matches a file owns it.  Calls that go the other way do so
# only through an interface the lower layer declares: mm calls KSM through
# sim/mm/ksm_hooks.h, which sim/ksm implements (the kernel's
# include/linux/ksm.h).
set(KSMSIM_LAYERS core trace mm ksm rmap report check replay explore cli tools)
set(layer_core
    "^sim/core/"
    "^include/ksmsim/(diag|bsd_tree|interval_tree|version|ksm_fields|advisor)\\.h$")
# The trace format (lexer, parser, writer) needs only core; the replayer
# that turns commands into calls of the machine sits near the top.
set(layer_trace
    "^sim/trace/"
    "^include/ksmsim/trace(_cmds)?\\.h$")
set(layer_mm "^sim/mm/" "^include/ksmsim/(mm|sim)\\.h$")
set(layer_ksm "^sim/ksm/" "^include/ksmsim/ksm\\.h$")
set(layer_rmap "^sim/rmap/" "^include/ksmsim/(rmap|migrate)\\.h$")
set(layer_report "^sim/report/"
    "^include/ksmsim/(snapshot|sim_snapshot|snapshot_diff|dot)\\.h$")
set(layer_check "^sim/check/" "^include/ksmsim/(check|rmap_check)\\.h$")
set(layer_replay "^sim/replay/"
    "^include/ksmsim/replay\\.h$")
set(layer_explore "^sim/explore/" "^include/ksmsim/explore\\.h$")
set(layer_cli "^sim/cli/")
set(layer_tools "^tools/")

if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source tree> -P check_layers.cmake")
endif()

string(REPLACE ";" " < " KSMSIM_ORDER "${KSMSIM_LAYERS}")

# layer_of(<path from ROOT> <out var>): the layer's index, or -1.
function(layer_of rel out)
  set(i 0)
  foreach(layer IN LISTS KSMSIM_LAYERS)
    foreach(re IN LISTS layer_${layer})
      if(rel MATCHES "${re}")
        set(${out} ${i} PARENT_SCOPE)
        return()
      endif()
    endforeach()
    math(EXPR i "${i} + 1")
  endforeach()
  set(${out} -1 PARENT_SCOPE)
endfunction()

# Where "NAME" resolves the way the compiler finds it: next to the
# including file, then include/ and sim/ (the include directories).
function(resolve dir name out)
  foreach(base IN ITEMS "${dir}" "${ROOT}/include" "${ROOT}/sim")
    if(EXISTS "${base}/${name}")
      file(RELATIVE_PATH rel "${ROOT}" "${base}/${name}")
      set(${out} "${rel}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE "${ROOT}"
     "${ROOT}/sim/*.c" "${ROOT}/sim/*.h" "${ROOT}/include/ksmsim/*.h"
     "${ROOT}/tools/*.c" "${ROOT}/tools/*.h")
list(SORT files)

set(problems "")
set(nfiles 0)
set(nincludes 0)
foreach(rel IN LISTS files)
  math(EXPR nfiles "${nfiles} + 1")
  layer_of("${rel}" own)
  if(own EQUAL -1)
    string(APPEND problems "  ${rel}: belongs to no layer (add it to a layer in tests/layers/check_layers.cmake)\n")
    continue()
  endif()
  list(GET KSMSIM_LAYERS ${own} own_name)
  file(READ "${ROOT}/${rel}" text)
  string(REGEX MATCHALL "(^|\n)[ \t]*#[ \t]*include[ \t]*\"[^\"\n]+\"" incs "${text}")
  get_filename_component(dir "${ROOT}/${rel}" DIRECTORY)
  foreach(inc IN LISTS incs)
    math(EXPR nincludes "${nincludes} + 1")
    string(REGEX REPLACE ".*\"([^\"]+)\".*" "\\1" name "${inc}")
    resolve("${dir}" "${name}" target)
    if(target STREQUAL "")
      continue() # not a header of this tree (a generated or a system one)
    endif()
    layer_of("${target}" tl)
    if(tl GREATER own)
      list(GET KSMSIM_LAYERS ${tl} tl_name)
      # The line number: newlines before the include.
      string(STRIP "${inc}" inc_line)
      string(FIND "${text}" "${inc_line}" pos)
      string(SUBSTRING "${text}" 0 ${pos} before)
      string(REGEX MATCHALL "\n" nl "${before}")
      list(LENGTH nl line)
      math(EXPR line "${line} + 1")
      string(APPEND problems "  ${rel}:${line}: layer ${own_name} includes \"${name}\" of layer ${tl_name}, which is above it\n")
    endif()
  endforeach()
endforeach()

if(NOT problems STREQUAL "")
  message(FATAL_ERROR "layering violated:\n${problems}"
          "A file may include only headers of its own layer or of a layer below it:\n"
          "  ${KSMSIM_ORDER}\n"
          "(lowest first; docs/architecture.md, \"Layers and files\").  "
          "To call upward, declare the call in the lower layer and implement it above, "
          "as sim/mm/ksm_hooks.h does for KSM.")
endif()
message(STATUS "layering holds: ${nfiles} files, ${nincludes} includes, ${KSMSIM_ORDER}")
