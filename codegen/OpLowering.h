//===- OpLowering.h - how each op of a model runs on each target -*- C++ -*-===//
//
// The one place that decides, for an op of a fused and planned model
// function, what runs it on the CPU or on a CUDA GPU: a generated kernel, a
// matrix library, nothing (a view), the weight loader (weight-only ops), or
// - on the CPU only - the runtime's float64 reference interpreter. The CPU
// kernel outliner, the CUDA kernel passes and the compiler's report of ops
// without a kernel all ask here.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_OPLOWERING_H
#define SSMC_CODEGEN_OPLOWERING_H

#include "mlir/IR/Operation.h"

namespace mlir::ssm {

struct LoweringTarget {
  enum class Kind { CPU, CUDA } kind = Kind::CPU;
  int64_t vectorWidth = 8; ///< CPU: f32 lanes of the kernels

  static LoweringTarget cpu(int64_t vectorWidth) { return {Kind::CPU, vectorWidth}; }
  static LoweringTarget cuda() { return {Kind::CUDA, 0}; }
};

enum class Lowering {
  Kernel,      ///< a kernel the compiler generates for the target
  Library,     ///< a matrix product: BLAS on the CPU, cuBLAS on the GPU
  View,        ///< no work: a split or reshape of an activation in place
  Once,        ///< reads only weights: evaluated when the weights load
  Reference,   ///< CPU: no kernel; the runtime's float64 reference interpreter
  Unsupported, ///< CUDA: the target cannot run it
};

/// How |op| (an ssm op other than ssm.param) runs on |target|.
Lowering loweringOf(Operation *op, const LoweringTarget &target);

/// "kernel", "library", "view", "once", "reference", "unsupported".
const char *loweringName(Lowering lowering);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_OPLOWERING_H
