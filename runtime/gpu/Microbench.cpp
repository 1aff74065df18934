//===- Microbench.cpp - the device's ceilings, measured -------------------===//
#include "runtime/gpu/Microbench.h"
#include "runtime/gpu/GpuWeights.h"

#include <algorithm>
#include <random>
#include <string>

using namespace ssmrt;
using namespace ssmrt::gpu;

namespace {

// Eight independent chains per thread keep the unit under test busy; the
// chains stay bounded so no input turns denormal or infinite. STEP is the
// operation measured.
constexpr const char *kCeilingSource = R"cuda(
extern "C" __global__ void __launch_bounds__(256) NAME(float *out, int iters) {
  float a[8];
#pragma unroll
  for (int j = 0; j < 8; ++j)
    a[j] = 0.01f * (threadIdx.x % 32) + 0.1f * j;
  for (int i = 0; i < iters; ++i) {
#pragma unroll
    for (int j = 0; j < 8; ++j)
      a[j] = STEP;
  }
  float s = 0.0f;
#pragma unroll
  for (int j = 0; j < 8; ++j)
    s += a[j];
  out[blockIdx.x * 256 + threadIdx.x] = s;
}
)cuda";

std::string ceilingSource(const std::string &name, const std::string &step) {
  std::string s = kCeilingSource;
  s.replace(s.find("NAME"), 4, name);
  s.replace(s.find("STEP"), 4, step);
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Median milliseconds of |reps| timed runs of |work| after one warm-up.
StatusOr<double> medianMs(GpuDevice &device, int reps, const std::function<Status()> &work) {
  SSMRT_RETURN_IF_ERROR(work());
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    StatusOr<double> ms = device.timeMs(work);
    if (!ms.ok())
      return ms.status();
    times.push_back(*ms);
  }
  return median(times);
}

/// Operations per second of a ceiling kernel: blocks x 256 threads x iters x 8.
StatusOr<double> kernelRate(GpuDevice &device, const std::string &name, const std::string &step,
                            double opsPerChainStep) {
  CudaKernelDesc k;
  k.name = name;
  k.op = "ceiling";
  k.source = ceilingSource(name, step);
  StatusOr<int> handle = device.loadKernel(k);
  if (!handle.ok())
    return handle.status();
  unsigned blocks = static_cast<unsigned>(device.multiprocessors()) * 16;
  StatusOr<DevicePtr> out = device.allocate(blocks * 256 * sizeof(float), "a ceiling benchmark");
  if (!out.ok())
    return out.status();
  const int iters = 4096;
  LaunchDims dims;
  dims.grid[0] = blocks;
  dims.block = 256;
  std::vector<KernelArg> args = {KernelArg::pointer(*out), KernelArg::int32(iters)};
  StatusOr<double> ms =
      medianMs(device, 5, [&] { return device.launch(*handle, dims, args, false); });
  device.release(*out);
  if (!ms.ok())
    return ms.status();
  return blocks * 256.0 * iters * 8 * opsPerChainStep / (*ms * 1e-3);
}

} // namespace

StatusOr<DeviceCeilings> gpu::measureCeilings(GpuDevice &device) {
  DeviceCeilings c;
  const size_t bytes = size_t(1) << 30;
  StatusOr<DevicePtr> a = device.allocate(bytes, "the bandwidth benchmark");
  if (!a.ok())
    return a.status();
  StatusOr<DevicePtr> b = device.allocate(bytes, "the bandwidth benchmark");
  if (!b.ok()) {
    device.release(*a);
    return b.status();
  }
  StatusOr<double> ms = medianMs(device, 5, [&] { return device.copy(*b, *a, bytes); });
  device.release(*a);
  device.release(*b);
  if (!ms.ok())
    return ms.status();
  c.copyBytesPerSecond = 2.0 * bytes / (*ms * 1e-3);
  StatusOr<double> exp2 = kernelRate(device, "ssm_ceiling_exp2", "exp2f(-a[j])", 1);
  if (!exp2.ok())
    return exp2.status();
  c.exp2PerSecond = *exp2;
  StatusOr<double> fma = kernelRate(device, "ssm_ceiling_fma", "fmaf(a[j], 0.999f, 0.001f)", 2);
  if (!fma.ok())
    return fma.status();
  c.fp32FlopsPerSecond = *fma;
  return c;
}

StatusOr<double> gpu::gemmSeconds(GpuDevice &device, int64_t rows, int64_t out, int64_t in,
                                  ValueType type, bool f32Out) {
  ValueType outType = f32Out ? ValueType::F32 : type;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto random = [&](int64_t n, const std::string &what) -> StatusOr<DevicePtr> {
    std::vector<float> host(n);
    for (float &x : host)
      x = uniform(rng);
    std::vector<uint8_t> bytes(n * valueTypeBytes(type));
    convertFloats(host.data(), n, type, bytes.data());
    StatusOr<DevicePtr> p = device.allocate(bytes.size(), what);
    if (p.ok())
      SSMRT_RETURN_IF_ERROR(device.upload(*p, bytes.data(), bytes.size()));
    return p;
  };
  StatusOr<DevicePtr> x = random(rows * in, "a GEMM benchmark");
  StatusOr<DevicePtr> w = random(out * in, "a GEMM benchmark");
  StatusOr<DevicePtr> y = device.allocate(rows * out * valueTypeBytes(outType), "a GEMM benchmark");
  Status status = !x.ok() ? x.status() : !w.ok() ? w.status() : !y.ok() ? y.status() : okStatus();
  StatusOr<double> ms = status;
  if (status.ok()) {
    GemmArgs g{*x, *w, *y, rows, out, in, in, out, type, outType};
    ms = medianMs(device, 5, [&] { return device.gemm(g); });
  }
  for (auto *p : {&x, &w, &y})
    if (p->ok())
      device.release(**p);
  if (!ms.ok())
    return ms.status();
  return *ms * 1e-3;
}
