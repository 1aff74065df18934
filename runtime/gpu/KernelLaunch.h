//===- KernelLaunch.h - the launch of an artifact kernel ---------*- C++ -*-===//
#ifndef SSMC_RUNTIME_GPU_KERNELLAUNCH_H
#define SSMC_RUNTIME_GPU_KERNELLAUNCH_H

#include "runtime/gpu/GpuDevice.h"

namespace ssmrt::gpu {

/// Tile parameter |name| of |kernel|, as |overrides| may change it; 0 if
/// the kernel has no such parameter.
int64_t tileValue(const CudaKernelDesc &kernel, const std::vector<TileParam> &overrides,
                  const std::string &name);

/// For a Persistent kernel (loaded as |handle|): how many of its blocks fit
/// on the device at once, an error if none does; 0 for other grids.
StatusOr<int64_t> residentBlocks(GpuDevice &device, int handle, const CudaKernelDesc &kernel,
                                 const std::vector<TileParam> &overrides);

/// Grid and block of |kernel| on |batch| x |seq| token rows (docs/artifact.md,
/// "CUDA kernels"); |resident| is how many blocks fit on the device at once
/// (used by persistent grids).
LaunchDims launchDims(const CudaKernelDesc &kernel, const std::vector<TileParam> &overrides,
                      int64_t batch, int64_t seq, int64_t resident);

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_KERNELLAUNCH_H
