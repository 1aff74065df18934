//===- EmulatedDevice.cpp - a GpuDevice on the host, for tests ------------===//
#include "EmulatedDevice.h"

#include "runtime/cuda/KernelOptions.h"
#include "runtime/gpu/GpuWeights.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

using namespace ssmc::cudaemu;
using namespace ssmrt;
using namespace ssmrt::gpu;

EmulatedDevice::~EmulatedDevice() {
  for (auto [p, size] : allocations_)
    std::free(reinterpret_cast<void *>(p));
}

StatusOr<DevicePtr> EmulatedDevice::allocate(size_t bytes, const std::string &what) {
  void *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256 + 256);
  if (!p)
    return Status::error("out of host memory allocating " + what);
  std::memset(p, 0, bytes);
  DevicePtr d = reinterpret_cast<DevicePtr>(p);
  allocations_[d] = bytes;
  return d;
}

void EmulatedDevice::release(DevicePtr p) {
  if (allocations_.erase(p))
    std::free(reinterpret_cast<void *>(p));
}

Status EmulatedDevice::upload(DevicePtr dst, const void *src, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return okStatus();
}

Status EmulatedDevice::download(void *dst, DevicePtr src, size_t bytes) {
  std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
  return okStatus();
}

Status EmulatedDevice::copy(DevicePtr dst, DevicePtr src, size_t bytes) {
  std::memmove(reinterpret_cast<void *>(dst), reinterpret_cast<const void *>(src), bytes);
  return okStatus();
}

StatusOr<int> EmulatedDevice::loadKernel(const CudaKernelDesc &kernel,
                                         const std::vector<TileParam> &overrides) {
  std::vector<std::pair<std::string, int64_t>> defines;
  std::string key = kernel.source;
  for (const std::string &option : cuda::kernelOptions(kernel, overrides)) {
    if (option.rfind("-D", 0) != 0)
      continue;
    size_t eq = option.find('=');
    defines.push_back({option.substr(2, eq - 2), std::atoll(option.c_str() + eq + 1)});
    key += "|" + option;
  }
  auto it = loaded_.find(key);
  if (it != loaded_.end())
    return it->second;
  StatusOr<std::unique_ptr<EmulatedKernel>> k =
      EmulatedKernel::compile(kernel.source, kernel.name, defines);
  if (!k.ok())
    return k.status();
  kernels_.push_back(std::move(*k));
  int handle = static_cast<int>(kernels_.size() - 1);
  loaded_[key] = handle;
  return handle;
}

Status EmulatedDevice::launch(int kernel, const LaunchDims &dims,
                              const std::vector<KernelArg> &args, bool cooperative) {
  std::vector<EmuArg> emu;
  for (const KernelArg &a : args) {
    switch (a.kind) {
    case KernelArg::Kind::Pointer: emu.emplace_back(reinterpret_cast<void *>(a.bits)); break;
    case KernelArg::Kind::Int64: emu.emplace_back(static_cast<long long>(a.bits)); break;
    case KernelArg::Kind::Int32:
      emu.emplace_back(static_cast<int>(static_cast<uint32_t>(a.bits)));
      break;
    }
  }
  ++launches_;
  return kernels_[kernel]->launch(Dim3(dims.grid[0], dims.grid[1], dims.grid[2]), Dim3(dims.block),
                                  emu, cooperative);
}

Status EmulatedDevice::gemm(const GemmArgs &g) {
  const void *x = reinterpret_cast<const void *>(g.x), *w = reinterpret_cast<const void *>(g.w);
  std::vector<float> row(g.in), out(g.out);
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t i = 0; i < g.in; ++i)
      row[i] = loadAsFloat(x, r * g.ldx + i, g.inType);
    for (int64_t o = 0; o < g.out; ++o) {
      float acc = 0.0f;
      for (int64_t i = 0; i < g.in; ++i)
        acc += row[i] * loadAsFloat(w, o * g.in + i, g.inType);
      out[o] = acc;
    }
    size_t bytes = valueTypeBytes(g.outType);
    convertFloats(out.data(), g.out, g.outType,
                  reinterpret_cast<uint8_t *>(g.y) + r * g.ldy * bytes);
  }
  return okStatus();
}

Status EmulatedDevice::replay(int graph) {
  return Status::error("the emulated device has no graphs");
}

StatusOr<double> EmulatedDevice::timeMs(const std::function<Status()> &work) {
  auto t0 = std::chrono::steady_clock::now();
  SSMRT_RETURN_IF_ERROR(work());
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
