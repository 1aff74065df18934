//===- GpuTest.cpp - kernels on a real GPU (skipped without one) ----------===//
//
// Everything here needs a GPU and NVRTC; each test skips with "no CUDA GPU:
// <reason>" otherwise. Kernels are compiled for the device's own
// architecture through a cubin cache in a temporary directory.
//
//===----------------------------------------------------------------------===//
#include "CudaTestSupport.h"

#include "runtime/cuda/Context.h"
#include "runtime/cuda/CubinCache.h"
#include "runtime/cuda/CublasSymbols.h"
#include "runtime/cuda/CudaGraph.h"
#include "runtime/cuda/DeviceBuffer.h"
#include "runtime/cuda/EventTimer.h"
#include "runtime/cuda/Module.h"
#include "runtime/cuda/NvrtcCompiler.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>

using namespace ssmrt;
using namespace ssmrt::cuda;
using ssmrt::cuda::test::kSaxpySource;
using ssmrt::cuda::test::TempDir;

namespace {

/// Declares |name| from a StatusOr expression, failing the test on error.
#define ASSIGN_OR_FAIL(name, expr)                                                                 \
  auto name##OrError = (expr);                                                                     \
  ASSERT_TRUE(name##OrError.ok()) << name##OrError.status().message();                             \
  auto name = std::move(*name##OrError)

class GpuTest : public ::testing::Test {
protected:
  void SetUp() override {
    SSMRT_SKIP_WITHOUT_GPU();
    SSMRT_SKIP_WITHOUT_NVRTC();
    StatusOr<Context> created = Context::create(0);
    ASSERT_TRUE(created.ok()) << created.status().message();
    context.emplace(std::move(*created));
    arch = archName(context->device().ccMajor, context->device().ccMinor);
  }

  /// Compiles |source| for this GPU through a fresh cache and loads it.
  StatusOr<Module> load(const char *source, const std::string &name) {
    StatusOr<CubinCompiler> nvrtc = nvrtcCubinCompiler();
    if (!nvrtc.ok())
      return nvrtc.status();
    CubinCompiler counting = *nvrtc;
    counting.compile = [this, compile = nvrtc->compile](
                           const std::string &source, const std::string &name,
                           const std::string &arch, const std::vector<std::string> &options) {
      ++compilations;
      return compile(source, name, arch, options);
    };
    StatusOr<CubinCache> cache = CubinCache::open(cacheDir.path() + "/cuda", std::move(counting));
    if (!cache.ok())
      return cache.status();
    StatusOr<std::vector<uint8_t>> cubin =
        cache->getOrCompile(source, name, arch, {"--use_fast_math"}, "gpu-test");
    if (!cubin.ok())
      return cubin.status();
    return Module::load(*context, *cubin, name);
  }

  /// y = a*x + y on the stream, one thread per element.
  Status launchSaxpy(const Function &saxpy, float &a, DeviceBuffer &x, DeviceBuffer &y, int &n) {
    Dim3 grid{unsigned((n + 255) / 256)}, block{256};
    return launch(*context, saxpy, grid, block, 0, {&a, x.argument(), y.argument(), &n});
  }

  /// A device copy of |values|.
  StatusOr<DeviceBuffer> buffer(const std::vector<float> &values) {
    StatusOr<DeviceBuffer> buffer = DeviceBuffer::allocate(*context, values.size() * sizeof(float));
    if (!buffer.ok())
      return buffer;
    SSMRT_RETURN_IF_ERROR(buffer->upload(values.data(), values.size() * sizeof(float)));
    return buffer;
  }

  std::vector<float> download(const DeviceBuffer &buffer) {
    std::vector<float> values(buffer.size() / sizeof(float));
    Status st = buffer.download(values.data(), buffer.size());
    EXPECT_TRUE(st.ok()) << st.message();
    return values;
  }

  std::optional<Context> context;
  std::string arch;
  /// NVRTC compilations done by load().
  int compilations = 0;
  TempDir cacheDir;
};

TEST_F(GpuTest, DeviceInfo) {
  const DeviceInfo &device = context->device();
  std::printf("GPU 0: %s\n", describe(device).c_str());
  EXPECT_FALSE(device.name.empty());
  EXPECT_GE(device.ccMajor, 7);
  EXPECT_GT(device.totalMemory, size_t(1) << 30);
  EXPECT_GE(device.driverVersion, 12000);
  StatusOr<MemoryInfo> memory = context->memoryInfo();
  ASSERT_TRUE(memory.ok());
  EXPECT_GT(memory->free, 0u);
  EXPECT_LE(memory->free, memory->total);
}

TEST_F(GpuTest, SaxpyFromCachedCubin) {
  ASSIGN_OR_FAIL(module, load(kSaxpySource, "saxpy"));
  // The second load hits the cache.
  ASSIGN_OR_FAIL(again, load(kSaxpySource, "saxpy"));
  EXPECT_EQ(compilations, 1);
  ASSIGN_OR_FAIL(saxpy, module.function("saxpy"));

  int n = 1000003; // not a multiple of the block size
  std::vector<float> x(n), y(n);
  for (int i = 0; i < n; ++i) {
    x[i] = float(i % 1000) * 0.5f;
    y[i] = float(i % 7) - 3.0f;
  }
  ASSIGN_OR_FAIL(dx, buffer(x));
  ASSIGN_OR_FAIL(dy, buffer(y));
  float a = 2.5f;
  Status launched = launchSaxpy(saxpy, a, dx, dy, n);
  ASSERT_TRUE(launched.ok()) << launched.message();
  std::vector<float> result = download(dy);
  for (int i = 0; i < n; ++i)
    ASSERT_NEAR(result[i], a * x[i] + y[i], 1e-6f * (1 + std::fabs(a * x[i]))) << i;
}

TEST_F(GpuTest, PtxIsCompiledByTheDriver) {
  StatusOr<CompiledKernel> ptx = compile(kSaxpySource, "saxpy", arch, {}, /*wantCubin=*/false);
  ASSERT_TRUE(ptx.ok()) << ptx.status().message();
  StatusOr<Module> module = Module::load(*context, ptx->ptx.c_str(), "saxpy-ptx");
  ASSERT_TRUE(module.ok()) << module.status().message();
  EXPECT_TRUE(module->function("saxpy").ok());
}

TEST_F(GpuTest, LoadErrorsAreStatuses) {
  std::vector<uint8_t> junk = {0x7f, 'E', 'L', 'F', 0, 0, 0, 0, 1, 2, 3, 4};
  StatusOr<Module> bad = Module::load(*context, junk, "junk");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("module 'junk': cuModuleLoadDataEx: "
                                         "CUDA_ERROR_",
                                         0),
            0u)
      << bad.status().message();

  ASSIGN_OR_FAIL(module, load(kSaxpySource, "saxpy"));
  StatusOr<Function> missing = module.function("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "module 'saxpy': kernel 'nope': cuModuleGetFunction: "
                                        "CUDA_ERROR_NOT_FOUND (named symbol not found)");
}

TEST_F(GpuTest, OutOfMemoryIsExplained) {
  const size_t huge = size_t(1) << 50; // 1 PiB
  StatusOr<DeviceBuffer> buffer = DeviceBuffer::allocate(*context, huge);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().message().rfind(
                "out of device memory allocating 1125899906842624 bytes (free: ", 0),
            0u)
      << buffer.status().message();
}

TEST_F(GpuTest, CopiesAreBoundsChecked) {
  ASSIGN_OR_FAIL(small, buffer({1, 2, 3, 4}));
  float host[8] = {};
  Status st = small.upload(host, sizeof(host));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "upload of 32 bytes at offset 0 overruns a 16-byte device buffer");
  ASSERT_TRUE(small.fill(0).ok());
  EXPECT_EQ(download(small), std::vector<float>(4, 0.0f));
}

