//===- CudaEmulatorTest.cpp - emitted-style kernels run on the host -------===//
#include "EmuTestUtil.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace ssmc::cudaemu;
using ssmc::cudaemu::test::compileKernel;

namespace {

const char *const kSaxpy = R"cuda(
#ifndef THREADS
#define THREADS 128
#endif
extern "C" __global__ void __launch_bounds__(THREADS) saxpy(
    const float *__restrict__ x, float *__restrict__ y, float a, int n) {
  int i = blockIdx.x * THREADS + threadIdx.x;
  if (i < n)
    y[i] = fmaf(a, x[i], y[i]);
}
)cuda";

/// The saxpy kernel with THREADS=32, compiled once for the tests below.
EmulatedKernel *saxpy32() {
  static std::unique_ptr<EmulatedKernel> kernel = compileKernel(kSaxpy, "saxpy", {{"THREADS", 32}});
  return kernel.get();
}

std::vector<float> randomFloats(size_t n, float low, float high, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(n);
  for (float &v : values)
    v = dist(rng);
  return values;
}

TEST(CudaEmulatorTest, SaxpyOverAGridOfBlocks) {
  EmulatedKernel *kernel = saxpy32();
  ASSERT_TRUE(kernel);
  const int n = 1000;
  std::vector<float> x = randomFloats(n, -2, 2, 1), y = randomFloats(n, -2, 2, 2);
  std::vector<float> expected(n);
  for (int i = 0; i < n; ++i)
    expected[i] = std::fmaf(1.5f, x[i], y[i]);
  // THREADS=32 only indexes correctly because the define took effect.
  ssmrt::Status status =
      kernel->launch(Dim3((n + 31) / 32), Dim3(32), {x.data(), y.data(), 1.5f, n});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(y, expected);
}

const char *const kRowSum = R"cuda(
#ifndef THREADS
#define THREADS 64
#endif
// out[row] = the sum of the row's n values: one block per token row, a tree
// reduction in shared memory.
extern "C" __global__ void __launch_bounds__(THREADS) row_sum(
    const ssm_bf16 *__restrict__ x, long long ld_x, float *__restrict__ out,
    long long ld_out, int n, int batch, int seq) {
  __shared__ float partial[THREADS];
  const long long row = blockIdx.x;
  float acc = 0.0f;
  for (int i = threadIdx.x; i < n; i += THREADS)
    acc += ssm_to_float(x[row * ld_x + i]);
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int stride = THREADS / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride)
      partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    out[row * ld_out] = partial[0];
}
)cuda";

/// Runs row_sum with |threads| per block (THREADS left at its default when
/// |define| is false) and checks it against a float64 sum.
void checkRowSum(unsigned threads, bool define) {
  std::unique_ptr<EmulatedKernel> kernel =
      compileKernel(kRowSum, "row_sum",
                    define ? std::vector<std::pair<std::string, int64_t>>{{"THREADS", threads}}
                           : std::vector<std::pair<std::string, int64_t>>{});
  ASSERT_TRUE(kernel);
  const int batch = 2, seq = 3, n = 300, ldX = 320, ldOut = 4, rows = batch * seq;
  std::vector<float> values = randomFloats(rows * ldX, -1, 1, threads);
  std::vector<uint16_t> x(values.size());
  std::vector<double> expected(rows, 0.0);
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    x[i] = uint16_t(bits >> 16); // truncation: exact in bf16
    bits = uint32_t(x[i]) << 16;
    float value;
    std::memcpy(&value, &bits, 4);
    if (int(i % ldX) < n)
      expected[i / ldX] += value;
  }
  std::vector<float> out(rows * ldOut, -7.0f);
  // |out| points at column 1 of the output buffer.
  ssmrt::Status status = kernel->launch(Dim3(rows), Dim3(threads),
                                        {x.data(), ldX, out.data() + 1, ldOut, n, batch, seq});
  ASSERT_TRUE(status.ok()) << status.message();
  for (int r = 0; r < rows; ++r) {
    EXPECT_NEAR(out[r * ldOut + 1], expected[r], 1e-4) << "row " << r;
    EXPECT_EQ(out[r * ldOut], -7.0f);
    EXPECT_EQ(out[r * ldOut + 2], -7.0f);
  }
}

