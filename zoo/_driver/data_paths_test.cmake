# CTest zoo.data_paths: ttt_zoo_data (cmake/TttZoo.cmake) on a scratch model project reconfigured in one build
# directory, as a model owner does: the data path follows a re-pointed default (a model re-scaffolded from another
# template, or its CMakeLists edited to its own files: a plain set(CACHE) kept the old template's fixtures), a value
# set with -D is kept until -DVAR= returns to the default, and a missing directory or file is refused with what,
# where and what to try. No compiler: the project has LANGUAGES NONE.
# Arguments: TTT_ZOO_CMAKE (the file under test) WORK GENERATOR.
file(REMOVE_RECURSE ${WORK})
set(src ${WORK}/zoo/scratch)
set(build ${WORK}/build)
foreach(dir fixtures/a fixtures/b mine)
  file(WRITE ${WORK}/${dir}/reference.json "{}\n")
endforeach()
file(MAKE_DIRECTORY ${WORK}/no-reference)

# The scratch model's CMakeLists, its data default `default` (relative to the model directory, as the zoo's are).
function(write_model default)
  file(WRITE ${src}/CMakeLists.txt
    "cmake_minimum_required(VERSION 3.25)\n"
    "project(ttt_zoo_scratch LANGUAGES NONE)\n"
    "include(${TTT_ZOO_CMAKE})\n"
    "ttt_zoo_data(MODEL_DATA \${CMAKE_CURRENT_SOURCE_DIR}/${default} \"scratch files\" FILES reference.json\n"
    "             HINT \"make them with: make-references HF {dir}\")\n"
    "file(WRITE \${CMAKE_BINARY_DIR}/used.txt \"\${MODEL_DATA}\")\n")
endfunction()

# Configures ${build} with the extra arguments; sets `out` (stdout and stderr) and `rc` in the caller.
function(configure)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${src} -B ${build} -G ${GENERATOR} ${ARGN}
                  RESULT_VARIABLE r OUTPUT_VARIABLE o ERROR_VARIABLE e)
  set(rc ${r} PARENT_SCOPE)
  string(REGEX REPLACE "[ \n]+" " " o "${o}${e}")  # CMake wraps the lines of an error message
  set(out "${o}" PARENT_SCOPE)
endfunction()

# Configures and checks that the data directory used is `expected` and the output matches `pattern`.
function(expect_used what expected pattern)
  configure(${ARGN})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what}: configure failed (${rc}):\n${out}")
  endif()
  file(READ ${build}/used.txt used)
  if(NOT used STREQUAL expected)
    message(FATAL_ERROR "${what}: MODEL_DATA is ${used}, expected ${expected}\n${out}")
  endif()
  if(NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: the output does not match '${pattern}':\n${out}")
  endif()
  message(STATUS "ok: ${what}")
endfunction()

function(expect_refused what pattern)
  configure(${ARGN})
  if(rc EQUAL 0 OR NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: expected a configure error matching '${pattern}', got exit ${rc}:\n${out}")
  endif()
  message(STATUS "ok: ${what}")
endfunction()

write_model(../../fixtures/a)
expect_used("the default, printed" ${WORK}/fixtures/a "MODEL_DATA = ${WORK}/fixtures/a \\(the default\\)")
# Re-pointed (the model re-scaffolded from another template in the same place, or edited to its own files): the
# cached value was the old default, so it follows the new one.
write_model(../../fixtures/b)
expect_used("a re-pointed default is followed" ${WORK}/fixtures/b "moved from ${WORK}/fixtures/a")
# A value the user set is kept, through a re-pointed default too, until -DMODEL_DATA= returns to the default.
expect_used("-D is used" ${WORK}/mine "set by you" -DMODEL_DATA=${WORK}/mine)
write_model(../../fixtures/a)
expect_used("-D is kept when the default moves" ${WORK}/mine "the default is ${WORK}/fixtures/a")
expect_used("-D is kept on a plain reconfigure" ${WORK}/mine "set by you")
expect_used("-DMODEL_DATA= returns to the default" ${WORK}/fixtures/a "\\(the default\\)" -DMODEL_DATA=)
# Refusals: what (the variable and its value), where (the CMakeLists with the default), what to try.
expect_refused("a missing directory is refused"
  "MODEL_DATA \\(scratch files\\) is ${WORK}/gone \\(set by you.*which is not a directory.*-DMODEL_DATA=/path/to/it.*CMakeLists.txt"
  -DMODEL_DATA=${WORK}/gone)
expect_refused("a directory without reference.json is refused, with the hint"
  "is ${WORK}/no-reference .*which has no reference.json.*make them with: make-references HF ${WORK}/no-reference"
  -DMODEL_DATA=${WORK}/no-reference)
file(REMOVE_RECURSE ${WORK}/fixtures/a)
expect_refused("a default that no longer exists is refused" "is ${WORK}/fixtures/a \\(the default\\), which is not a directory"
  -DMODEL_DATA=)
message(STATUS "zoo.data_paths: every case passed")