TEST_F(GpuTest, DynamicSharedMemoryAboveTheDefault) {
  const char *source = R"(
extern "C" __global__ void reverse(const float *in, float *out, int n) {
  extern __shared__ float tile[];
  for (int i = threadIdx.x; i < n; i += blockDim.x)
    tile[i] = in[i];
  __syncthreads();
  for (int i = threadIdx.x; i < n; i += blockDim.x)
    out[i] = tile[n - 1 - i];
}
)";
  const int bytes = 100 << 10;
  if (context->device().maxSharedMemoryPerBlockOptin < bytes)
    GTEST_SKIP() << "the device offers less than 100 KiB per block";
  ASSIGN_OR_FAIL(module, load(source, "reverse"));
  ASSIGN_OR_FAIL(reverse, module.function("reverse"));
  int n = bytes / sizeof(float);
  std::vector<float> values(n);
  for (int i = 0; i < n; ++i)
    values[i] = float(i);
  ASSIGN_OR_FAIL(in, buffer(values));
  ASSIGN_OR_FAIL(out, buffer(std::vector<float>(n, 0.0f)));
  std::vector<void *> args = {in.argument(), out.argument(), &n};

  Status refused = launch(*context, reverse, {1}, {256}, bytes, args);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.message().rfind("kernel 'reverse': cuLaunchKernel: ", 0), 0u)
      << refused.message();

  ASSERT_TRUE(setMaxDynamicSharedMemory(*context, reverse, bytes).ok());
  Status launched = launch(*context, reverse, {1}, {256}, bytes, args);
  ASSERT_TRUE(launched.ok()) << launched.message();
  std::vector<float> reversed = download(out);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(reversed[i], float(n - 1 - i)) << i;
}