TEST(CudaEmulatorTest, BlockReductionThroughSharedMemory) { checkRowSum(64, /*define=*/false); }

TEST(CudaEmulatorTest, TileParameterOverriddenByADefine) { checkRowSum(256, /*define=*/true); }

TEST(CudaEmulatorTest, ThreadCoordinatesIn3D) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(R"cuda(
extern "C" __global__ void __launch_bounds__(16) coordinates(unsigned *out) {
  unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  unsigned *o = out + 8 * (block * blockDim.x * blockDim.y * blockDim.z + thread);
  o[0] = threadIdx.x; o[1] = threadIdx.y; o[2] = threadIdx.z;
  o[3] = blockIdx.x; o[4] = blockIdx.y; o[5] = blockIdx.z;
  o[6] = blockDim.x * 100 + blockDim.y * 10 + blockDim.z;
  o[7] = gridDim.x * 100 + gridDim.y * 10 + gridDim.z;
}
)cuda",
                                                         "coordinates");
  ASSERT_TRUE(kernel);
  std::vector<unsigned> out(12 * 16 * 8, 0xdeadu);
  ssmrt::Status status = kernel->launch(Dim3(3, 2, 2), Dim3(4, 2, 2), {out.data()});
  ASSERT_TRUE(status.ok()) << status.message();
  size_t at = 0;
  for (unsigned bz = 0; bz < 2; ++bz)
    for (unsigned by = 0; by < 2; ++by)
      for (unsigned bx = 0; bx < 3; ++bx)
        for (unsigned tz = 0; tz < 2; ++tz)
          for (unsigned ty = 0; ty < 2; ++ty)
            for (unsigned tx = 0; tx < 4; ++tx, at += 8)
              ASSERT_EQ(std::vector<unsigned>(out.begin() + at, out.begin() + at + 8),
                        (std::vector<unsigned>{tx, ty, tz, bx, by, bz, 422, 322}))
                  << "at " << at / 8;
}

TEST(CudaEmulatorTest, ReturnedThreadsNoLongerHoldUpSyncthreads) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(R"cuda(
extern "C" __global__ void __launch_bounds__(64) early_exit(int *out) {
  __shared__ int count;
  if (threadIdx.x == 0)
    count = 0;
  __syncthreads();
  if (threadIdx.x >= blockIdx.x * 16)
    return;
  atomicAdd(&count, 1);
  __syncthreads();
  if (threadIdx.x == 0)
    out[blockIdx.x] = count;
}
)cuda",
                                                         "early_exit");
  ASSERT_TRUE(kernel);
  std::vector<int> out(5, -1);
  ssmrt::Status status = kernel->launch(Dim3(5), Dim3(64), {out.data()});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(out, (std::vector<int>{-1, 16, 32, 48, 64}));
}

TEST(CudaEmulatorTest, Atomics) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(R"cuda(
extern "C" __global__ void __launch_bounds__(128) atomics(
    int *ints, unsigned *uints, float *sum) {
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  atomicAdd(&ints[0], 1);
  atomicSub(&ints[1], 2);
  atomicMax(&ints[2], t);
  atomicExch(&ints[3], 5);
  atomicCAS(&ints[4], 0, t + 1); // one thread wins
  atomicMin(&ints[5], -t);
  atomicAdd(&uints[0], 3u);
  atomicSub(&uints[1], 1u);
  atomicMax(&uints[2], (unsigned)t * 7u);
  if (atomicCAS(&uints[3], 0u, 1u) == 0u)
    atomicAdd(&uints[4], 1u);
  atomicAdd(sum, 0.5f);
}
)cuda",
                                                         "atomics");
  ASSERT_TRUE(kernel);
  std::vector<int> ints = {0, 0, -1, 0, 0, 0};
  std::vector<unsigned> uints = {0, 1000, 0, 0, 0};
  float sum = 0;
  ssmrt::Status status = kernel->launch(Dim3(4), Dim3(128), {ints.data(), uints.data(), &sum});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(ints[0], 512);
  EXPECT_EQ(ints[1], -1024);
  EXPECT_EQ(ints[2], 511);
  EXPECT_EQ(ints[3], 5);
  EXPECT_GE(ints[4], 1);
  EXPECT_LE(ints[4], 512);
  EXPECT_EQ(ints[5], -511);
  EXPECT_EQ(uints, (std::vector<unsigned>{1536, 488, 511 * 7, 1, 1}));
  EXPECT_EQ(sum, 256.0f);
}

