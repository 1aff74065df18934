//===- CPUKernels.h - building CPU kernels for ssm ops ----------*- C++ -*-===//
#ifndef SSMC_CODEGEN_CPU_CPUKERNELS_H
#define SSMC_CODEGEN_CPU_CPUKERNELS_H

#include "codegen/cpu/CPUTarget.h"
#include "codegen/cpu/KernelBuilder.h"
#include "dialect/SSMDialect.h"

#include "mlir/IR/Operation.h"

#include <string>

namespace mlir::ssm {

/// How the runtime runs a kernel (#ssm.cpu_kernel): what its work range
/// [begin, end) counts (the runtime splits it across threads), ...
struct KernelSpec {
  KernelParallel parallel = KernelParallel::Rows;
  int64_t blocks = 1;    ///< BatchBlocks: channel blocks per batch row.
  int64_t phases = 1;    ///< runs over the whole work range, barrier between
  int64_t workspace = 0; ///< scratch floats per batch row
};

/// A key that is equal for two ops exactly when one kernel serves both
/// (op, attributes, types, which optional operands are present), or "" when
/// |op| has no CPU kernel (BLAS ops, views, ops the runtime evaluates).
/// Ops whose tiles (CPUTiles.h) differ get different kernels.
std::string cpuKernelKey(Operation *op, const CPUTarget &target);
/// What the tuning database keys |op|'s kernel by: its op, argument types,
/// attributes and present operands, whatever its tiles.
std::string cpuKernelSignature(Operation *op);

/// Builds the kernel for |op| as `func.func @name` at the builder's insertion
/// point (in a module). The arguments are the op's present operands in
/// order, then its results, then the workspace if it needs one, then batch,
/// seq, begin, end, phase.
FailureOr<KernelSpec> buildCPUKernel(OpBuilder &builder, Operation *op, StringRef name,
                                     const CPUTarget &target);

// One builder per op family (BuildRowKernels.cpp, BuildConvKernel.cpp,
// BuildScanKernel.cpp, BuildSSDKernel.cpp, BuildStepKernel.cpp, BuildMamba2StepKernel.cpp). |args|
// are the function's arguments aligned with the op's operands (null where an optional operand is
// absent) followed by its results.
KernelSpec buildEmbeddingKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);
KernelSpec buildNormKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);
KernelSpec buildGatedNormKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);
FailureOr<KernelSpec> buildElementwiseKernel(KernelBuilder &kb, Operation *op,
                                             ArrayRef<Value> args);
KernelSpec buildConvKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);
KernelSpec buildScanKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);
KernelSpec buildSSDKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);
KernelSpec buildStepKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);
KernelSpec buildMamba2StepKernel(KernelBuilder &kb, Operation *op, ArrayRef<Value> args);

// Pieces shared by the scan and decode-step builders (BuildMixerParts.cpp).

/// Mamba-2's time step from dt (+ bias) as vectors: the softplus when
/// |softplus|, then the clamp to each bound that is given.
Value buildTimeStep(KernelBuilder &kb, Value d, bool softplus, FloatAttr dtMin, FloatAttr dtMax);

/// A decode step's conv: x [rows, C], weight [C, 1, K], bias [C] (or null),
/// the state [B, K-1, C] and the updated state.
struct ConvStepArgs {
  Value x, weight, bias, state, stateOut;
};
/// One token of the conv for the VW channels from |c0| (lanes outside
/// |mask| off) of |batchRow|, whose token is at |row| of x: SiLU(conv) of
/// the window state ++ x; stores the window's last K-1 entries as the new
/// state (read before written: in place is fine).
Value buildConvStep(KernelBuilder &kb, const ConvStepArgs &a, Value batchRow, Value row, Value c0,
                    Value mask);

/// The memref type a kernel takes for |v| (an operand or result of a
/// kernel op), per the kernel ABI in KernelBuilder.h.
Type kernelArgType(KernelBuilder &kb, Value v);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CPU_CPUKERNELS_H