TEST_F(GpuTest, OtherThreadsMakeTheContextCurrent) {
  Status status;
  std::vector<float> copied;
  std::thread worker([&] {
    status = context->makeCurrent();
    if (!status.ok())
      return;
    StatusOr<DeviceBuffer> b = buffer({5, 6, 7});
    if (!b.ok()) {
      status = b.status();
      return;
    }
    copied = download(*b);
  });
  worker.join();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(copied, (std::vector<float>{5, 6, 7}));
}

TEST_F(GpuTest, EventTiming) {
  ASSIGN_OR_FAIL(module, load(kSaxpySource, "saxpy"));
  ASSIGN_OR_FAIL(saxpy, module.function("saxpy"));
  int n = 1 << 24;
  ASSIGN_OR_FAIL(x, buffer(std::vector<float>(n, 1.0f)));
  ASSIGN_OR_FAIL(y, buffer(std::vector<float>(n, 0.0f)));
  float a = 1.0f;
  ASSIGN_OR_FAIL(timer, EventTimer::create(*context));
  ASSERT_TRUE(timer.start().ok());
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(launchSaxpy(saxpy, a, x, y, n).ok());
  ASSERT_TRUE(timer.stop().ok());
  StatusOr<float> ms = timer.elapsedMs();
  ASSERT_TRUE(ms.ok()) << ms.status().message();
  // 10 passes over 3 * 64 MiB: well above a microsecond, well below seconds.
  std::printf("10 saxpy launches on 2^24 floats: %.3f ms\n", *ms);
  EXPECT_GT(*ms, 0.001f);
  EXPECT_LT(*ms, 5000.0f);
  EXPECT_EQ(download(y)[12345], 10.0f);
}

TEST_F(GpuTest, GraphCapturesTwoLaunchesAndReplays) {
  ASSIGN_OR_FAIL(module, load(kSaxpySource, "saxpy"));
  ASSIGN_OR_FAIL(saxpy, module.function("saxpy"));
  int n = 4096;
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i)
    x[i] = float(i);
  ASSIGN_OR_FAIL(dx, buffer(x));
  ASSIGN_OR_FAIL(dy, buffer(std::vector<float>(n, 1.0f)));
  float a = 0.5f;
  StatusOr<CudaGraph> graph = CudaGraph::capture(*context, [&] {
    SSMRT_RETURN_IF_ERROR(launchSaxpy(saxpy, a, dx, dy, n));
    return launchSaxpy(saxpy, a, dx, dy, n);
  });
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  // Capture ran nothing.
  EXPECT_EQ(download(dy), std::vector<float>(n, 1.0f));

  for (int replay = 0; replay < 3; ++replay)
    ASSERT_TRUE(graph->launch().ok());
  ASSERT_TRUE(context->synchronize().ok());
  std::vector<float> y = download(dy);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(y[i], 1.0f + 6 * a * x[i]) << i; // exact: small integers/halves
}