TEST(CudaEmulatorTest, MathMatchesFloat64) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(R"cuda(
extern "C" __global__ void __launch_bounds__(64) math(
    const float *__restrict__ x, float *__restrict__ out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float v = __ldg(&x[i]), a = fabsf(v);
  float *o = out + i;
  o[0 * n] = ssm_silu(v);
  o[1 * n] = ssm_softplus(v);
  o[2 * n] = __expf(v);
  o[3 * n] = expf(v);
  o[4 * n] = exp2f(v);
  o[5 * n] = __logf(a + 0.5f);
  o[6 * n] = logf(a + 0.5f);
  o[7 * n] = log2f(a + 0.5f);
  o[8 * n] = log1pf(a);
  o[9 * n] = sqrtf(a);
  o[10 * n] = rsqrtf(a + 0.5f);
  o[11 * n] = tanhf(v);
  o[12 * n] = __fdividef(v, 3.0f);
  o[13 * n] = fmaf(v, v, 1.0f);
  o[14 * n] = fmaxf(v, 0.5f) + fminf(v, -0.5f);
  o[15 * n] = (float)max(min((int)(v * 10.0f), 7), -7);
  o[16 * n] = __int_as_float(__float_as_int(v)) + __uint_as_float(__float_as_uint(v));
}
)cuda",
                                                         "math");
  ASSERT_TRUE(kernel);
  std::vector<float> x = randomFloats(200, -4, 4, 3);
  x.push_back(25.0f); // softplus returns its input above 20
  const int n = int(x.size());
  std::vector<float> out(17 * n);
  ssmrt::Status status = kernel->launch(Dim3((n + 63) / 64), Dim3(64), {x.data(), out.data(), n});
  ASSERT_TRUE(status.ok()) << status.message();
  for (int i = 0; i < n; ++i) {
    double v = x[i], a = std::fabs(v);
    double expected[] = {v / (1 + std::exp(-v)),
                         v > 20 ? v : std::log1p(std::exp(v)),
                         std::exp(v),
                         std::exp(v),
                         std::exp2(v),
                         std::log(a + 0.5),
                         std::log(a + 0.5),
                         std::log2(a + 0.5),
                         std::log1p(a),
                         std::sqrt(a),
                         1 / std::sqrt(a + 0.5),
                         std::tanh(v),
                         v / 3,
                         v * v + 1,
                         std::fmax(v, 0.5) + std::fmin(v, -0.5),
                         double(std::max(std::min(int(x[i] * 10.0f), 7), -7)),
                         2 * v};
    for (int k = 0; k < 17; ++k)
      EXPECT_NEAR(out[k * n + i], expected[k], 1e-6 + 1e-6 * std::fabs(expected[k]))
          << "output " << k << " of x = " << x[i];
  }
}

const char *const kNormalize = R"cuda(
// A sense-reversing grid barrier in global memory: an arrival counter and a
// generation, in the workspace's first words.
__device__ void grid_barrier(unsigned *counter, unsigned *generation) {
  __syncthreads();
  if (threadIdx.x == 0) {
    unsigned gen = atomicAdd(generation, 0u);
    if (atomicAdd(counter, 1u) == gridDim.x * gridDim.y * gridDim.z - 1) {
      atomicExch(counter, 0u);
      atomicAdd(generation, 1u);
    } else {
      while (*(volatile unsigned *)generation == gen)
        __nanosleep(64);
    }
    __threadfence();
  }
  __syncthreads();
}

