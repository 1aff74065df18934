//===- TunablePrograms.h - programs compiled for ssmc tune ------*- C++ -*-===//
//
// A model compiled as `ssmc tune` needs it: the Program, and for each of
// its CPU kernels what the tuning database keys it by and the
// configurations its family's rules allow (codegen/cpu/CPUTiles.h), the
// compiled one first. (CUDA kernels carry their space in the artifact.)
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_DRIVER_TUNABLEPROGRAMS_H
#define SSMC_CODEGEN_DRIVER_TUNABLEPROGRAMS_H

#include "frontend/Graph.h"
#include "frontend/Source.h"
#include "runtime/artifact/Program.h"
#include "runtime/tuning/TuningDb.h"

#include <string>
#include <vector>

namespace ssmc {

/// CPU kernels at one vector width; per kernel (by index) its signature and
/// its configurations.
struct CpuTunable {
  ssmrt::Program program;
  std::vector<std::string> signatures;
  std::vector<std::vector<ssmrt::TuneConfig>> configs;
};
/// With the compile-time parameters of |compileTime| (vector_width, and
/// family parameters such as the SSD scan's chunk) on every kernel that
/// has them; the defaults for the others.
ssmrt::StatusOr<CpuTunable> compileCpuTunable(const fe::Graph &graph,
                                              const fe::SourceManager &sources,
                                              const ssmrt::TuneConfig &compileTime);

/// The program with CUDA kernels in |dtype| ("bf16", "fp16", "fp32"); each
/// kernel carries its tuning space (gpu::artifactSpaces()).
ssmrt::StatusOr<ssmrt::Program>
compileWithCuda(const fe::Graph &graph, const fe::SourceManager &sources, const std::string &dtype);

} // namespace ssmc

#endif // SSMC_CODEGEN_DRIVER_TUNABLEPROGRAMS_H
