//===- CUDAKernelWriter.h - the source of one CUDA kernel -------*- C++ -*-===//
//
// An emitted kernel is the preamble, the kernel family's source
// (kernels/*.cuh: a template over a configuration struct), the
// configuration this writer prints for one op, and an entry point that
// calls the family's function:
//
//   <kernels/preamble.cuh>
//   // ssm.rmsnorm
//   #ifndef THREADS          tile parameters: macros that -D overrides,
//   #define THREADS 256      read into the configuration, then undefined
//   #endif
//   struct ssm_config {      what the IR decided
//     using x_t = float;  static constexpr bool has_x = true;     per parameter
//     ...
//     static constexpr int width = 768;                           shapes
//     static constexpr int threads = THREADS;                     tiles
//     static constexpr float eps = 1e-05f;                        attributes
//     __device__ static float apply(float a, float b) { ... }    fused code
//   };
//   #undef THREADS
//   <kernels/rows.cuh>
//   extern "C" __global__ void __launch_bounds__(ssm_config::threads)
//   rmsnorm_1f2e3d4c(const float *__restrict__ input, long long input_ld, ...) {
//     ssm_rmsnorm<ssm_config>(input, input_ld, nullptr, 0, ...);
//   }
//
// The entry point's arguments follow the kernel ABI (docs/artifact.md): the
// op's present operands in the op table's order, its results, the
// workspace when the kernel has one, then batch and seq; each named as in
// the op table. The kernel's name is the op's `ssm.kernel`.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CUDA_CUDAKERNELWRITER_H
#define SSMC_CODEGEN_CUDA_CUDAKERNELWRITER_H

#include "codegen/cuda/TileTables.h"
#include "passes/ValueRoles.h"
#include "runtime/artifact/Program.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::ssm {

/// The C++ element type of a tensor value in a kernel: float, ssm_bf16,
/// ssm_f16 or int.
std::string cudaElementType(Value v);

/// A float literal that reads back as |v| in f32.
std::string cudaFloat(double v);

/// The body of `float delta(float d)` for Mamba-2's time step: the softplus
/// when |softplus|, then the clamp to each bound that is given.
std::string cudaTimeStepBody(bool softplus, FloatAttr dtMin, FloatAttr dtMax);

class CUDAKernelWriter {
public:
  /// The kernel of |op| that calls |function| of kernels/|file|.
  CUDAKernelWriter(Operation *op, StringRef file, StringRef function);

  /// The family function's tensor parameters, in its order, each bound to
  /// the op's operand or result of that op-table name; "" (or an absent
  /// optional operand) passes null. Declares NAME_t and has_NAME.
  void params(ArrayRef<std::pair<StringRef, StringRef>> bindings);
  /// The kernel takes a workspace after its results (and passes it on).
  void workspace() { workspace_ = true; }
  /// An entry point whose arguments are not the op's operands and results
  /// (the attention kernels read the runtime's KV cache tables):
  /// |signature| declares them, |call| passes them to the family function;
  /// the workspace (when asked for), batch and seq follow as usual.
  void entry(std::vector<std::string> signature, std::vector<std::string> call) {
    customSignature_ = std::move(signature);
    callArgs_ = std::move(call);
    custom_ = true;
  }
  /// __launch_bounds__'s second argument: with 1, ptxas may use registers
  /// up to what one block per multiprocessor allows (its default target is
  /// lower, and spilled the attention kernels on sm_90).
  void minBlocksPerMultiprocessor(int n) { minBlocks_ = n; }
  /// A type member of the configuration: `using |member| = |type|;`.
  void alias(StringRef member, StringRef type);

  /// The operand or result named |name| in the op table; null if absent.
  Value value(StringRef name) const;

  /// Tile parameter |name| of |table|: the op's `ssm.cuda_tiles` value, or
  /// the table's default; an overridable macro, and a member of the
  /// configuration named in lower case. Returns the value.
  int64_t tile(const tiles::TileTable &table, StringRef name);
  /// Configuration members: an int constant, a float constant, a flag.
  void constant(StringRef member, int64_t value);
  void constant(StringRef member, double value);
  void flag(StringRef member, bool value);
  /// A device function of the configuration: code the IR decided (the
  /// elementwise expression, the discretization, an epilogue).
  void function(StringRef declaration, StringRef body);

  /// The kernel: its source, tile parameters and, from |launch|, how it is
  /// launched.
  ssmrt::CudaKernelDesc finish(ssmrt::CudaKernelDesc launch);

private:
  Operation *op_;
  std::string file_, function_;
  llvm::StringMap<Value> values_; ///< op-table name -> operand or result
  std::vector<std::string> callArgs_;
  bool workspace_ = false, custom_ = false;
  int minBlocks_ = 0;
  std::vector<std::string> customSignature_;
  std::vector<ssmrt::TileParam> params_;
  std::string config_;
};

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CUDA_CUDAKERNELWRITER_H