TEST_F(GpuTest, FailedCaptureLeavesTheStreamUsable) {
  StatusOr<CudaGraph> graph =
      CudaGraph::capture(*context, [] { return Status::error("body failed"); });
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().message(), "CUDA graph capture: body failed");
  ASSIGN_OR_FAIL(b, buffer({1, 2}));
  EXPECT_EQ(download(b), (std::vector<float>{1, 2}));
}

TEST_F(GpuTest, CublasSgemm) {
  StatusOr<const CublasSymbols *> loaded = CublasSymbols::load();
  if (!loaded.ok())
    GTEST_SKIP() << loaded.status().message();
  const CublasSymbols &blas = **loaded;
  cublasHandle_t handle = nullptr;
  ASSERT_TRUE(SSMRT_CUBLAS_CALL(blas, cublasCreate_v2, &handle).ok());
  int version = 0;
  EXPECT_TRUE(SSMRT_CUBLAS_CALL(blas, cublasGetVersion_v2, handle, &version).ok());
  std::printf("cuBLAS %d\n", version);
  EXPECT_TRUE(SSMRT_CUBLAS_CALL(blas, cublasSetStream_v2, handle, context->stream()).ok());
  EXPECT_TRUE(SSMRT_CUBLAS_CALL(blas, cublasSetMathMode, handle, CUBLAS_DEFAULT_MATH).ok());

  // Column-major C (m x n) = A (m x k) * B (k x n), small integers: exact.
  const int m = 64, n = 48, k = 32;
  std::vector<float> A(m * k), B(k * n), expected(m * n, 0.0f);
  for (int i = 0; i < m * k; ++i)
    A[i] = float(i % 5) - 2;
  for (int i = 0; i < k * n; ++i)
    B[i] = float(i % 3) - 1;
  for (int col = 0; col < n; ++col)
    for (int row = 0; row < m; ++row)
      for (int p = 0; p < k; ++p)
        expected[col * m + row] += A[p * m + row] * B[col * k + p];
  ASSIGN_OR_FAIL(dA, buffer(A));
  ASSIGN_OR_FAIL(dB, buffer(B));
  ASSIGN_OR_FAIL(dC, buffer(std::vector<float>(m * n, 0.0f)));
  const float one = 1.0f, zero = 0.0f;
  auto *a = reinterpret_cast<const float *>(dA.pointer());
  auto *b = reinterpret_cast<const float *>(dB.pointer());
  auto *c = reinterpret_cast<float *>(dC.pointer());
  Status sgemm = SSMRT_CUBLAS_CALL(blas, cublasSgemm_v2, handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k,
                                   &one, a, m, b, k, &zero, c, m);
  EXPECT_TRUE(sgemm.ok()) << sgemm.message();
  EXPECT_EQ(download(dC), expected);

  ASSERT_TRUE(dC.fill(0).ok());
  Status gemmEx = SSMRT_CUBLAS_CALL(blas, cublasGemmEx, handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k,
                                    &one, a, CUDA_R_32F, m, b, CUDA_R_32F, k, &zero, c, CUDA_R_32F,
                                    m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  EXPECT_TRUE(gemmEx.ok()) << gemmEx.message();
  EXPECT_EQ(download(dC), expected);

  Status invalid = SSMRT_CUBLAS_CALL(blas, cublasSgemm_v2, handle, CUBLAS_OP_N, CUBLAS_OP_N, -1, n,
                                     k, &one, a, m, b, k, &zero, c, m);
  EXPECT_EQ(invalid.message().rfind("cublasSgemm_v2: CUBLAS_STATUS_INVALID_VALUE", 0), 0u)
      << invalid.message();
  EXPECT_TRUE(SSMRT_CUBLAS_CALL(blas, cublasDestroy_v2, handle).ok());
}

} // namespace
