//===- Module.h - loaded kernels and launching them -------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_MODULE_H
#define SSMC_RUNTIME_CUDA_MODULE_H

#include "runtime/Status.h"
#include "runtime/cuda/Context.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt::cuda {

/// A kernel in a loaded Module; valid while the Module lives.
struct Function {
  CUfunction handle = nullptr;
  std::string name;
};

/// Grid or block dimensions.
struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

/// A cubin (or PTX) loaded into a context; unloaded when destroyed.
class Module {
public:
  /// Loads |image|: a cubin, or NUL-terminated PTX that the driver then
  /// compiles for the device. |name| identifies the module in messages; a
  /// failure carries the driver's JIT log when it has one, e.g.
  /// "module 'saxpy': cuModuleLoadDataEx: CUDA_ERROR_NO_BINARY_FOR_GPU (...)".
  static StatusOr<Module> load(const Context &context, const void *image, const std::string &name);
  static StatusOr<Module> load(const Context &context, const std::vector<uint8_t> &cubin,
                               const std::string &name) {
    return load(context, cubin.data(), name);
  }

  Module(Module &&other) noexcept;
  Module &operator=(Module &&other) noexcept;
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module();

  /// The kernel named |name| (its extern "C" or mangled name).
  StatusOr<Function> function(const std::string &name) const;

private:
  Module(const DriverSymbols *driver, CUmodule handle, std::string name)
      : driver_(driver), handle_(handle), name_(std::move(name)) {}

  const DriverSymbols *driver_ = nullptr;
  CUmodule handle_ = nullptr;
  std::string name_;
};

/// Lets |function| use up to |bytes| of dynamic shared memory (above the
/// default 48 KiB, up to the device's opt-in limit).
Status setMaxDynamicSharedMemory(const Context &context, const Function &function, int bytes);

/// Enqueues |function| on |context|'s stream. |args| holds one pointer per
/// kernel parameter, to a value of that parameter's type (for a device
/// pointer, DeviceBuffer::argument()).
Status launch(const Context &context, const Function &function, Dim3 grid, Dim3 block,
              unsigned sharedBytes, const std::vector<void *> &args);

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_MODULE_H
