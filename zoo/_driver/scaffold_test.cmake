# CTest zoo.scaffold: `ttt-gov new-model` scaffolds a model from the llama2c template into a scratch zoo
# directory, its refusals are checked, and the scaffold configures, builds and passes its tests against the
# installed library (the fixture zoo.install), as a model owner would after running the command.
# Arguments: TTT_GOV ROOT WORK PREFIX GENERATOR CTEST.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(expect_refusal what)
  execute_process(COMMAND ${TTT_GOV} ${ARGN} --root ${ROOT} --zoo-dir ${WORK} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT err MATCHES "${what}")
    message(FATAL_ERROR "ttt-gov ${ARGN}: expected a refusal matching '${what}', got exit ${rc}: ${err}")
  endif()
endfunction()

execute_process(COMMAND ${TTT_GOV} new-model scaffolded --from llama2c --root ${ROOT} --zoo-dir ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ttt-gov new-model failed (${rc}): ${out}${err}")
endif()
expect_refusal("already exists" new-model scaffolded --from llama2c)
expect_refusal("is not a zoo model name" new-model 9bad --from llama2c)
expect_refusal("unknown template 'nope': use one of gpt2, llama, llama2c" new-model other --from nope)

expect_refusal("needs either --from TEMPLATE .* or --hf DIR" new-model other)

# The scaffold lives outside the repository: new-model rewrote its data default (the template's, relative to
# zoo/<model>) to reach the repository's fixtures from there, so it configures with no -D.
file(STRINGS ${WORK}/scaffolded/CMakeLists.txt data REGEX "ttt_zoo_data")
if(NOT data MATCHES "ttt_zoo_data\\(STORIES260K_DATA [^ ]*/tests/fixtures/stories260K ")
  message(FATAL_ERROR "the scaffold's data default does not reach the fixtures: ${data}")
endif()
execute_process(COMMAND ${CTEST} --build-and-test ${WORK}/scaffolded ${WORK}/build
                  --build-generator ${GENERATOR}
                  --build-options -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_BUILD_TYPE=Release
                  --test-command ${CTEST} --output-on-failure
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the scaffolded model does not build and pass out of the box (exit ${rc})")
endif()
message(STATUS "zoo.scaffold: scaffolded, built and tested ${WORK}/scaffolded")
