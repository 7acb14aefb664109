# CTest tests of the ttt-gov commands on the real repository (included by tools/CMakeLists.txt). Fast: no
# library build. The unit tests (each refusal on synthetic trees) are core/governance/*_test.cc.
add_test(NAME governance.promote_alibi
  COMMAND ${CMAKE_COMMAND} -DTTT_GOV=$<TARGET_FILE:ttt-gov> -DROOT=${PROJECT_SOURCE_DIR}
    -DWORK=${CMAKE_BINARY_DIR}/governance-promote -P ${CMAKE_CURRENT_LIST_DIR}/promote_alibi_test.cmake)
add_test(NAME governance.pin_refusals
  COMMAND ${CMAKE_COMMAND} -DTTT_GOV=$<TARGET_FILE:ttt-gov> -DROOT=${PROJECT_SOURCE_DIR}
    -P ${CMAKE_CURRENT_LIST_DIR}/pin_refusals_test.cmake)
