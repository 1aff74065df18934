//===- CudaTestSupport.h - helpers for the CUDA tests -----------*- C++ -*-===//
#ifndef SSMC_TEST_UNIT_CUDA_CUDATESTSUPPORT_H
#define SSMC_TEST_UNIT_CUDA_CUDATESTSUPPORT_H

#include <gtest/gtest.h>
#include <string>

namespace ssmrt::cuda::test {

/// y[i] = a * x[i] + y[i] for i < n, as an extern "C" kernel named "saxpy".
extern const char *const kSaxpySource;

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents
/// when destroyed.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

/// Empty if NVRTC loads, else the one-line reason it does not.
std::string nvrtcUnavailableReason();

/// Empty if GPU 0 can be used, else "no CUDA GPU: <reason>".
std::string gpuUnavailableReason();

/// Sets an environment variable for the life of the object (nullptr unsets
/// it), then restores the previous value.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv &) = delete;
  ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
  std::string name_;
  bool hadValue_ = false;
  std::string oldValue_;
};

} // namespace ssmrt::cuda::test

/// Skips the current test, with the reason, when NVRTC cannot be loaded.
#define SSMRT_SKIP_WITHOUT_NVRTC()                                                                 \
  do {                                                                                             \
    std::string reason = ::ssmrt::cuda::test::nvrtcUnavailableReason();                            \
    if (!reason.empty())                                                                           \
      GTEST_SKIP() << reason;                                                                      \
  } while (0)

/// Skips the current test, with "no CUDA GPU: <reason>", without a GPU.
#define SSMRT_SKIP_WITHOUT_GPU()                                                                   \
  do {                                                                                             \
    std::string reason = ::ssmrt::cuda::test::gpuUnavailableReason();                              \
    if (!reason.empty())                                                                           \
      GTEST_SKIP() << reason;                                                                      \
  } while (0)

#endif // SSMC_TEST_UNIT_CUDA_CUDATESTSUPPORT_H
