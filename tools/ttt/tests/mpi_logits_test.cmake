# `ttt logits --transport mpi` under mpirun (one process per chip) against the same command in process: the
# logits must be the same bytes. Arguments: TTT (the binary), MPIEXEC, NP (processes), DEVICE, FIXTURES,
# MODELS (comma-separated paths below FIXTURES), WORK (a scratch folder); optional BUDGET (bytes): the MPI
# ranks run with --memory-budget BUDGET, which the same command in one process must exceed and be refused
# (a model bigger than one process's budget loads across ranks, each holding only its shards).
#
# Runs where CI runs: as root (--allow-run-as-root), more processes than cores (--oversubscribe) and no network
# but loopback (the shared-memory and self transports only; no remote launcher).
file(MAKE_DIRECTORY ${WORK})
string(REPLACE "," ";" MODELS "${MODELS}")
set(mpi_flags --allow-run-as-root --oversubscribe --mca btl self,vader --mca plm_rsh_agent false -np ${NP})
set(tokens 1,17,42,99,7,300,5,64)
foreach(model IN LISTS MODELS)
  string(MAKE_C_IDENTIFIER ${model} name)
  set(common logits --model ${FIXTURES}/${model} --device ${DEVICE} --mode performance --tokens ${tokens} --no-cache
      --threads 1)
  execute_process(COMMAND ${TTT} ${common} --out ${WORK}/${name}-inproc.f32
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${model}: ttt logits in process failed (${rc}):\n${err}")
  endif()
  set(budget)
  if(DEFINED BUDGET)
    set(budget --memory-budget ${BUDGET})
    execute_process(COMMAND ${TTT} ${common} ${budget} --out ${WORK}/${name}-refused.f32
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(rc EQUAL 0 OR NOT err MATCHES "over its memory budget" OR NOT err MATCHES "mpirun -np ${NP}")
      message(FATAL_ERROR "${model}: in one process, --memory-budget ${BUDGET} should be refused naming "
                          "mpirun -np ${NP} (${rc}):\n${err}")
    endif()
    if(EXISTS ${WORK}/${name}-refused.f32)
      message(FATAL_ERROR "${model}: the refused run left ${WORK}/${name}-refused.f32 behind")
    endif()
    message(STATUS "${model} on ${DEVICE} in one process, --memory-budget ${BUDGET}: refused; each rank under mpirun "
                   "runs within it")
  endif()
  execute_process(COMMAND ${MPIEXEC} ${mpi_flags} ${TTT} ${common} ${budget} --transport mpi
                          --out ${WORK}/${name}-mpi.f32
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${model}: mpirun -np ${NP} ttt logits --transport mpi failed (${rc}):\n${out}\n${err}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${name}-inproc.f32 ${WORK}/${name}-mpi.f32
                  RESULT_VARIABLE differ)
  if(NOT differ EQUAL 0)
    message(FATAL_ERROR "${model} on ${DEVICE}: the MPI logits (-np ${NP}) differ from the in-process ones")
  endif()
  message(STATUS "${model} on ${DEVICE}, mpirun -np ${NP}: logits bit-identical to the in-process run")
endforeach()
