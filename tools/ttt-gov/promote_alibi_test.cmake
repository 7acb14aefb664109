# CTest governance.promote_alibi: on a copy of the real repository's governed tree (core/, contrib/,
# experimental/, governance/, tests/ without fixtures), `ttt-gov promote ttt/position/alibi --to core --dry-run`
# refuses with the unmet criteria, then the module is demoted to experimental for real and back to contrib, and
# `ttt-gov check` finds no new problem on the result. Arguments: TTT_GOV ROOT WORK.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
foreach(dir core contrib experimental governance hwconfig tests)
  file(COPY ${ROOT}/${dir} DESTINATION ${WORK} PATTERN fixtures EXCLUDE)
endforeach()
file(COPY ${ROOT}/CMakeLists.txt DESTINATION ${WORK})

function(run expect_rc)
  execute_process(COMMAND ${TTT_GOV} ${ARGN} --root ${WORK} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "ttt-gov ${ARGN}: exit ${rc}, expected ${expect_rc}:\n${out}${err}")
  endif()
  set(OUT "${out}${err}" PARENT_SCOPE)
endfunction()

run(1 promote ttt/position/alibi --to core --dry-run)
foreach(criterion "owners: ttt/position/alibi has 1 owner" "perf baseline: tier core requires one"
                  "coverage: tier core needs line coverage" "refused:")
  if(NOT OUT MATCHES "${criterion}")
    message(FATAL_ERROR "promote --dry-run to core: expected '${criterion}' in:\n${OUT}")
  endif()
endforeach()
if(NOT EXISTS ${WORK}/contrib/positional/alibi/alibi.h)
  message(FATAL_ERROR "a refused promotion changed the tree")
endif()

run(0 promote ttt/position/alibi --to experimental --dry-run)
if(NOT OUT MATCHES "move    contrib/positional/alibi/alibi.h -> experimental/positional/alibi/alibi.h")
  message(FATAL_ERROR "demotion plan lacks the move:\n${OUT}")
endif()
run(0 promote ttt/position/alibi --to experimental --reason "end-to-end test")
if(NOT EXISTS ${WORK}/experimental/positional/alibi/alibi.h OR EXISTS ${WORK}/contrib/positional/alibi)
  message(FATAL_ERROR "the demotion did not move the files")
endif()
file(READ ${WORK}/governance/promotions.textproto records)
if(NOT records MATCHES "to_tier: EXPERIMENTAL")
  message(FATAL_ERROR "no promotion record:\n${records}")
endif()
# Back to contrib: refused at first (contrib needs 30 days in the weaker tier), accepted once the record is old.
run(1 promote ttt/position/alibi --to contrib --coverage 0.9)
if(NOT OUT MATCHES "time in tier: 0 day\\(s\\) in experimental")
  message(FATAL_ERROR "expected the time-in-tier refusal:\n${OUT}")
endif()
string(REGEX REPLACE "date: \"[0-9-]+\"" "date: \"2020-01-01\"" records "${records}")
file(WRITE ${WORK}/governance/promotions.textproto "${records}")
# promote exits 1 when `ttt-gov check` finds a problem the move introduced, so exit 0 means the tree checks.
run(0 promote ttt/position/alibi --to contrib --coverage 0.9)
if(NOT EXISTS ${WORK}/contrib/positional/alibi/alibi.h)
  message(FATAL_ERROR "promotion back to contrib did not move the files")
endif()
