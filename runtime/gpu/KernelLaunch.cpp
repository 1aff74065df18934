//===- KernelLaunch.cpp - the launch of an artifact kernel ----------------===//
#include "runtime/gpu/KernelLaunch.h"

#include <algorithm>

using namespace ssmrt;
using namespace ssmrt::gpu;

namespace {
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
} // namespace

int64_t gpu::tileValue(const CudaKernelDesc &kernel, const std::vector<TileParam> &overrides,
                       const std::string &name) {
  for (const TileParam &o : overrides)
    if (o.name == name)
      return o.value;
  return kernel.param(name);
}

StatusOr<int64_t> gpu::residentBlocks(GpuDevice &device, int handle, const CudaKernelDesc &kernel,
                                      const std::vector<TileParam> &overrides) {
  if (kernel.grid != LaunchGrid::Persistent)
    return int64_t(0);
  StatusOr<int64_t> r = device.residentBlocks(
      handle, static_cast<unsigned>(tileValue(kernel, overrides, kernel.blockParam)));
  if (!r.ok())
    return r.status().withPrefix("kernel '" + kernel.name + "'");
  if (*r < 1)
    return Status::error("kernel '" + kernel.name + "' cannot have a block resident");
  return *r;
}

LaunchDims gpu::launchDims(const CudaKernelDesc &kernel, const std::vector<TileParam> &overrides,
                           int64_t batch, int64_t seq, int64_t resident) {
  LaunchDims dims;
  dims.block = static_cast<unsigned>(tileValue(kernel, overrides, kernel.blockParam));
  switch (kernel.grid) {
  case LaunchGrid::Rows: dims.grid[0] = static_cast<unsigned>(batch * seq); break;
  case LaunchGrid::ChannelBlocks:
    dims.grid[0] = static_cast<unsigned>(
        ceilDiv(kernel.channels, tileValue(kernel, overrides, kernel.gridParam)));
    dims.grid[1] =
        kernel.timeParam.empty()
            ? 1u
            : static_cast<unsigned>(ceilDiv(seq, tileValue(kernel, overrides, kernel.timeParam)));
    dims.grid[2] = static_cast<unsigned>(batch);
    break;
  case LaunchGrid::Attention: // one key slice; GpuFunction spreads decode over more
    dims.grid[0] = static_cast<unsigned>(kernel.channels);
    dims.grid[1] =
        static_cast<unsigned>(ceilDiv(seq, tileValue(kernel, overrides, kernel.timeParam)));
    dims.grid[2] = static_cast<unsigned>(batch);
    break;
  case LaunchGrid::Experts: // a block per token row; GpuFunction::runMoE sets each phase's
    dims.grid[0] = static_cast<unsigned>(batch * seq);
    break;
  case LaunchGrid::Persistent:
    dims.grid[0] = static_cast<unsigned>(
        std::max<int64_t>(1, std::min(resident, ceilDiv(batch * kernel.channels, dims.block))));
    break;
  }
  return dims;
}
