# Installs the library as a CMake package: find_package(ttt 2.1.0 CONFIG) gives ttt::core, ttt::proto,
# ttt::contrib (and ttt::experimental when built). Zoo models consume only this installed package.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# ttt::core is an interface target over the layer libraries (core/CMakeLists.txt), installed with it.
set(_ttt_install_targets ttt_proto ${TTT_CORE_LAYER_TARGETS} ttt_core ttt_contrib)
if(TTT_ENABLE_EXPERIMENTAL)
  list(APPEND _ttt_install_targets ttt_experimental)
endif()
install(TARGETS ${_ttt_install_targets} EXPORT tttTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION include/ttt)

# Public headers only: anything under an internal/ or detail/ folder is not API and is not installed.
foreach(_tier core contrib experimental)
  if(_tier STREQUAL "experimental" AND NOT TTT_ENABLE_EXPERIMENTAL)
    continue()
  endif()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${_tier}/ DESTINATION include/ttt/${_tier}
    FILES_MATCHING PATTERN "*.h"
    PATTERN "internal" EXCLUDE PATTERN "detail" EXCLUDE
    PATTERN "governance" EXCLUDE)  # core/governance: ttt-gov's own library, not installed
endforeach()
install(DIRECTORY ${CMAKE_BINARY_DIR}/gen/ DESTINATION include/ttt FILES_MATCHING PATTERN "*.pb.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/ DESTINATION include/ttt/core FILES_MATCHING PATTERN "*.proto")

# The demo model (stories260K with its tokenizer) so that an installed `ttt generate` runs with no flags.
install(FILES ${PROJECT_SOURCE_DIR}/tests/fixtures/stories260K/stories260K.bin
              ${PROJECT_SOURCE_DIR}/tests/fixtures/stories260K/tok512.bin DESTINATION share/ttt/demo)

install(EXPORT tttTargets NAMESPACE ttt:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ttt)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tttConfig.cmake.in
  ${CMAKE_BINARY_DIR}/tttConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ttt)
# A model pins an exact version; minor releases of the same major are compatible otherwise.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/tttConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/tttConfig.cmake ${CMAKE_BINARY_DIR}/tttConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/TttZoo.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ttt)
