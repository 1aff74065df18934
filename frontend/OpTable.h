//===- OpTable.h - signatures of the language's built-in ops ----*- C++ -*-===//
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
  Float,      ///< A float or an int.
  OptFloat,   ///< A float, an int or none.
  Bool,
  IntList,    ///< A list of ints, e.g. `[24, 64]`.
};

struct OpArg {
  const char *name;
  ArgType type;
  bool required;
};

struct OpSignature {
  const char *name;
  OpKind kind;
  std::vector<OpArg> args;
  /// split(x, sizes..., axis) and concat(xs..., axis): the leading tensor
  /// (split) or tensors (concat) are followed by any number of positional
  /// arguments; only `axis` may be given by name.
  bool variadic = false;
};

/// The op called |name|, or null.
const OpSignature *lookupOp(std::string_view name);

/// Scalar built-in functions: ceil, floor, min, max, config.
bool isScalarBuiltin(std::string_view name);

/// Every name a call can refer to without a block (ops and scalar builtins),
/// for "did you mean" suggestions.
std::vector<std::string_view> builtinNames();

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_OPTABLE_H
