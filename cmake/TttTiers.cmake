# Stability tiers (core > contrib > experimental), in the manner of LLVM's experimental targets:
# every library target declares its tier, and a target that links a weaker tier is a configure error.
set_property(GLOBAL PROPERTY TTT_TIERED_TARGETS "")

function(ttt_tier_rank tier out)
  if(tier STREQUAL "core")
    set(${out} 0 PARENT_SCOPE)
  elseif(tier STREQUAL "contrib")
    set(${out} 1 PARENT_SCOPE)
  elseif(tier STREQUAL "experimental")
    set(${out} 2 PARENT_SCOPE)
  else()
    message(FATAL_ERROR "unknown tier '${tier}': use core, contrib or experimental")
  endif()
endfunction()

# ttt_set_tier(<target> <tier>): records the tier a target belongs to.
function(ttt_set_tier target tier)
  ttt_tier_rank(${tier} _rank)
  set_target_properties(${target} PROPERTIES TTT_TIER ${tier})
  set_property(GLOBAL APPEND PROPERTY TTT_TIERED_TARGETS ${target})
endfunction()

# ttt_add_tier_library(<target> <tier> <sources...>): the static library of a tier directory, linking
# `ttt_inference` (core without the testing and profiling layers)
# and with the project root on its include path. A tier may be left without sources (its last module promoted or
# demoted away by `ttt-gov promote`): it is then an INTERFACE library of the same name, so the tree still
# configures and ttt::<tier> stays linkable. TTT_TIER_SCOPE (PUBLIC or INTERFACE) is set in the caller for further
# usage requirements.
function(ttt_add_tier_library target tier)
  string(REGEX REPLACE "^ttt_" "" _export ${target})
  if(ARGN)
    add_library(${target} STATIC ${ARGN})
    set(_scope PUBLIC)
  else()
    add_library(${target} INTERFACE)
    set(_scope INTERFACE)
  endif()
  add_library(ttt::${_export} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${_export})
  target_link_libraries(${target} ${_scope} ttt_inference)
  target_include_directories(${target} ${_scope}
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<INSTALL_INTERFACE:include/ttt>)
  ttt_set_tier(${target} ${tier})
  set(TTT_TIER_SCOPE ${_scope} PARENT_SCOPE)
endfunction()

function(ttt_check_tier_dependencies)
  get_property(_targets GLOBAL PROPERTY TTT_TIERED_TARGETS)
  foreach(_t IN LISTS _targets)
    get_target_property(_tier ${_t} TTT_TIER)
    ttt_tier_rank(${_tier} _rank)
    get_target_property(_links ${_t} LINK_LIBRARIES)
    get_target_property(_ilinks ${_t} INTERFACE_LINK_LIBRARIES)
    foreach(_dep IN LISTS _links _ilinks)
      if(NOT _dep OR NOT TARGET ${_dep})
        continue()
      endif()
      get_target_property(_aliased ${_dep} ALIASED_TARGET)
      if(_aliased)
        set(_dep ${_aliased})
      endif()
      get_target_property(_dep_tier ${_dep} TTT_TIER)
      if(NOT _dep_tier)
        continue()
      endif()
      ttt_tier_rank(${_dep_tier} _dep_rank)
      if(_dep_rank GREATER _rank)
        message(FATAL_ERROR
          "tier violation: ${_t} (tier ${_tier}) links ${_dep} (tier ${_dep_tier}). "
          "A tier may depend only on equal or stronger tiers: move the needed code up a tier "
          "(ttt-gov promote) or move ${_t} down.")
      endif()
    endforeach()
  endforeach()
endfunction()

# Per-ISA kernel files are compiled once per instruction set and chosen at run time.
function(ttt_isa_sources)
  foreach(_src IN LISTS ARGN)
    if(_src MATCHES "_avx512\\.cc$")
      set_source_files_properties(${_src} PROPERTIES COMPILE_OPTIONS
        "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512bf16;-mavx512vnni;-mfma;-mf16c;-mavx2")
    elseif(_src MATCHES "_avx2\\.cc$")
      set_source_files_properties(${_src} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
    endif()
  endforeach()
endfunction()

# ttt_add_gtest(<name> <sources...>): a GoogleTest executable whose cases CTest lists one by one.
# Tests find the fixtures through TTT_FIXTURES_DIR (the copies inside the repository).
function(ttt_add_gtest name)
  add_executable(${name} ${ARGN} ${PROJECT_SOURCE_DIR}/tests/test_main.cc)
  target_link_libraries(${name} PRIVATE ttt::core GTest::gtest GTest::gmock
                        nlohmann_json::nlohmann_json OpenMP::OpenMP_CXX)
  target_compile_definitions(${name} PRIVATE TTT_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()
