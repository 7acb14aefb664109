# CTest zoo.reference_tool: what tools/zoo-reference.sh does without llama.cpp (CI never runs llama.cpp): its
# help, and its refusals of a folder without config.json and of a LLAMACPP that is not a llama.cpp checkout, each
# saying what to do. The references it makes were checked by hand (README, "Adding a model").
# Arguments: ROOT WORK.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/empty)
set(tool ${ROOT}/tools/zoo-reference.sh)

function(expect what rc_expected pattern)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL rc_expected OR NOT "${out}${err}" MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: expected exit ${rc_expected} and output matching '${pattern}', got exit ${rc}:\n"
                        "${out}${err}")
  endif()
  message(STATUS "ok: ${what}")
endfunction()

expect("--help" 0 "usage: tools/zoo-reference.sh HF_DIR \\[OUT_DIR\\].*LLAMACPP" ${tool} --help)
expect("no arguments" 2 "usage:" ${tool})
expect("a folder without config.json" 1 "${WORK}/empty has no config.json: give the model's Hugging Face folder"
       ${tool} ${WORK}/empty)
expect("LLAMACPP not a checkout" 1 "LLAMACPP=${WORK}/empty is not a llama.cpp checkout: clone llama.cpp"
       ${CMAKE_COMMAND} -E env LLAMACPP=${WORK}/empty ${tool} ${ROOT}/tests/fixtures/qwen2-tiny/hf ${WORK}/out)
expect("an unknown option" 1 "unknown option --nope" ${tool} --nope)
