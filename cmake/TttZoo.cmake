# Installed with the ttt package (tttConfig.cmake includes it): what every zoo model's CMakeLists.txt needs.
#
# ttt_zoo_find_pinned(<model.textproto>): reads `library_version: "X.Y.Z"` from the model's manifest (the one
# source of truth for the pin, changed with `ttt-gov pin MODEL VERSION`) and requires exactly that version:
# find_package(ttt <pin> EXACT CONFIG REQUIRED). A different installed version is a configure error naming both
# versions and the commands to re-pin or to install the pinned release. A macro, so the package is found in the
# caller's scope.
#
# -DTTT_ZOO_PIN_OVERRIDE=X.Y.Z builds the model against another version without editing the pin: the
# compatibility matrix (`ttt-gov matrix`) uses it to try every model on every release.
macro(ttt_zoo_find_pinned manifest)
  file(STRINGS "${manifest}" _ttt_pin_line REGEX "^library_version:")
  string(REGEX REPLACE "^library_version: *\"([^\"]+)\".*" "\\1" TTT_PIN "${_ttt_pin_line}")
  if(NOT TTT_PIN MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+$")
    message(FATAL_ERROR "${manifest}: no `library_version: \"X.Y.Z\"` line to pin the library version by: "
                        "add one, or run `ttt-gov pin <model> <version>`")
  endif()
  get_filename_component(_ttt_zoo_dir "${manifest}" DIRECTORY)
  get_filename_component(_ttt_zoo_model "${_ttt_zoo_dir}" NAME)
  if(TTT_ZOO_PIN_OVERRIDE)
    message(STATUS "zoo model ${_ttt_zoo_model}: pinned to ttt ${TTT_PIN}, built against ${TTT_ZOO_PIN_OVERRIDE} "
                   "(TTT_ZOO_PIN_OVERRIDE)")
    set(TTT_PIN "${TTT_ZOO_PIN_OVERRIDE}")
  endif()
  if(DEFINED ttt_VERSION AND NOT ttt_VERSION VERSION_EQUAL TTT_PIN)
    message(FATAL_ERROR
      "zoo model ${_ttt_zoo_model} is pinned to ttt ${TTT_PIN} (${manifest}) but the ttt found at ${ttt_DIR} is "
      "${ttt_VERSION}.\n"
      "  To move the model to ${ttt_VERSION}: ttt-gov pin ${_ttt_zoo_model} ${ttt_VERSION}\n"
      "  To build it against ${TTT_PIN}: ttt-gov install-release ${TTT_PIN}, then configure with "
      "-DCMAKE_PREFIX_PATH=<the prefix it prints> (the zoo driver in zoo/CMakeLists.txt does this itself).")
  endif()
  find_package(ttt ${TTT_PIN} EXACT CONFIG REQUIRED)
endmacro()
