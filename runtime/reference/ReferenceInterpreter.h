//===- ReferenceInterpreter.h - float64 oracle for programs -----*- C++ -*-===//
//
// Runs a Function of a Program instruction by instruction in double
// precision with the plain-loop semantics of ReferenceOps.h. It is the
// numerical oracle of the test suite: slow, simple, and strict about shapes.
// Every error is a Status naming the instruction and its op, e.g.
//   "instruction 17 (selective_scan): operand 'B' has shape [2, 5, 16] but
//    expected [2, 5, 32]"
//
// Function conventions (runtime/artifact/Program.h): inputs are tokens
// [B, L], seq_lens [B] (or -1 when the function does not read them), then
// the state values; outputs are the logits, then the state values written,
// output 1 + i being the final value of state input 2 + i. Values of kind
// Param are bound to the parameters given to the constructor.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_REFERENCE_REFERENCEINTERPRETER_H
#define SSMC_RUNTIME_REFERENCE_REFERENCEINTERPRETER_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/reference/ReferenceTensor.h"

#include <cstdint>
#include <vector>

namespace ssmrt {

class ReferenceInterpreter {
public:
  /// |params[i]| is parameter i of |program| (shape program.params[i].shape),
  /// f64 row-major. |program| and |function| must outlive the interpreter;
  /// the parameters are checked by run().
  ReferenceInterpreter(const Program &program, const Function &function,
                       std::vector<RefTensor> params);

  /// Runs the function on |tokens| [batch, seqLen] (row-major) with
  /// per-sequence lengths |seqLens| (empty = all seqLen). |states| holds one
  /// tensor per state input of the function (Function.inputs[2..], in order;
  /// zero-filled tensors for a fresh sequence, a [B, KV, 0, hd] KV cache)
  /// and receives the final states in the same order. |logits| receives
  /// [B, L, V]. On error |states| and |logits| are left unchanged.
  Status run(const std::vector<int32_t> &tokens, int64_t batch, int64_t seqLen,
             const std::vector<int32_t> &seqLens, std::vector<RefTensor> &states,
             RefTensor &logits);

  /// Evaluates one instruction of |function| on the given operand tensors,
  /// one per entry of instr.operands (nullptr for absent optional operands;
  /// integer operands such as ids and seq_lens as exact doubles), checks
  /// the results against the shapes |function| declares for them and stores
  /// them in |results|. Used by the CPU runtime for `once` instructions
  /// (e.g. A = -exp(A_log)) and by kernel unit tests.
  static Status evaluate(const Function &function, const Instr &instr,
                         const std::vector<const RefTensor *> &operands,
                         std::vector<RefTensor> &results);

private:
  Status checkParams() const;
  Status bindInputs(const std::vector<int32_t> &tokens, int64_t batch, int64_t seqLen,
                    const std::vector<int32_t> &seqLens, const std::vector<RefTensor> &states,
                    std::vector<const RefTensor *> &bound, std::vector<RefTensor> &owned) const;

  const Program &program_;
  const Function &function_;
  std::vector<RefTensor> params_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_REFERENCE_REFERENCEINTERPRETER_H