// y = x / sum(x): the blocks sum their slices, meet, and scale.
extern "C" __global__ void __launch_bounds__(32) normalize(
    const float *__restrict__ x, float *__restrict__ y, float *workspace,
    int n) {
  unsigned *barrier = (unsigned *)workspace;
  float *block_sums = workspace + 64;
  int per_block = (n + gridDim.x - 1) / gridDim.x;
  int begin = blockIdx.x * per_block, end = min(begin + per_block, n);
  float acc = 0.0f;
  for (int i = begin + threadIdx.x; i < end; i += blockDim.x)
    acc += x[i];
  atomicAdd(&block_sums[blockIdx.x], acc);
  grid_barrier(barrier, barrier + 1);
  float total = 0.0f;
  for (unsigned b = 0; b < gridDim.x; ++b)
    total += block_sums[b];
  for (int i = begin + threadIdx.x; i < end; i += blockDim.x)
    y[i] = x[i] / total;
  grid_barrier(barrier, barrier + 1);
  if (threadIdx.x == 0)
    block_sums[blockIdx.x] = 0.0f; // leave the workspace as it was
}
)cuda";

/// Runs normalize cooperatively over 8 blocks and checks y and the
/// workspace; |generation| is the barrier generation the launch starts at.
void checkNormalize(EmulatedKernel &kernel, std::vector<float> &workspace, unsigned generation) {
  const int n = 1000, blocks = 8;
  std::vector<float> x = randomFloats(n, 0.5f, 1.5f, generation), y(n);
  double sum = 0;
  for (float v : x)
    sum += v;
  ssmrt::Status status =
      kernel.launch(Dim3(blocks), Dim3(32), {x.data(), y.data(), workspace.data(), n},
                    /*cooperative=*/true);
  ASSERT_TRUE(status.ok()) << status.message();
  for (int i = 0; i < n; ++i)
    EXPECT_NEAR(y[i], x[i] / sum, 1e-6 * x[i] / sum) << i;
  unsigned barrier[2];
  std::memcpy(barrier, workspace.data(), sizeof barrier);
  EXPECT_EQ(barrier[0], 0u);
  EXPECT_EQ(barrier[1], generation + 2);
  for (int b = 0; b < blocks; ++b)
    EXPECT_EQ(workspace[64 + b], 0.0f);
}

const char *const kMma = R"cuda(
// D = A·B + 1 for A [32][32] row-major and B [32][16] stored as Bᵀ [16][32]:
// block mi, warp ni computes the 16×8 tile (mi, ni) in two K steps through
// the preamble's ssm_mma_tile (its fragment loads and ssm_mma16816).
template <typename T>
__device__ void mma_tiles(const unsigned short *a, const unsigned short *bt, float *d) {
  const int mi = blockIdx.x, ni = threadIdx.x / 32;
  float acc[4] = {1.0f, 1.0f, 1.0f, 1.0f};
  ssm_mma_tile<T>(acc, a + 16 * mi * 32, 32, 1, bt + 8 * ni * 32, 1, 32, 32);
  for (int i = 0; i < 4; ++i)
    d[(16 * mi + ssm_mma_row(i)) * 16 + 8 * ni + ssm_mma_col(i)] = acc[i];
}
extern "C" __global__ void __launch_bounds__(64) mma_bf16(
    const unsigned short *a, const unsigned short *bt, float *d) { mma_tiles<ssm_bf16>(a, bt, d); }
extern "C" __global__ void __launch_bounds__(64) mma_f16(
    const unsigned short *a, const unsigned short *bt, float *d) { mma_tiles<ssm_f16>(a, bt, d); }
)cuda";

