# CTest zoo.scaffold_hf: `ttt-gov new-model NAME --hf DIR` scaffolds a model from a Hugging Face folder alone
# (tests/fixtures/qwen2-tiny/hf: config.json, safetensors, tokenizer; its llama.cpp references made beforehand, as
# tools/zoo-reference.sh makes them, in the folder's parent), its refusals are checked, and the scaffold
# configures, builds and passes its tests against the installed library (the fixture zoo.install) without any
# GGUF file or llama.cpp. Arguments: TTT_GOV ROOT WORK PREFIX GENERATOR CTEST.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/zoo)
set(fixture ${ROOT}/tests/fixtures/qwen2-tiny)

function(expect_refusal what)
  execute_process(COMMAND ${TTT_GOV} ${ARGN} --root ${ROOT} --zoo-dir ${WORK}/zoo RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT err MATCHES "${what}")
    message(FATAL_ERROR "ttt-gov ${ARGN}: expected a refusal matching '${what}', got exit ${rc}: ${err}")
  endif()
  message(STATUS "refused as expected: ${err}")
endfunction()

# The Hugging Face folder alone, copied so that no GGUF file is anywhere near it.
file(COPY ${fixture}/hf DESTINATION ${WORK}/model)
file(MAKE_DIRECTORY ${WORK}/model/reference)
file(COPY ${fixture}/reference.json ${fixture}/logits-0.f32 ${fixture}/logits-1.f32 DESTINATION ${WORK}/model/reference)

# Refusals: no config.json, an unsupported model_type, missing references (naming the command that makes them).
file(MAKE_DIRECTORY ${WORK}/empty)
expect_refusal("has no config.json: --hf takes a Hugging Face model folder" new-model m --hf ${WORK}/empty)
file(COPY ${fixture}/hf/model.safetensors DESTINATION ${WORK}/encoder)
file(WRITE ${WORK}/encoder/config.json "{\"model_type\": \"bert\", \"architectures\": [\"BertModel\"]}\n")
expect_refusal("model_type \"bert\" is not one `new-model --hf` scaffolds.*it scaffolds gemma2, gpt2, llama"
               new-model m --hf ${WORK}/encoder)
expect_refusal("no reference logits for ${WORK}/model/hf.*make them with .*/tools/zoo-reference.sh ${WORK}/model/hf ${WORK}/model/hf"
               new-model m --hf ${WORK}/model/hf)
expect_refusal("--reference goes with --hf" new-model m --from llama --reference ${WORK}/model/reference)

execute_process(COMMAND ${TTT_GOV} new-model from_hf --hf ${WORK}/model/hf --reference ${WORK}/model/reference
                        --root ${ROOT} --zoo-dir ${WORK}/zoo
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ttt-gov new-model --hf failed (${rc}): ${out}${err}")
endif()
file(GLOB_RECURSE gguf ${WORK}/*.gguf)
if(gguf)
  message(FATAL_ERROR "a GGUF file in the HF-only scaffold's data: ${gguf}")
endif()

execute_process(COMMAND ${CTEST} --build-and-test ${WORK}/zoo/from_hf ${WORK}/build
                  --build-generator ${GENERATOR}
                  --build-options -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_BUILD_TYPE=Release
                  --test-command ${CTEST} --output-on-failure
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "MODEL_HF = ${WORK}/model/hf \\(the default\\)")
  message(FATAL_ERROR "the HF-only scaffold does not build and pass out of the box (exit ${rc}):\n${out}${err}")
endif()
# Pointed at a directory without references, its configure names the command that makes them.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK}/zoo/from_hf -B ${WORK}/build -DMODEL_REFERENCE=${WORK}/empty
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " err "${err}")
if(rc EQUAL 0 OR NOT err MATCHES "MODEL_REFERENCE .* is ${WORK}/empty .*which has no reference.json.*zoo-reference.sh ${WORK}/model/hf ${WORK}/empty")
  message(FATAL_ERROR "configure with -DMODEL_REFERENCE=${WORK}/empty: expected the refusal naming zoo-reference.sh, "
                      "got exit ${rc}: ${err}")
endif()
message(STATUS "zoo.scaffold_hf: scaffolded from ${WORK}/model/hf, built and tested ${WORK}/zoo/from_hf")
