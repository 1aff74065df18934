//===- FunctionPlan.h - how a device will run one function ------*- C++ -*-===//
//
// What both executors decide when they prepare @forward or @decode, before
// anything device-specific: what each instruction is (skipped, a matrix
// product, the logits, a kernel, or the reference interpreter), which
// values are recurrent states of a call, which are weight-only results,
// whether every operand and result has storage, and the largest kernel
// workspace. A Program from an artifact has passed validateProgram; the
// plan checks what the executors additionally rely on.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_EXEC_FUNCTIONPLAN_H
#define SSMC_RUNTIME_EXEC_FUNCTIONPLAN_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"

#include <cstdint>
#include <vector>

namespace ssmrt {

/// What a device can do.
struct DeviceRules {
  /// Instructions without a kernel run in the reference interpreter (the
  /// CPU); without it they are an error (the GPU).
  bool referenceFallback = false;
  /// Matrix products may add a bias.
  bool matmulBias = false;
  /// The device runs ssm.moe (MixtureOfExperts on the CPU, the
  /// instruction's kernel on a GPU).
  bool moe = false;
  /// The device runs ssm.attention over its KV caches (the CPU itself, a
  /// GPU with the instruction's kernel).
  bool attention = false;
  /// Scratch floats per batch row of kernel i (its KernelDesc or
  /// CudaKernelDesc), for the kernels the function's instructions name.
  std::vector<int64_t> kernelWorkspace;

  /// The rules of a device whose kernels are |kernels| (CpuCode::kernels
  /// or CudaCode::kernels).
  template <typename Kernel>
  static DeviceRules of(const std::vector<Kernel> &kernels, bool referenceFallback,
                        bool matmulBias) {
    DeviceRules rules{referenceFallback, matmulBias, false, false, {}};
    for (const Kernel &k : kernels)
      rules.kernelWorkspace.push_back(k.workspace);
    return rules;
  }
};

/// What the CPU executor runs: its kernels, the reference interpreter for
/// the rest, matrix products with bias, MoE and attention.
DeviceRules cpuRules(const Program &program);

struct FunctionPlan {
  enum class Step : uint8_t {
    Skip,      ///< weight-only (evaluated at load) or a view: no work per call
    MatMul,    ///< linear: activation times weightᵀ
    Logits,    ///< the requested rows times the vocabulary matrix
    MoE,       ///< the mixture of experts as matrix products per expert
    Attention, ///< attention over the sequences' KV caches
    Kernel,    ///< the instruction's kernel
    Reference, ///< the float64 reference interpreter
  };
  /// Per instruction.
  std::vector<Step> steps;
  /// Per value: the state input of a call that holds it (inputs[2 + i] and
  /// outputs[1 + i] are state i), or -1.
  std::vector<int32_t> stateInput;
  /// Per value: produced by a weight-only instruction.
  std::vector<bool> once;
  int64_t workspacePerRow = 0;
  /// The logits weight's shape: [vocab, width]; 0 without logits.
  int64_t vocab = 0, logitsWidth = 0;

  /// Whether value |id| of |function| is an activation in a planned buffer.
  static bool planned(const Function &function, int32_t id);
};

/// Plans |function|; errors name the function, the instruction and its op.
StatusOr<FunctionPlan> planFunction(const Function &function, const DeviceRules &rules);

/// An instruction of the CPU functions that has no kernel and runs in the
/// float64 reference interpreter.
struct ReferenceUse {
  const Function *function;
  size_t index;
  /// "instruction 17 (ssd_scan) of 'forward' at std/mamba2.ssm:117:7"
  std::string describe() const;
};
/// Those of |program| (@forward, then @decode), as the CPU executor would
/// run them.
std::vector<ReferenceUse> referenceUses(const Program &program);
/// One line for the user about the ops |ops| that run in the reference
/// interpreter: "48 ops run in the float64 reference interpreter (no CPU
/// kernel): ssd_scan (24), gated_rmsnorm (24)"; "" for none.
std::string referenceNote(const std::vector<OpCode> &ops);
std::string referenceNote(const std::vector<ReferenceUse> &uses);

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_FUNCTIONPLAN_H
