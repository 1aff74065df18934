//===- CudaDevice.h - a GpuDevice on an NVIDIA GPU --------------*- C++ -*-===//
//
// The CUDA driver, NVRTC and cuBLAS (all loaded with dlopen): one context
// and stream, kernels compiled by NVRTC for the GPU's exact architecture
// and kept in the on-disk cubin cache, matrix products by cublasGemmEx.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_CUDADEVICE_H
#define SSMC_RUNTIME_GPU_CUDADEVICE_H

#include "runtime/gpu/GpuDevice.h"

namespace ssmrt::gpu {

/// The GPU |ordinal|. Fails with one line saying why when there is no
/// driver, no GPU, an architecture older than sm_80, or no NVRTC or cuBLAS.
StatusOr<std::unique_ptr<GpuDevice>> openCudaDevice(int ordinal);

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_CUDADEVICE_H
