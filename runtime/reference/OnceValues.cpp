//===- OnceValues.cpp - weight-only instructions, evaluated once ----------===//
#include "runtime/reference/OnceValues.h"
#include "runtime/reference/ReferenceInterpreter.h"

using namespace ssmrt;

StatusOr<std::vector<std::vector<float>>>
ssmrt::evaluateOnceValues(const Function &function,
                          const std::function<const float *(int32_t)> &param) {
  const auto &values = function.values;
  std::vector<std::vector<float>> once(values.size());
  for (size_t i = 0; i < function.instrs.size(); ++i) {
    const Instr &in = function.instrs[i];
    if (!in.once)
      continue;
    std::vector<RefTensor> owned;
    owned.reserve(in.operands.size());
    std::vector<const RefTensor *> operands;
    for (int32_t id : in.operands) {
      if (id < 0) {
        operands.push_back(nullptr);
        continue;
      }
      const ValueDesc &v = values[id];
      if (v.kind != ValueKind::Param && once[id].empty())
        return Status::error("function '" + function.name + "', instruction " + std::to_string(i) +
                             ": a weight-only instruction reads a value that is not a weight");
      const float *src = v.kind == ValueKind::Param ? param(v.index) : once[id].data();
      RefTensor t(v.shape);
      for (int64_t k = 0; k < t.numElements(); ++k)
        t.data[k] = src[k];
      owned.push_back(std::move(t));
      operands.push_back(&owned.back());
    }
    std::vector<RefTensor> results;
    SSMRT_RETURN_IF_ERROR(ReferenceInterpreter::evaluate(function, in, operands, results));
    for (size_t r = 0; r < in.results.size(); ++r)
      once[in.results[r]].assign(results[r].data.begin(), results[r].data.end());
  }
  return once;
}
