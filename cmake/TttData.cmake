# The package's data files (<prefix>/share/ttt): the demo model, the governance registry, policy, releases,
# compatibility results and every module manifest. Each file is installed, and also linked into the build tree
# at the same place (build/share/ttt/...), so that a tool run from the build tree finds its data exactly as an
# installed one does (ttt::PackageDataDir(): <executable>/../share/ttt) - from any working directory, with no
# path compiled in. Links, not copies: an edited manifest is seen at once; an added one re-runs CMake (the globs).
set(TTT_DATA_BUILD_DIR ${CMAKE_BINARY_DIR}/share/ttt)
file(REMOVE_RECURSE ${TTT_DATA_BUILD_DIR})  # no link left behind by a moved manifest

# ttt_package_data(<destination under share/ttt> <files...>): install and link each file there.
function(ttt_package_data destination)
  install(FILES ${ARGN} DESTINATION ${CMAKE_INSTALL_DATADIR}/ttt/${destination})
  file(MAKE_DIRECTORY ${TTT_DATA_BUILD_DIR}/${destination})
  foreach(_file IN LISTS ARGN)
    get_filename_component(_name ${_file} NAME)
    file(CREATE_LINK ${_file} ${TTT_DATA_BUILD_DIR}/${destination}/${_name} SYMBOLIC)
  endforeach()
endfunction()

# The demo model (stories260K with its tokenizer) so that `ttt generate` runs with no flags.
ttt_package_data(demo ${PROJECT_SOURCE_DIR}/tests/fixtures/stories260K/stories260K.bin
                      ${PROJECT_SOURCE_DIR}/tests/fixtures/stories260K/tok512.bin)

# Governance, laid out as in the source tree so that the governance library reads an installed share/ttt as it
# reads a repository: `ttt modules` and `ttt-gov modules` work from any directory.
ttt_package_data(governance ${PROJECT_SOURCE_DIR}/governance/policy.textproto
                            ${PROJECT_SOURCE_DIR}/governance/releases.textproto
                            ${PROJECT_SOURCE_DIR}/governance/MODULES.md
                            ${PROJECT_SOURCE_DIR}/governance/matrix.baseline)
ttt_package_data(governance/compat ${PROJECT_SOURCE_DIR}/governance/compat/matrix.json)
ttt_package_data(. ${PROJECT_SOURCE_DIR}/COMPATIBILITY.md)
set(_tiers core contrib)
if(TTT_ENABLE_EXPERIMENTAL)
  list(APPEND _tiers experimental)
endif()
foreach(_tier IN LISTS _tiers)
  file(GLOB_RECURSE _manifests CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
       ${PROJECT_SOURCE_DIR}/${_tier}/module.textproto)
  foreach(_manifest IN LISTS _manifests)
    get_filename_component(_dir ${_manifest} DIRECTORY)
    ttt_package_data(${_dir} ${PROJECT_SOURCE_DIR}/${_manifest})
  endforeach()
endforeach()
