# Same trace and seed, same bytes: replay rich traces twice with every
# output on, and run a seeded exploration twice; the outputs must be
# identical byte for byte.
set(dir ${CMAKE_CURRENT_BINARY_DIR}/determinism)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})
foreach(trace traces/kernel/k27-many-children.trace
              tests/findings/explore-naive-miss.trace
              tests/traces/t51-dup-select-prune.trace)
  get_filename_component(name ${trace} NAME_WE)
  foreach(run 1 2)
    execute_process(COMMAND ${KSMSIM} replay --quiet --check=each --check-invariants=each
                            --snapshots ${dir}/${name}.${run}.jsonl
                            --report ${dir}/${name}.${run}.report ${SRC}/${trace}
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${trace}: replay failed (${rc})")
    endif()
  endforeach()
  foreach(kind jsonl report)
    file(SHA256 ${dir}/${name}.1.${kind} a)
    file(SHA256 ${dir}/${name}.2.${kind} b)
    if(NOT a STREQUAL b)
      message(FATAL_ERROR "${trace}: two replays wrote different ${kind} output")
    endif()
  endforeach()
endforeach()
foreach(run 1 2)
  execute_process(COMMAND ${KSMSIM} explore --seed 3 --traces 40 --steps 150 --out ${dir}
                  OUTPUT_VARIABLE out${run})
endforeach()
if(NOT out1 STREQUAL out2)
  message(FATAL_ERROR "two explorations with one seed differ:\n${out1}\n---\n${out2}")
endif()
