//===- KernelOptions.h - how artifact kernels are compiled -------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_KERNELOPTIONS_H
#define SSMC_RUNTIME_CUDA_KERNELOPTIONS_H

#include "runtime/artifact/Program.h"

#include <string>
#include <vector>

namespace ssmrt::cuda {

/// The NVRTC options of |kernel| (docs/artifact.md, "CUDA kernels"): C++17,
/// fast math (exp2f is one ex2.approx), and -D<name>=<value> for every tile
/// parameter, its value taken from |overrides| where that names it.
std::vector<std::string> kernelOptions(const CudaKernelDesc &kernel,
                                       const std::vector<TileParam> &overrides = {});

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_KERNELOPTIONS_H
