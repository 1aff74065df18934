//===- RunOp.h - compile and run one function of ssm ops ---------*- C++ -*-===//
//
// `ssmc run-op`: the one func.func of a module (graph-level ssm ops, e.g. a
// single ssm.selective_scan) compiled as a model is - the fusions, the
// memory plan, then CPU kernel functions lowered to a native shared object,
// or the CUDA passes and emitted kernels - and run op by op on named input
// tensors: kernel ops on their kernel, matrix products through BLAS, views
// and weight-only ops and ops without a kernel in the float64 reference
// interpreter. With |reference| every op of the unfused function runs in
// the reference interpreter instead.
//
// Names: argument i of the function is the input tensor "arg<i>", result
// i the output "result<i>". Arguments [batch, seq, ...] (the first two
// dimensions dynamic) are activations and give the batch and sequence
// sizes; arguments the op reads as recurrent state are states; integer
// arguments are token ids or sequence lengths; every other argument is a
// weight and needs a static type.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_DRIVER_RUNOP_H
#define SSMC_CODEGEN_DRIVER_RUNOP_H

#include "runtime/Status.h"
#include "runtime/gpu/GpuDevice.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace ssmc {

/// A named tensor, row-major: f32 values, or i32 ones when |isInt|.
struct OpTensor {
  std::string name;
  std::vector<int64_t> shape;
  bool isInt = false;
  std::vector<float> f32;
  std::vector<int32_t> i32;
};

struct RunOpOptions {
  /// Run the CUDA kernels on a GPU device instead of the CPU kernels.
  bool cuda = false;
  /// The float64 reference interpreter on the unfused function.
  bool reference = false;
  bool foldDeltaProj = true;
  std::string gpuDtype = "fp32";
  int vectorWidth = 0; ///< CPU: 0 for the host's
};

/// What a run computed, and how.
struct RunOpResult {
  std::vector<OpTensor> outputs;
  /// One line per op: "ssm.selective_scan: kernel selective_scan_1a2b3c4d".
  std::vector<std::string> trace;
};

/// Compiles and runs the function of |module| on |inputs|; |device| runs
/// the CUDA kernels when options.cuda. Errors name the input or the op.
ssmrt::StatusOr<RunOpResult> runOp(mlir::ModuleOp module, const std::vector<OpTensor> &inputs,
                                   const RunOpOptions &options, ssmrt::gpu::GpuDevice *device);

} // namespace ssmc

#endif // SSMC_CODEGEN_DRIVER_RUNOP_H
