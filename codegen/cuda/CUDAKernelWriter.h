//===- CUDAKernelWriter.h - building the source of one CUDA kernel -*- C++ -*-===//
//
// What every CUDA kernel emitter shares: the argument list that the kernel
// ABI of docs/artifact.md derives from an op's operands and results (their
// roles and element types), load/store expressions that convert between the
// stored dtype and f32, tile parameters as overridable macros, and the
// final source (preamble, parameters, entry point). The kernel's name is the
// op's mnemonic and a hash of its source, so ops that need the same code
// share one kernel.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CUDA_CUDAKERNELWRITER_H
#define SSMC_CODEGEN_CUDA_CUDAKERNELWRITER_H

#include "passes/ValueRoles.h"
#include "runtime/artifact/Program.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::ssm {

/// The C++ element type of a tensor value in a kernel: float, ssm_bf16,
/// ssm_f16 or int.
std::string cudaElementType(Value v);

/// A float literal that reads back as |v| in f32.
std::string cudaFloat(double v);

class CUDAKernelWriter {
public:
  explicit CUDAKernelWriter(Operation *op) : op_(op) {}

  /// Declares the kernel arguments: |operands| names the op's ODS operands
  /// in order and |results| its results; absent optional operands are
  /// skipped. Appends the workspace and batch/seq arguments.
  void declare(ArrayRef<StringRef> operands, ArrayRef<StringRef> results, bool workspace = false);
  bool has(StringRef name) const { return args_.count(name) != 0; }
  Value value(StringRef name) const { return args_.lookup(name).value; }

  /// f32 expression of activation |name| at token row |row|, column |col|.
  std::string load(StringRef name, StringRef row, StringRef col) const;
  /// f32 expression of element |index| of a weight, state or contiguous value.
  std::string at(StringRef name, StringRef index) const;
  /// Statement storing f32 |v| into activation |name| at (|row|, |col|).
  std::string store(StringRef name, StringRef row, StringRef col, StringRef v) const;
  /// Statement storing f32 |v| at element |index| of a state or weight.
  std::string storeAt(StringRef name, StringRef index, StringRef v) const;

  /// A tile parameter: its value from the op's ssm.cuda_tiles (or |dflt|)
  /// and the values a tuner may try. Returns the value.
  int64_t param(StringRef name, int64_t dflt, std::vector<int64_t> choices);
  /// A compile-time constant of the kernel (a shape).
  void constant(StringRef name, int64_t value);

  llvm::raw_ostream &body() { return body_; }

  /// The kernel: source, parameters and, from |launch|, the launch fields.
  ssmrt::CudaKernelDesc finish(ssmrt::CudaKernelDesc launch);

private:
  struct Arg {
    Value value;
    ValueRole role = ValueRole::Absent;
    std::string type;
    bool output = false;
  };
  void addArg(StringRef name, Value v, bool output);

  Operation *op_;
  llvm::StringMap<Arg> args_;
  std::vector<std::string> signature_;
  std::vector<ssmrt::TileParam> params_;
  std::string constants_;
  std::string bodyText_;
  llvm::raw_string_ostream body_{bodyText_};
};

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CUDA_CUDAKERNELWRITER_H
