//===- Microbench.h - the device's ceilings, measured ------------*- C++ -*-===//
//
// The rates benchmarks are compared against, measured on the device in the
// same run: copy bandwidth (a large device-to-device copy, bytes read plus
// written per second), special-function throughput (exp2 per second) and
// FP32 throughput (FLOP/s of independent FMA chains), and the time of a
// matrix product through the device's GEMM.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_MICROBENCH_H
#define SSMC_RUNTIME_GPU_MICROBENCH_H

#include "runtime/gpu/GpuDevice.h"

namespace ssmrt::gpu {

struct DeviceCeilings {
  double copyBytesPerSecond = 0;
  double exp2PerSecond = 0;
  double fp32FlopsPerSecond = 0;
};

StatusOr<DeviceCeilings> measureCeilings(GpuDevice &device);

/// Median seconds of Y[rows, out] = X[rows, in] · Wᵀ in |type| (random
/// inputs, f32 output for logits-like products when |f32Out|).
StatusOr<double> gemmSeconds(GpuDevice &device, int64_t rows, int64_t out, int64_t in,
                             ValueType type, bool f32Out);

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_MICROBENCH_H
