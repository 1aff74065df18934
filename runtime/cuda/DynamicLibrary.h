//===- DynamicLibrary.h - RAII dlopen of a library --------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_DYNAMICLIBRARY_H
#define SSMC_RUNTIME_CUDA_DYNAMICLIBRARY_H

#include "runtime/Status.h"

#include <string>
#include <utility>
#include <vector>

namespace ssmrt::cuda {

/// A shared library opened with dlopen and closed when destroyed.
class DynamicLibrary {
public:
  /// Opens the first of |candidates| (sonames searched the usual way, or
  /// paths) that dlopen accepts. The error names every candidate tried and
  /// the most telling dlopen message (a library that exists but fails to
  /// load says more than "No such file or directory").
  static StatusOr<DynamicLibrary> openFirst(const std::vector<std::string> &candidates);

  DynamicLibrary(DynamicLibrary &&other) noexcept;
  DynamicLibrary &operator=(DynamicLibrary &&other) noexcept;
  DynamicLibrary(const DynamicLibrary &) = delete;
  DynamicLibrary &operator=(const DynamicLibrary &) = delete;
  ~DynamicLibrary();

  /// The candidate that was loaded.
  const std::string &name() const { return name_; }

  /// Keeps the library loaded for the rest of the process: the destructor
  /// will not close it.
  void release() { handle_ = nullptr; }

  /// The address of |symbol|, or nullptr.
  void *symbol(const char *symbol) const;

  /// Stores the address of |symbol| into |fn|; an error names the symbol
  /// and the library when it is missing.
  template <typename Fn> Status resolve(Fn &fn, const char *symbol) const {
    void *address = this->symbol(symbol);
    if (!address)
      return Status::error(name_ + " lacks the symbol '" + symbol + "'");
    fn = reinterpret_cast<Fn>(address);
    return okStatus();
  }

private:
  DynamicLibrary(void *handle, std::string name) : handle_(handle), name_(std::move(name)) {}
  void *handle_ = nullptr;
  std::string name_;
};

/// The places to look for a CUDA library, most preferred first: for each of
/// |sonames| in order, the bare name (the dynamic loader's search path), then
/// that name under $CUDA_HOME/lib64, $CUDA_PATH/lib64 and
/// /usr/local/cuda/lib64. So a newer soname anywhere beats an older one.
std::vector<std::string> cudaLibraryCandidates(const std::vector<std::string> &sonames);

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_DYNAMICLIBRARY_H
