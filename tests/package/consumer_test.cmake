# CTest package.find_package: configures, builds (2 jobs) and runs the consumer project (consumer/) against the
# installed prefix. -D: SOURCE (consumer/), WORK (its build directory), PREFIX, GENERATOR, HEADERS_ALONE (ON/OFF),
# LAUNCHER (the compiler launcher, e.g. ccache, or empty).
set(_options -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_BUILD_TYPE=Release -DHEADERS_ALONE=${HEADERS_ALONE})
if(LAUNCHER)
  list(APPEND _options -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK} -G ${GENERATOR} ${_options} COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK} -j 2 COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} -E env TTT_DATA_DIR=${PREFIX}/share/ttt ${WORK}/consumer_app
                COMMAND_ERROR_IS_FATAL ANY)
