//===- OnceValues.h - weight-only instructions, evaluated once --*- C++ -*-===//
#ifndef SSMC_RUNTIME_REFERENCE_ONCEVALUES_H
#define SSMC_RUNTIME_REFERENCE_ONCEVALUES_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"

#include <functional>
#include <vector>

namespace ssmrt {

/// Evaluates the weight-only (`once`) instructions of |function| in float64
/// (the reference implementation), reading parameter i from |param|(i).
/// Returns the results as floats by value id; other values are empty.
StatusOr<std::vector<std::vector<float>>>
evaluateOnceValues(const Function &function, const std::function<const float *(int32_t)> &param);

} // namespace ssmrt

#endif // SSMC_RUNTIME_REFERENCE_ONCEVALUES_H
