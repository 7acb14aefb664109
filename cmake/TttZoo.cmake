# Installed with the ttt package (tttConfig.cmake includes it): what every zoo model's CMakeLists.txt needs.
#
# ttt_zoo_find_pinned(<model.textproto>): reads `library_version: "X.Y.Z"` from the model's manifest (the one
# source of truth for the pin) and requires exactly that version of ttt. A different installed version is a
# configure error naming both versions and how to re-pin. A macro, so the package is found in the caller's scope.
macro(ttt_zoo_find_pinned manifest)
  file(STRINGS "${manifest}" _ttt_pin_line REGEX "^library_version:")
  string(REGEX REPLACE "^library_version: *\"([^\"]+)\".*" "\\1" TTT_PIN "${_ttt_pin_line}")
  if(NOT TTT_PIN MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+$")
    message(FATAL_ERROR "${manifest}: no `library_version: \"X.Y.Z\"` line to pin the library version by")
  endif()
  if(NOT ttt_VERSION VERSION_EQUAL TTT_PIN)
    message(FATAL_ERROR "zoo model ${PROJECT_NAME} is pinned to ttt ${TTT_PIN} (${manifest}) but the ttt found at "
                        "${ttt_DIR} is ${ttt_VERSION}. Re-pin by setting library_version: \"${ttt_VERSION}\" in "
                        "the manifest, or point CMAKE_PREFIX_PATH at an install of ttt ${TTT_PIN}.")
  endif()
  find_package(ttt ${TTT_PIN} EXACT CONFIG REQUIRED)
endmacro()
