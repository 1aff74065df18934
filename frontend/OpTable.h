//===- OpTable.h - signatures of the language's built-in ops ----*- C++ -*-===//
//
// What a call to a built-in op may pass, derived from the op table
// (runtime/artifact/Ops.def): the op's operands and attributes that have a
// name in the model language, in order, and the language-only arguments.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_FRONTEND_OPTABLE_H
#define SSMC_FRONTEND_OPTABLE_H

#include "frontend/Graph.h"

#include <string_view>
#include <vector>

namespace ssmc::fe {

enum class ArgType {
  Tensor,     ///< A tensor.
  OptTensor,  ///< A tensor or none.
  TensorList, ///< A list of tensors (the experts of `moe`).
  Int,
  Float,    ///< A float or an int.
  OptFloat, ///< A float, an int or none.
  Bool,
  IntList, ///< A list of ints, e.g. `[24, 64]`.
};

struct OpArg {
  const char *name; ///< in the language
  ArgType type;
  bool required;
  /// The op's attribute this argument sets ("" for tensors and for
  /// arguments of the language only), and its kind.
  const char *attr;
  ssmrt::AttrKind attrKind;
};

struct OpSignature {
  const char *name;
  OpCode kind;
  const ssmrt::OpInfo *info;
  std::vector<OpArg> args;
  /// split(x, sizes..., axis) and concat(xs..., axis): after the first
  /// |positional| arguments come any number of positional ones; the
  /// arguments after those can only be given by name.
  bool variadic = false;
  size_t positional = 0;
};

/// The op called |name| (one a model file may call), or null.
const OpSignature *lookupOp(std::string_view name);

/// Scalar built-in functions: ceil, floor, min, max, config.
bool isScalarBuiltin(std::string_view name);

/// Every name a call can refer to without a block (ops and scalar builtins),
/// for "did you mean" suggestions.
std::vector<std::string_view> builtinNames();

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_OPTABLE_H
