# ssmc_add_gtest(name SOURCES a.cpp ... LIBS lib ...): a GoogleTest binary
# under build/test/unit, one ctest entry, run with the source and build
# directories in its environment.
function(ssmc_add_gtest name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${SSMC_WARNING_FLAGS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/test/unit)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "SSMC_SOURCE_DIR=${SSMC_SOURCE_DIR};SSMC_BINARY_DIR=${SSMC_BINARY_DIR};SSMC_MODELS_DIR=${SSMC_SOURCE_DIR}/models")
endfunction()
