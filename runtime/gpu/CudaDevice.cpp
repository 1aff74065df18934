//===- CudaDevice.cpp - a GpuDevice on an NVIDIA GPU ----------------------===//
#include "runtime/gpu/CudaDevice.h"

#include "runtime/cuda/Context.h"
#include "runtime/cuda/CubinCache.h"
#include "runtime/cuda/CublasSymbols.h"
#include "runtime/cuda/CudaGraph.h"
#include "runtime/cuda/EventTimer.h"
#include "runtime/cuda/KernelOptions.h"
#include "runtime/cuda/Module.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

using namespace ssmrt;
using namespace ssmrt::gpu;
using namespace ssmrt::cuda;

namespace {

/// The runtime's own version, part of every cubin cache key.
constexpr const char *kRuntimeVersion = "ssmc-runtime-1";
constexpr size_t kCublasWorkspace = size_t(32) << 20;

cudaDataType cudaTypeOf(ValueType t) {
  switch (t) {
  case ValueType::BF16: return CUDA_R_16BF;
  case ValueType::F16: return CUDA_R_16F;
  default: return CUDA_R_32F;
  }
}

class CudaDevice final : public GpuDevice {
public:
  CudaDevice(cuda::Context context, cuda::CubinCache cache, const cuda::CublasSymbols *cublas)
      : context_(std::move(context)), cache_(std::move(cache)), cublas_(cublas),
        cu_(context_.driver()) {}
  ~CudaDevice() override;
  Status init();

