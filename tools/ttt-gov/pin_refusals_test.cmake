# CTest governance.pin_refusals: `ttt-gov pin` and `ttt-gov release` refuse bad input on the real repository
# without changing it (each refusal exits 1 and says what to do). Arguments: TTT_GOV ROOT.
function(expect_refusal what)
  execute_process(COMMAND ${TTT_GOV} ${ARGN} --root ${ROOT} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 1 OR NOT "${out}${err}" MATCHES "${what}")
    message(FATAL_ERROR "ttt-gov ${ARGN}: expected exit 1 and '${what}', got ${rc}:\n${out}${err}")
  endif()
endfunction()
expect_refusal("no zoo model 'no_such_model'" pin no_such_model 2.0.0)
expect_refusal("ttt 0.0.1 is neither a recorded release" pin llama 0.0.1)
expect_refusal("is not a release version" release 2.0)
expect_refusal("release 2.0.0 is already recorded" release 2.0.0)
expect_refusal("knows no commit" release 9.9.9 --commit 0000000000000000000000000000000000000000)
