# CTest tests of the ttt-gov commands on the real repository (included by tools/CMakeLists.txt). The unit tests
# (each refusal on synthetic trees) are core/governance/*_test.cc. governance.promote_alibi configures a copy of
# the tree and compiles what each move touches (a few minutes on 2 cores); the others are fast.
add_test(NAME governance.promote_alibi
  COMMAND ${CMAKE_COMMAND} -DTTT_GOV=$<TARGET_FILE:ttt-gov> -DROOT=${PROJECT_SOURCE_DIR}
    -DWORK=${CMAKE_BINARY_DIR}/governance-promote -P ${CMAKE_CURRENT_LIST_DIR}/promote_alibi_test.cmake)
set_tests_properties(governance.promote_alibi PROPERTIES TIMEOUT 1800)
add_test(NAME governance.pin_refusals
  COMMAND ${CMAKE_COMMAND} -DTTT_GOV=$<TARGET_FILE:ttt-gov> -DROOT=${PROJECT_SOURCE_DIR}
    -P ${CMAKE_CURRENT_LIST_DIR}/pin_refusals_test.cmake)
