//===- CudaEmulator.h - run emitted CUDA kernels on the host ----*- C++ -*-===//
//
// Compiles an emitted kernel (the CUDA preamble and one `__global__`
// function) with the host C++ compiler, against ssmc_cuda_emu.h, and runs it
// with host threads (GridRunner.h), so the tests can check a kernel's logic
// against a reference without a GPU. Kernel arguments are host pointers.
//
//   auto kernel = EmulatedKernel::compile(source, "saxpy", {{"THREADS", 64}});
//   Status st = (*kernel)->launch(Dim3(blocks), Dim3(64), {n, 2.0f, x, y});
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_CUDAEMU_CUDAEMULATOR_H
#define SSMC_TEST_CUDAEMU_CUDAEMULATOR_H

#include "GridRunner.h"
#include "KernelSignature.h"
#include "runtime/Status.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ssmc::cudaemu {

/// One kernel argument: a pointer, an integer or a floating-point number,
/// built implicitly from a value of any such type. launch() converts it to
/// the parameter's type: a pointer goes to a pointer parameter, an integer
/// to an integer parameter whose range holds it, a floating-point number to
/// a float or double parameter; anything else is an error.
class EmuArg {
public:
  enum class Kind { Pointer, Integer, Real };

  EmuArg(std::nullptr_t) : kind_(Kind::Pointer) {}
  template <typename T>
  EmuArg(T *pointer)
      : kind_(Kind::Pointer),
        pointer_(const_cast<void *>(static_cast<const volatile void *>(pointer))) {}
  template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  EmuArg(T value) : kind_(Kind::Integer), integer_(static_cast<int64_t>(value)) {
    // integer() keeps the bits of an unsigned value beyond int64_t; only an
    // unsigned long long parameter takes it.
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t))
      tooLarge_ = value > uint64_t(std::numeric_limits<int64_t>::max());
  }
  EmuArg(float value) : kind_(Kind::Real), real_(value) {}
  EmuArg(double value) : kind_(Kind::Real), real_(value) {}

  Kind kind() const { return kind_; }
  void *pointer() const { return pointer_; }
  int64_t integer() const { return integer_; }
  /// Whether integer() holds the bits of an unsigned value above INT64_MAX.
  bool tooLarge() const { return tooLarge_; }
  double real() const { return real_; }

private:
  Kind kind_;
  void *pointer_ = nullptr;
  int64_t integer_ = 0;
  bool tooLarge_ = false;
  double real_ = 0;
};

/// An emitted kernel compiled for the host and loaded.
class EmulatedKernel {
public:
  /// Compiles |source| (the full emitted text: preamble + kernel) with the
  /// host compiler ($CXX, else `c++`; -std=c++17 -O1 -shared -fPIC -pthread
  /// -w -include ssmc_cuda_emu.h, and -D<name>=<value> for |defines|) into a
  /// shared object in a temporary directory, loads it and removes the
  /// directory. Fails with the compiler's output when it does not compile,
  /// or when |entryName| is not a `__global__` function of |source|.
  static ssmrt::StatusOr<std::unique_ptr<EmulatedKernel>>
  compile(const std::string &source, const std::string &entryName,
          const std::vector<std::pair<std::string, int64_t>> &defines = {});

  EmulatedKernel(const EmulatedKernel &) = delete;
  EmulatedKernel &operator=(const EmulatedKernel &) = delete;
  ~EmulatedKernel();

  /// Runs the kernel over |grid| blocks of |block| threads with |args|, one
  /// per parameter, in order; returns when every thread has finished. A
  /// cooperative launch runs all blocks at once (at most
  /// kMaxCooperativeThreads threads) and refuses a kernel whose source
  /// mentions __shared__ outside comments (anywhere: the check is textual).
  /// Launches of one kernel do not overlap (they share its statics); a
  /// launch taking longer than timeout() fails (GridRunner.h).
  ssmrt::Status launch(Dim3 grid, Dim3 block, const std::vector<EmuArg> &args,
                       bool cooperative = false);

  const std::string &name() const { return name_; }
  const std::vector<KernelParam> &params() const { return params_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

private:
  EmulatedKernel() = default;

  std::string name_;
  std::vector<KernelParam> params_;
  bool usesShared_ = false;
  void *library_ = nullptr;
  ssmc_emu_call_fn call_ = nullptr;
  std::chrono::milliseconds timeout_{60000};
  std::mutex launchMutex_;
};

} // namespace ssmc::cudaemu

#endif // SSMC_TEST_CUDAEMU_CUDAEMULATOR_H