/// The emulated m16n8k16 tensor-core instruction, through the preamble's
/// fragment loads, against a float64 product of the same 16-bit inputs:
/// two blocks of two warps (the warps of a block and the blocks that reuse
/// them trade fragments independently), both input types.
TEST(CudaEmulatorTest, TensorCoreMmaMatchesAProduct) {
  for (bool bf16 : {true, false}) {
    SCOPED_TRACE(bf16 ? "bf16" : "f16");
    std::unique_ptr<EmulatedKernel> kernel = compileKernel(kMma, bf16 ? "mma_bf16" : "mma_f16");
    ASSERT_TRUE(kernel);
    // Values k/64 - 1/2 for small integers k are exact in both types.
    std::mt19937 rng(bf16 ? 7 : 8);
    std::uniform_int_distribution<int> pick(-32, 32);
    std::vector<double> av(32 * 32), btv(16 * 32);
    std::vector<uint16_t> a(av.size()), bt(btv.size());
    auto encode = [&](double v) {
      float f = float(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      if (bf16)
        return uint16_t(bits >> 16);
      // |v| = k / 64 with |k| <= 32: a normal half with a 10-bit mantissa.
      int e;
      double m = std::frexp(std::fabs(v), &e); // |v| = m * 2^e, m in [0.5, 1)
      if (v == 0)
        return uint16_t(0);
      uint16_t h = uint16_t(((e - 1 + 15) << 10) | (uint16_t(std::lround(m * 2048)) & 0x3ff));
      return uint16_t(v < 0 ? h | 0x8000 : h);
    };
    for (size_t i = 0; i < av.size(); ++i)
      a[i] = encode(av[i] = pick(rng) / 64.0);
    for (size_t i = 0; i < btv.size(); ++i)
      bt[i] = encode(btv[i] = pick(rng) / 64.0);
    std::vector<float> d(32 * 16, -7.0f);
    ssmrt::Status status = kernel->launch(Dim3(2), Dim3(64), {a.data(), bt.data(), d.data()});
    ASSERT_TRUE(status.ok()) << status.message();
    for (int r = 0; r < 32; ++r)
      for (int c = 0; c < 16; ++c) {
        double want = 1.0;
        for (int k = 0; k < 32; ++k)
          want += av[r * 32 + k] * btv[c * 32 + k];
        EXPECT_EQ(d[r * 16 + c], float(want)) << "D[" << r << "][" << c << "]";
      }
  }
}

TEST(CudaEmulatorTest, CooperativeGridBarrier) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(kNormalize, "normalize");
  ASSERT_TRUE(kernel);
  std::vector<float> workspace(64 + 8, 0.0f);
  checkNormalize(*kernel, workspace, 0);
  checkNormalize(*kernel, workspace, 2);
}

TEST(CudaEmulatorTest, WatchdogCancelsADeadlock) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(kNormalize, "normalize");
  ASSERT_TRUE(kernel);
  // Run one block at a time, block 0 waits at the grid barrier forever.
  kernel->setTimeout(std::chrono::milliseconds(300));
  std::vector<float> x(64, 1.0f), y(64), workspace(64 + 2, 0.0f);
  ssmrt::Status status =
      kernel->launch(Dim3(2), Dim3(32), {x.data(), y.data(), workspace.data(), 64});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "kernel 'normalize': the launch did not finish "
                              "within 300 ms (a deadlock?) and was cancelled");
  // The kernel still runs once launched the right way.
  workspace.assign(64 + 8, 0.0f);
  checkNormalize(*kernel, workspace, 0);
}

TEST(CudaEmulatorTest, CompileErrorQuotesTheCompiler) {
  ssmrt::StatusOr<std::unique_ptr<EmulatedKernel>> kernel = EmulatedKernel::compile(R"cuda(
extern "C" __global__ void __launch_bounds__(32) shuffle(float *y) {
  y[threadIdx.x] = __shfl_down_sync(0xffffffffu, y[threadIdx.x], 1);
}
)cuda",
                                                                                    "shuffle", {});
  ASSERT_FALSE(kernel.ok());
  const std::string &message = kernel.status().message();
  EXPECT_EQ(message.rfind("kernel 'shuffle' does not compile for the host (", 0), 0u) << message;
  EXPECT_NE(message.find("__shfl_down_sync"), std::string::npos) << message;
}

