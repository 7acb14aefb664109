# Installs the library as a CMake package and a pkg-config one. find_package(ttt 2.1.0 CONFIG) gives
#   ttt::inference  load and run models: every core layer but testing (links neither the TestSuite nor governance)
#   ttt::testing    the TestSuite and reference models (core/testing), over ttt::inference
#   ttt::core       both; ttt::contrib (over ttt::inference); ttt::experimental when built; ttt::proto, the layers
# and pkg-config gives ttt (ttt::inference and ttt::contrib) and ttt-testing. Zoo models consume only this package.
# core/governance is ttt-gov's own library and is not installed; its data is (cmake/TttData.cmake).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_ttt_install_targets ttt_proto ${TTT_CORE_LAYER_TARGETS} ttt_core ttt_inference ttt_contrib)
if(TTT_ENABLE_EXPERIMENTAL)
  list(APPEND _ttt_install_targets ttt_experimental)
endif()
install(TARGETS ${_ttt_install_targets} EXPORT tttTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION include/ttt)

# Public headers only. Not API, not installed: internal/ and detail/ folders; core/governance (ttt-gov's); the
# kernels compiled per instruction set (core/kernels/{avx2,avx512,generic,simd}: they need -mavx2/-mavx512*
# and are reached through kernel_table.h). CTest package.find_package compiles every installed header alone.
# Component `headers` (the hand-written headers and the .proto files, no build needed): `ttt-gov api-diff`
# installs HEAD's public API with `cmake --install build --component headers` (core/governance/api_verdict.h, PublicHeaders).
foreach(_tier core contrib experimental)
  if(_tier STREQUAL "experimental" AND NOT TTT_ENABLE_EXPERIMENTAL)
    continue()
  endif()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${_tier}/ DESTINATION include/ttt/${_tier} COMPONENT headers
    FILES_MATCHING PATTERN "*.h"
    PATTERN "internal" EXCLUDE PATTERN "detail" EXCLUDE
    REGEX "/core/governance$" EXCLUDE
    REGEX "/core/kernels/(avx2|avx512|generic|simd)$" EXCLUDE)
endforeach()
install(DIRECTORY ${CMAKE_BINARY_DIR}/gen/core/ DESTINATION include/ttt/core FILES_MATCHING PATTERN "*.pb.h"
        REGEX "/governance$" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/ DESTINATION include/ttt/core COMPONENT headers
        FILES_MATCHING PATTERN "*.proto" REGEX "/governance$" EXCLUDE)
install(FILES ${CMAKE_BINARY_DIR}/gen/core/version.h DESTINATION include/ttt/core)

install(EXPORT tttTargets NAMESPACE ttt:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ttt)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tttConfig.cmake.in
  ${CMAKE_BINARY_DIR}/tttConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ttt)
# A model pins an exact version; minor releases of the same major are compatible otherwise.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/tttConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/tttConfig.cmake ${CMAKE_BINARY_DIR}/tttConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/TttZoo.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ttt)

# pkg-config: the libraries are static, so everything they use is in Libs/Requires (not the .private fields).
# Link order is highest layer first.
set(TTT_PC_INFERENCE_LIBS "")
foreach(_target IN LISTS TTT_CORE_LAYER_TARGETS)
  if(NOT _target STREQUAL "ttt_testing")
    string(PREPEND TTT_PC_INFERENCE_LIBS "-l${_target} ")
  endif()
endforeach()
string(APPEND TTT_PC_INFERENCE_LIBS "-lttt_proto")
if(TTT_SANITIZE)
  string(APPEND TTT_PC_INFERENCE_LIBS " -fsanitize=address,undefined")  # the instrumented libraries need the runtimes
endif()
file(RELATIVE_PATH TTT_PC_PREFIX_FROM_PCDIR /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(${PROJECT_SOURCE_DIR}/cmake/ttt.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/ttt.pc @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/cmake/ttt-testing.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/ttt-testing.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/pkgconfig/ttt.pc ${CMAKE_BINARY_DIR}/pkgconfig/ttt-testing.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
