//===- KernelLibrary.h - the native kernels of an artifact ------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CPU_KERNELLIBRARY_H
#define SSMC_RUNTIME_CPU_KERNELLIBRARY_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"

#include <memory>
#include <string>
#include <vector>

namespace ssmrt {

/// A kernel's packed entry point: args[i] points at the i-th argument of the
/// lowered kernel (memref descriptor fields, then batch, seq, begin, end).
using PackedKernel = void (*)(void **args);

/// Loads the shared object embedded in an artifact: it is written once to
/// the cache directory (named by its content hash) and opened with dlopen;
/// then every kernel's entry point is looked up.
class KernelLibrary {
public:
  /// Checks that this CPU runs the code (architecture and the instruction
  /// set extensions it was compiled for) before loading it.
  static StatusOr<std::unique_ptr<KernelLibrary>> load(const CpuCode &code);
  ~KernelLibrary();

  PackedKernel kernel(size_t index) const { return kernels_[index]; }

private:
  KernelLibrary() = default;
  void *handle_ = nullptr;
  std::vector<PackedKernel> kernels_;
};

/// Whether this CPU supports every feature that |features| (an LLVM feature
/// string, "+avx2,+fma,-sse4a,...") enables, as far as the runtime can tell;
/// on failure |missing| names the first missing one.
bool hostSupportsFeatures(const std::string &features, std::string &missing);

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_KERNELLIBRARY_H