  std::string describe() const override { return cuda::describe(context_.device()); }
  int multiprocessors() const override { return context_.device().multiprocessorCount; }
  StatusOr<DevicePtr> allocate(size_t bytes, const std::string &what) override;
  void release(DevicePtr p) override { cu_.cuMemFree_v2(p); }
  Status upload(DevicePtr dst, const void *src, size_t bytes) override {
    // In stream order (after the allocation's memset); |src| must outlive it.
    SSMRT_RETURN_IF_ERROR(
        SSMRT_CU_CALL(cu_, cuMemcpyHtoDAsync_v2, dst, src, bytes, context_.stream()));
    return context_.synchronize();
  }
  Status download(void *dst, DevicePtr src, size_t bytes) override {
    SSMRT_RETURN_IF_ERROR(
        SSMRT_CU_CALL(cu_, cuMemcpyDtoHAsync_v2, dst, src, bytes, context_.stream()));
    return context_.synchronize();
  }
  Status copy(DevicePtr dst, DevicePtr src, size_t bytes) override {
    return SSMRT_CU_CALL(cu_, cuMemcpyDtoDAsync_v2, dst, src, bytes, context_.stream());
  }
  StatusOr<int> loadKernel(const CudaKernelDesc &kernel,
                           const std::vector<TileParam> &overrides) override;
  void precompile(const CudaKernelDesc &kernel,
                  const std::vector<std::vector<TileParam>> &configs) override;
  DeviceKey deviceKey() const override;
  StatusOr<int64_t> residentBlocks(int kernel, unsigned threads) override;
  Status launch(int kernel, const LaunchDims &dims, const std::vector<KernelArg> &args,
                bool cooperative) override;
  Status gemm(const GemmArgs &g) override;
  Status synchronize() override { return context_.synchronize(); }
  StatusOr<int> capture(const std::function<Status()> &body) override;
  Status replay(int graph) override { return graphs_[graph].launch(); }
  StatusOr<double> timeMs(const std::function<Status()> &work) override;

private:
  cuda::Context context_;
  cuda::CubinCache cache_;
  const cuda::CublasSymbols *cublas_;
  const cuda::DriverSymbols &cu_;
  cublasHandle_t handle_ = nullptr;
  DevicePtr cublasWorkspace_ = 0;
  std::vector<cuda::Module> modules_;
  std::vector<cuda::Function> functions_;
  std::vector<std::string> names_;
  std::vector<cuda::CudaGraph> graphs_;
  // launch()'s parameter values and the pointers to them, reused so that a
  // launch allocates nothing.
  std::vector<uint64_t> launchValues_;
  std::vector<void *> launchPointers_;
};

CudaDevice::~CudaDevice() {
  graphs_.clear();
  if (handle_)
    cublas_->cublasDestroy_v2(handle_);
  if (cublasWorkspace_)
    cu_.cuMemFree_v2(cublasWorkspace_);
}

Status CudaDevice::init() {
  SSMRT_RETURN_IF_ERROR(SSMRT_CUBLAS_CALL(*cublas_, cublasCreate_v2, &handle_));
  SSMRT_RETURN_IF_ERROR(
      SSMRT_CUBLAS_CALL(*cublas_, cublasSetStream_v2, handle_, context_.stream()));
  // A fixed workspace: cuBLAS must not allocate while a graph is captured.
  StatusOr<DevicePtr> ws = allocate(kCublasWorkspace, "the cuBLAS workspace");
  if (!ws.ok())
    return ws.status();
  cublasWorkspace_ = *ws;
  return SSMRT_CUBLAS_CALL(*cublas_, cublasSetWorkspace_v2, handle_,
                           reinterpret_cast<void *>(cublasWorkspace_), kCublasWorkspace);
}

StatusOr<DevicePtr> CudaDevice::allocate(size_t bytes, const std::string &what) {
  CUdeviceptr p = 0;
  CUresult r = cu_.cuMemAlloc_v2(&p, bytes ? bytes : 1);
  if (r != CUDA_SUCCESS) {
    std::string free;
    if (StatusOr<cuda::MemoryInfo> info = context_.memoryInfo(); info.ok())
      free = " (free: " + std::to_string(info->free >> 20) + " MiB of " +
             std::to_string(info->total >> 20) + " MiB)";
    return Status::error("out of device memory allocating " + std::to_string(bytes >> 20) +
                         " MiB for " + what + free + ": " + cu_.describe(r));
  }
  Status zeroed = SSMRT_CU_CALL(cu_, cuMemsetD8Async, p, 0, bytes, context_.stream());
  if (!zeroed.ok()) {
    cu_.cuMemFree_v2(p);
    return zeroed;
  }
  return static_cast<DevicePtr>(p);
}

void CudaDevice::precompile(const CudaKernelDesc &kernel,
                            const std::vector<std::vector<TileParam>> &configs) {
  // NVRTC compiles on the host: one configuration per core at a time.
  const cuda::DeviceInfo &d = context_.device();
  std::string arch = cuda::archName(d.ccMajor, d.ccMinor);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < configs.size(); i = next++)
      (void)cache_.getOrCompile(kernel.source, kernel.name, arch,
                                cuda::kernelOptions(kernel, configs[i]), kRuntimeVersion);
  };
  std::vector<std::thread> threads;
  size_t n = std::min<size_t>(configs.size(), std::max(1u, std::thread::hardware_concurrency()));
  for (size_t t = 1; t < n; ++t)
    threads.emplace_back(work);
  work();
  for (std::thread &t : threads)
    t.join();
}

DeviceKey CudaDevice::deviceKey() const {
  const cuda::DeviceInfo &d = context_.device();
  return DeviceKey{"cuda",
                   {{"name", d.name},
                    {"arch", cuda::archName(d.ccMajor, d.ccMinor)},
                    {"sms", std::to_string(d.multiprocessorCount)},
                    {"memory", std::to_string(d.totalMemory >> 20) + " MiB"},
                    {"driver", std::to_string(d.driverVersion)},
                    {"nvrtc", cache_.compilerVersion()}}};
}

StatusOr<int> CudaDevice::loadKernel(const CudaKernelDesc &kernel,
                                     const std::vector<TileParam> &overrides) {
  const cuda::DeviceInfo &d = context_.device();
  std::string arch = cuda::archName(d.ccMajor, d.ccMinor);
  StatusOr<std::vector<uint8_t>> cubin = cache_.getOrCompile(
      kernel.source, kernel.name, arch, cuda::kernelOptions(kernel, overrides), kRuntimeVersion);
  if (!cubin.ok())
    return cubin.status();
  StatusOr<cuda::Module> module = cuda::Module::load(context_, *cubin, kernel.name);
  if (!module.ok())
    return module.status();
  StatusOr<cuda::Function> function = module->function(kernel.name);
  if (!function.ok())
    return function.status();
  modules_.push_back(std::move(*module));
  functions_.push_back(*function);
  names_.push_back(kernel.name);
  return static_cast<int>(functions_.size() - 1);
}

