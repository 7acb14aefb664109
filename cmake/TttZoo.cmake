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

# ttt_zoo_data(<var> <default> <doc> [FILES <file>...] [HINT <text>]): the directory of a model's data (weights,
# references) as the cache variable <var>, set in the caller's scope too.
#   - <default> (relative paths are from the model's directory) is used until the user sets <var> (-D<var>=DIR
#     or ccmake); a value the user set is kept. -D<var>= (empty) returns to the default.
#   - The default the value was derived from is remembered (INTERNAL <var>_TTT_DEFAULT): when the CMakeLists is
#     re-pointed (a scaffolded model edited to its own files, a moved data directory), a cached value equal to
#     the old default follows the new one. A plain set(CACHE) would keep the old value and silently test the
#     template's fixtures.
#   - A directory that does not exist, or lacks one of FILES, is a configure error saying what, where and what
#     to try (HINT: how to make the data, e.g. the reference command; `{dir}` in it stands for the directory).
#   - The directory used is printed, with where it came from.
function(ttt_zoo_data var default doc)
  cmake_parse_arguments(PARSE_ARGV 3 _zd "" "HINT" "FILES")
  string(REGEX REPLACE "^ttt_zoo_" "" _model "${PROJECT_NAME}")
  cmake_path(ABSOLUTE_PATH default BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE OUTPUT_VARIABLE _default)
  set(_old_default "$CACHE{${var}_TTT_DEFAULT}")
  set(_from "the default")
  set(_note "")
  if(DEFINED CACHE{${var}})
    # Types a -D value given without one; CMake then makes a relative path absolute (from the working directory).
    set(${var} "" CACHE PATH "${doc}")
  endif()
  if(NOT DEFINED CACHE{${var}} OR "$CACHE{${var}}" STREQUAL "")
    set(_value "${_default}")
  else()
    set(_value "$CACHE{${var}}")
    # A cache entry written before this helper kept no default: one equal to today's counts as the default.
    if(_old_default STREQUAL "")
      set(_old_default "${_default}")
    endif()
    cmake_path(ABSOLUTE_PATH _value BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE OUTPUT_VARIABLE _norm)
    cmake_path(ABSOLUTE_PATH _old_default BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE
               OUTPUT_VARIABLE _old_norm)
    if(_norm STREQUAL _old_norm)
      if(NOT _old_norm STREQUAL _default)
        message(STATUS "zoo model ${_model}: the default of ${var} moved from ${_old_norm} to ${_default}; "
                       "following it (the old value was the old default, not one you set)")
      endif()
      set(_value "${_default}")
    else()
      set(_from "set by you with -D${var} or ccmake")
      set(_note "; the default is ${_default}, -D${var}= returns to it")
    endif()
  endif()
  set(${var} "${_value}" CACHE PATH "${doc}" FORCE)
  set(${var}_TTT_DEFAULT "${_default}" CACHE INTERNAL "the default ${var} was derived from (ttt_zoo_data)")
  set(${var} "${_value}" PARENT_SCOPE)

  string(CONCAT _try "  To use another directory: configure with -D${var}=/path/to/it (or set ${var} in ccmake); "
         "-D${var}= returns to the default, ${_default} (from ${CMAKE_CURRENT_LIST_FILE}).")
  if(_zd_HINT)
    string(REPLACE "{dir}" "${_value}" _hint "${_zd_HINT}")
    string(APPEND _try "\n  ${_hint}")
  endif()
  if(NOT IS_DIRECTORY "${_value}")
    message(FATAL_ERROR "zoo model ${_model}: ${var} (${doc}) is ${_value} (${_from}), which is not a directory.\n"
                        "${_try}")
  endif()
  foreach(_file IN LISTS _zd_FILES)
    if(NOT EXISTS "${_value}/${_file}")
      message(FATAL_ERROR "zoo model ${_model}: ${var} (${doc}) is ${_value} (${_from}), which has no ${_file}.\n"
                          "${_try}")
    endif()
  endforeach()
  message(STATUS "zoo model ${_model}: ${var} = ${_value} (${_from}${_note})")
endfunction()
