# CTest governance.promote_alibi: tier moves are transactions. On a copy of the repository's governed tree
# (everything the library's configure reads, without fixtures, tools or benchmarks), configured once in
# WORK/build, `ttt-gov promote` moves contrib's ALiBi through every tier and back, each move verified in that
# build (`ttt-gov check`, configure, the touched translation units compiled) or rolled back:
#   refusals change nothing (criteria for core; a demotion below a user of the module);
#   a move whose tree does not configure is rolled back byte for byte;
#   contrib -> experimental (contrib left without sources still configures), --undo, again, a refused promotion
#   (time in tier) and --undo anyway, contrib -> community -> contrib, contrib -> core (criteria met) -> contrib;
#   the test scripts that name the module's path (this file) are never rewritten.
# Coverage is not measured here (a coverage build of the whole library is too slow for CI): the copy's policy
# sets min_test_coverage to 0, and core/governance/coverage_test.cc measures it on a small project.
# Arguments: TTT_GOV ROOT WORK.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
foreach(dir cmake core contrib experimental governance hwconfig tests zoo)
  file(COPY ${ROOT}/${dir} DESTINATION ${WORK} PATTERN fixtures EXCLUDE PATTERN build EXCLUDE)
endforeach()
file(COPY ${ROOT}/CMakeLists.txt DESTINATION ${WORK})
file(COPY ${ROOT}/tools/ttt-gov DESTINATION ${WORK}/tools)  # scripts naming the module's path, not built
file(READ ${WORK}/governance/policy.textproto policy)
string(REGEX REPLACE "min_test_coverage: [0-9.]+" "min_test_coverage: 0" policy "${policy}")
file(WRITE ${WORK}/governance/policy.textproto "${policy}")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK} -B ${WORK}/build -DCMAKE_BUILD_TYPE=Release
                  -DTTT_ENABLE_EXPERIMENTAL=ON -DTTT_BUILD_TOOLS=OFF -DTTT_BUILD_BENCH=OFF -DTTT_BUILD_PYTHON=OFF
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the copy does not configure before any move:\n${out}${err}")
endif()

function(run expect_rc)
  execute_process(COMMAND ${TTT_GOV} ${ARGN} --root ${WORK} --build ${WORK}/build
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "ttt-gov ${ARGN}: exit ${rc}, expected ${expect_rc}:\n${out}${err}")
  endif()
  set(OUT "${out}${err}" PARENT_SCOPE)
endfunction()
function(expect what)
  if(NOT OUT MATCHES "${what}")
    message(FATAL_ERROR "expected '${what}' in:\n${OUT}")
  endif()