StatusOr<int64_t> CudaDevice::residentBlocks(int kernel, unsigned threads) {
  int perSM = 0;
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(cu_, cuOccupancyMaxActiveBlocksPerMultiprocessor, &perSM,
                                      functions_[kernel].handle, static_cast<int>(threads), 0));
  return static_cast<int64_t>(perSM) * context_.device().multiprocessorCount;
}

Status CudaDevice::launch(int kernel, const LaunchDims &dims, const std::vector<KernelArg> &args,
                          bool cooperative) {
  std::vector<uint64_t> &values = launchValues_;
  std::vector<void *> &pointers = launchPointers_;
  values.resize(args.size());
  pointers.resize(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    values[i] = args[i].bits; // an Int32 is read from the low 4 bytes
    pointers[i] = &values[i];
  }
  CUfunction f = functions_[kernel].handle;
  if (cooperative)
    return SSMRT_CU_CALL(cu_, cuLaunchCooperativeKernel, f, dims.grid[0], dims.grid[1],
                         dims.grid[2], dims.block, 1, 1, 0, context_.stream(), pointers.data());
  return SSMRT_CU_CALL(cu_, cuLaunchKernel, f, dims.grid[0], dims.grid[1], dims.grid[2], dims.block,
                       1, 1, 0, context_.stream(), pointers.data(), nullptr);
}

Status CudaDevice::gemm(const GemmArgs &g) {
  const float alpha = 1.0f, beta = 0.0f;
  return SSMRT_CUBLAS_CALL(
      *cublas_, cublasGemmEx, handle_, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(g.out),
      static_cast<int>(g.rows), static_cast<int>(g.in), &alpha, reinterpret_cast<void *>(g.w),
      cudaTypeOf(g.inType), static_cast<int>(g.in), reinterpret_cast<void *>(g.x),
      cudaTypeOf(g.inType), static_cast<int>(g.ldx), &beta, reinterpret_cast<void *>(g.y),
      cudaTypeOf(g.outType), static_cast<int>(g.ldy), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
}

StatusOr<int> CudaDevice::capture(const std::function<Status()> &body) {
  StatusOr<cuda::CudaGraph> graph = cuda::CudaGraph::capture(context_, body);
  if (!graph.ok())
    return graph.status();
  graphs_.push_back(std::move(*graph));
  return static_cast<int>(graphs_.size() - 1);
}

StatusOr<double> CudaDevice::timeMs(const std::function<Status()> &work) {
  StatusOr<cuda::EventTimer> timer = cuda::EventTimer::create(context_);
  if (!timer.ok())
    return timer.status();
  SSMRT_RETURN_IF_ERROR(timer->start());
  SSMRT_RETURN_IF_ERROR(work());
  SSMRT_RETURN_IF_ERROR(timer->stop());
  StatusOr<float> ms = timer->elapsedMs();
  if (!ms.ok())
    return ms.status();
  return static_cast<double>(*ms);
}

} // namespace

StatusOr<std::unique_ptr<GpuDevice>> gpu::openCudaDevice(int ordinal) {
  StatusOr<cuda::Context> context = cuda::Context::create(ordinal);
  if (!context.ok())
    return context.status();
  const cuda::DeviceInfo &d = context->device();
  if (d.ccMajor < 8)
    return Status::error(cuda::describe(d) + " is older than sm_80 (Ampere), the oldest GPU "
                                             "the generated kernels support");
  StatusOr<cuda::CubinCache> cache = cuda::CubinCache::openDefault();
  if (!cache.ok())
    return cache.status();
  StatusOr<const cuda::CublasSymbols *> cublas = cuda::CublasSymbols::load();
  if (!cublas.ok())
    return cublas.status();
  auto device = std::make_unique<CudaDevice>(std::move(*context), std::move(*cache), *cublas);
  SSMRT_RETURN_IF_ERROR(device->init());
  return std::unique_ptr<GpuDevice>(std::move(device));
}
