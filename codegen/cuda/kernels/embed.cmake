# Writes OUTPUT: a C++ table of the kernel sources INPUTS (file name and
# text as a raw string literal), so the compiler carries them.
#   cmake -DOUTPUT=out.inc -DINPUTS="a.cuh|b.cuh" -P embed.cmake
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(text "// Generated from codegen/cuda/kernels/*.cuh by embed.cmake; do not edit.\n")
foreach(input ${INPUTS})
  file(READ ${input} source)
  get_filename_component(name ${input} NAME)
  string(APPEND text "{\"${name}\", R\"ssmc_cuh(${source})ssmc_cuh\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
file(REMOVE ${OUTPUT}.tmp)
