//===- KernelOptions.cpp - how artifact kernels are compiled --------------===//
#include "runtime/cuda/KernelOptions.h"

using namespace ssmrt;

std::vector<std::string> cuda::kernelOptions(const CudaKernelDesc &kernel,
                                             const std::vector<TileParam> &overrides) {
  std::vector<std::string> options = {"-std=c++17", "--use_fast_math"};
  for (const TileParam &p : kernel.params) {
    int64_t value = p.value;
    for (const TileParam &o : overrides)
      if (o.name == p.name)
        value = o.value;
    options.push_back("-D" + p.name + "=" + std::to_string(value));
  }
  return options;
}