TEST(CudaEmulatorTest, EntryNotFound) {
  ssmrt::StatusOr<std::unique_ptr<EmulatedKernel>> kernel =
      EmulatedKernel::compile(kSaxpy, "saxpi", {});
  ASSERT_FALSE(kernel.ok());
  EXPECT_EQ(kernel.status().message(), "kernel 'saxpi' not found in the source; its __global__ "
                                       "functions: saxpy");
}

TEST(CudaEmulatorTest, BadDefine) {
  ssmrt::StatusOr<std::unique_ptr<EmulatedKernel>> kernel =
      EmulatedKernel::compile(kSaxpy, "saxpy", {{"THREADS=1 -o/x", 1}});
  ASSERT_FALSE(kernel.ok());
  EXPECT_EQ(kernel.status().message(),
            "kernel 'saxpy': define 'THREADS=1 -o/x' is not an identifier");
}

TEST(CudaEmulatorTest, ArgumentsMustMatchTheSignature) {
  EmulatedKernel *kernel = saxpy32();
  ASSERT_TRUE(kernel);
  float x = 1, y = 2;
  ssmrt::Status status = kernel->launch(Dim3(1), Dim3(32), {&x, &y, 2.0f});
  EXPECT_EQ(status.message(), "kernel 'saxpy' takes 4 arguments (const float *__restrict__ x, "
                              "float *__restrict__ y, float a, int n), got 3");
  status = kernel->launch(Dim3(1), Dim3(32), {&x, &y, 2, 1});
  EXPECT_EQ(status.message(), "kernel 'saxpy': argument 2 (float a): needs a "
                              "floating-point number, got an integer");
  status = kernel->launch(Dim3(1), Dim3(32), {&x, 7, 2.0f, 1});
  EXPECT_EQ(status.message(), "kernel 'saxpy': argument 1 (float *__restrict__ "
                              "y): needs a pointer, got an integer");
  status = kernel->launch(Dim3(1), Dim3(32), {&x, &y, 2.0f, 1LL << 40});
  EXPECT_EQ(status.message(), "kernel 'saxpy': argument 3 (int n): 1099511627776 is out "
                              "of range");
  EXPECT_EQ(y, 2.0f);
}

TEST(CudaEmulatorTest, LaunchShapesCudaRejects) {
  EmulatedKernel *kernel = saxpy32();
  ASSERT_TRUE(kernel);
  float x = 1, y = 2;
  std::vector<EmuArg> args = {&x, &y, 2.0f, 1};
  EXPECT_EQ(kernel->launch(Dim3(1), Dim3(32, 33), args).message(),
            "kernel 'saxpy': block (32, 33, 1) has 1056 threads; CUDA allows "
            "at most 1024");
  EXPECT_EQ(kernel->launch(Dim3(0), Dim3(32), args).message(),
            "kernel 'saxpy': empty launch: grid (0, 1, 1), block (32, 1, 1)");
  EXPECT_EQ(kernel->launch(Dim3(5), Dim3(1024), args, true).message(),
            "kernel 'saxpy': cooperative grid (5, 1, 1) x block (1024, 1, 1) "
            "has 5120 threads; the emulator runs at most 4096 at once");
  EXPECT_EQ(y, 2.0f);
}

TEST(CudaEmulatorTest, CooperativeLaunchRefusesSharedMemory) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(kRowSum, "row_sum");
  ASSERT_TRUE(kernel);
  std::vector<uint16_t> x(64);
  float out = 0;
  ssmrt::Status status = kernel->launch(Dim3(1), Dim3(64), {x.data(), 64, &out, 1, 64, 1, 1},
                                        /*cooperative=*/true);
  EXPECT_EQ(status.message(), "kernel 'row_sum' uses __shared__, which a cooperative launch "
                              "cannot emulate (all its blocks run at once and would share it)");
}

} // namespace
