//===- Module.cpp - loaded kernels and launching them ---------------------===//
#include "runtime/cuda/Module.h"

#include <cstring>
#include <utility>

using namespace ssmrt;
using namespace ssmrt::cuda;

StatusOr<Module> Module::load(const Context &context, const void *image, const std::string &name) {
  const DriverSymbols &cu = context.driver();
  const std::string prefix = "module '" + name + "'";
  SSMRT_RETURN_IF_ERROR(context.makeCurrent().withPrefix(prefix));
  // The error log explains why a PTX image did not compile or a cubin does
  // not fit the device; the driver fills it only on failure.
  char errorLog[8192] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {errorLog, reinterpret_cast<void *>(sizeof(errorLog) - 1)};
  CUmodule handle = nullptr;
  Status loaded = SSMRT_CU_CALL(cu, cuModuleLoadDataEx, &handle, image, 2, options, values);
  if (!loaded.ok()) {
    std::string message = prefix + ": " + loaded.message();
    if (errorLog[0])
      message += ": " + std::string(errorLog, strnlen(errorLog, sizeof(errorLog)));
    return Status::error(message);
  }
  return Module(&cu, handle, name);
}

Module::Module(Module &&other) noexcept
    : driver_(other.driver_), handle_(std::exchange(other.handle_, nullptr)),
      name_(std::move(other.name_)) {}

Module &Module::operator=(Module &&other) noexcept {
  if (this != &other) {
    if (handle_)
      driver_->cuModuleUnload(handle_);
    driver_ = other.driver_;
    handle_ = std::exchange(other.handle_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

Module::~Module() {
  if (handle_)
    driver_->cuModuleUnload(handle_);
}

StatusOr<Function> Module::function(const std::string &name) const {
  Function function;
  function.name = name;
  Status found =
      SSMRT_CU_CALL(*driver_, cuModuleGetFunction, &function.handle, handle_, name.c_str());
  if (!found.ok())
    return found.withPrefix("module '" + name_ + "': kernel '" + name + "'");
  return function;
}

Status ssmrt::cuda::setMaxDynamicSharedMemory(const Context &context, const Function &function,
                                              int bytes) {
  return SSMRT_CU_CALL(context.driver(), cuFuncSetAttribute, function.handle,
                       CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes)
      .withPrefix("kernel '" + function.name + "'");
}

Status ssmrt::cuda::launch(const Context &context, const Function &function, Dim3 grid, Dim3 block,
                           unsigned sharedBytes, const std::vector<void *> &args) {
  // cuLaunchKernel only reads the argument array, though it takes void **.
  Status launched = SSMRT_CU_CALL(context.driver(), cuLaunchKernel, function.handle, grid.x, grid.y,
                                  grid.z, block.x, block.y, block.z, sharedBytes, context.stream(),
                                  const_cast<void **>(args.data()), nullptr);
  // The message is built only on failure: launches are on the hot path.
  if (!launched.ok())
    return launched.withPrefix("kernel '" + function.name + "'");
  return okStatus();
}