endfunction()
# One digest of every file of the governed tree (paths and contents): equal digests = nothing changed.
function(tree_digest out)
  file(GLOB_RECURSE files RELATIVE ${WORK} ${WORK}/core/* ${WORK}/contrib/* ${WORK}/experimental/*
       ${WORK}/governance/* ${WORK}/tests/* ${WORK}/tools/*)
  list(SORT files)
  set(all "")
  foreach(f IN LISTS files)
    file(SHA256 ${WORK}/${f} h)
    string(APPEND all "${f} ${h}\n")
  endforeach()
  string(SHA256 digest "${all}")
  set(${out} ${digest} PARENT_SCOPE)
endfunction()
function(set_record_dates_old)  # as if every recorded move were long ago (the time-in-tier criterion)
  file(READ ${WORK}/governance/promotions.textproto records)
  string(REGEX REPLACE "date: \"[0-9-]+\"" "date: \"2020-01-01\"" records "${records}")
  file(WRITE ${WORK}/governance/promotions.textproto "${records}")
endfunction()
file(READ ${CMAKE_CURRENT_LIST_FILE} this_script)

# Refusals change nothing.
tree_digest(start)
run(1 promote ttt/position/alibi --to core --dry-run)
expect("owners: ttt/position/alibi has 1 owner")
expect("perf baseline: tier core requires one")
expect("refused:")
run(1 promote ttt/position/alibi --to experimental)
expect("dependents: tests/integration/mpt_alibi_test.cc:[0-9]+ \\(tier contrib\\) includes contrib/positional/alibi/alibi.h")
tree_digest(now)
if(NOT now STREQUAL start)
  message(FATAL_ERROR "a refused move changed the tree")
endif()
# The integration test's owner drops its use (built without the experimental gate, it cannot use that tier).
file(REMOVE ${WORK}/tests/integration/mpt_alibi_test.cc)

# A move whose tree does not configure is rolled back: contrib planted with a rule that needs ALiBi there.
file(READ ${WORK}/contrib/CMakeLists.txt contrib_cmake)
file(APPEND ${WORK}/contrib/CMakeLists.txt
     "if(NOT EXISTS \${CMAKE_CURRENT_SOURCE_DIR}/positional/alibi/alibi.cc)\n"
     "  message(FATAL_ERROR \"planted: contrib needs ALiBi\")\nendif()\n")
tree_digest(before)
run(1 promote ttt/position/alibi --to experimental)
expect("rolled back, nothing changed: configuring .* failed: .*planted: contrib needs ALiBi")
tree_digest(now)
if(NOT now STREQUAL before)
  message(FATAL_ERROR "a failed move was not rolled back byte for byte")
endif()
file(WRITE ${WORK}/contrib/CMakeLists.txt "${contrib_cmake}")

# contrib -> experimental: contrib is left without sources and still configures; then undone.
tree_digest(before)
run(0 promote ttt/position/alibi --to experimental --reason "end-to-end test")
expect("verified: ttt-gov check: no new problem; .* configures; compiled [1-9][0-9]* touched translation unit\\(s\\): .*experimental/positional/alibi/alibi.cc")
if(NOT EXISTS ${WORK}/experimental/positional/alibi/alibi.h OR EXISTS ${WORK}/contrib/positional)
  message(FATAL_ERROR "the demotion did not move the files")
endif()
run(0 promote --undo)
expect("undo the last move of ttt/position/alibi: experimental -> contrib")
tree_digest(now)
if(NOT now STREQUAL before)
  message(FATAL_ERROR "--undo did not restore the tree as it was before the move")
endif()

# Demoted again, the way back is refused (30 days in experimental), but --undo is always allowed.
run(0 promote ttt/position/alibi --to experimental --reason "end-to-end test")
run(1 promote ttt/position/alibi --to contrib)
expect("time in tier: 0 day\\(s\\) in experimental")
run(0 promote --undo)
run(1 promote --undo)
expect("nothing to undo")

# contrib -> community (same directory) -> contrib.
run(0 promote ttt/position/alibi --to community --reason "end-to-end test")
file(READ ${WORK}/contrib/positional/alibi/module.textproto manifest)
if(NOT manifest MATCHES "tier: COMMUNITY")
  message(FATAL_ERROR "the manifest's tier was not changed:\n${manifest}")
endif()
set_record_dates_old()
run(0 promote ttt/position/alibi --to contrib --reason "end-to-end test")

# contrib -> core, the criteria met on the copy as the module's owners would meet them, and back.
set_record_dates_old()
string(REPLACE "owners: \"ttt-contrib\"" "owners: \"ttt-contrib\"\nowners: \"ttt-core\"" manifest "${manifest}")
string(REPLACE "tier: COMMUNITY" "tier: CONTRIB" manifest "${manifest}")
file(WRITE ${WORK}/contrib/positional/alibi/module.textproto "${manifest}")
file(WRITE ${WORK}/contrib/positional/alibi/perf_baseline.json "{\"tg32_tokens_per_s\": 1}\n")
run(0 promote ttt/position/alibi --to core --reason "used by mpt in the zoo")
expect("core/blocks/positional/alibi/alibi.h")
if(NOT EXISTS ${WORK}/core/blocks/positional/alibi/alibi.h OR EXISTS ${WORK}/contrib/positional/alibi)
  message(FATAL_ERROR "the promotion to core did not move the files")
endif()
file(READ ${WORK}/core/blocks/positional/alibi/alibi_test.cc user)
if(NOT user MATCHES "#include \"core/blocks/positional/alibi/alibi.h\"")
  message(FATAL_ERROR "the module's test still includes the old path after the promotion")
endif()
run(0 promote ttt/position/alibi --to contrib --reason "end-to-end test: back")
if(NOT EXISTS ${WORK}/contrib/positional/alibi/alibi.h OR EXISTS ${WORK}/core/blocks/positional)
  message(FATAL_ERROR "the demotion from core did not move the files back")
endif()
file(READ ${WORK}/tools/ttt-gov/promote_alibi_test.cmake copied_script)
if(NOT copied_script STREQUAL this_script)
  message(FATAL_ERROR "a tier move rewrote a test script that names the module's path")
endif()
