//===- CudaTestSupport.cpp - shared pieces of the runtime/cuda tests ------===//
#include "CudaTestSupport.h"

#include "runtime/cuda/Device.h"
#include "runtime/cuda/NvrtcSymbols.h"

#include <cstdlib>
#include <ftw.h>
#include <unistd.h>

namespace ssmrt::cuda::test {

const char *const kSaxpySource = R"(
extern "C" __global__ void saxpy(float a, const float *x, float *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * x[i] + y[i];
}
)";

TempDir::TempDir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/ssmc-cuda-test-XXXXXX";
  if (::mkdtemp(pattern.data()))
    path_ = pattern;
  EXPECT_FALSE(path_.empty()) << "mkdtemp failed for " << pattern;
}

TempDir::~TempDir() {
  if (path_.empty())
    return;
  auto remove = [](const char *path, const struct stat *, int, struct FTW *) {
    return ::remove(path);
  };
  ::nftw(path_.c_str(), remove, 16, FTW_DEPTH | FTW_PHYS);
}

std::string nvrtcUnavailableReason() {
  StatusOr<const NvrtcSymbols *> nvrtc = NvrtcSymbols::load();
  return nvrtc.ok() ? "" : nvrtc.status().message();
}

std::string gpuUnavailableReason() {
  StatusOr<DeviceInfo> device = findDevice(0);
  if (device.ok())
    return "";
  const std::string prefix = "no CUDA GPU found: ";
  std::string reason = device.status().message();
  if (reason.rfind(prefix, 0) == 0)
    reason = reason.substr(prefix.size());
  return "no CUDA GPU: " + reason;
}

ScopedEnv::ScopedEnv(const char *name, const char *value) : name_(name) {
  if (const char *old = std::getenv(name)) {
    hadValue_ = true;
    oldValue_ = old;
  }
  if (value)
    ::setenv(name, value, 1);
  else
    ::unsetenv(name);
}

ScopedEnv::~ScopedEnv() {
  if (hadValue_)
    ::setenv(name_.c_str(), oldValue_.c_str(), 1);
  else
    ::unsetenv(name_.c_str());
}

} // namespace ssmrt::cuda::test
