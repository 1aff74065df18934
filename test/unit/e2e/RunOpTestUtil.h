//===- RunOpTestUtil.h - random inputs and comparisons for run-op tests -*- C++ -*-===//
#ifndef SSMC_TEST_UNIT_E2E_RUNOPTESTUTIL_H
#define SSMC_TEST_UNIT_E2E_RUNOPTESTUTIL_H

#include "codegen/driver/RunOp.h"

#include <string>
#include <vector>

namespace ssmc::test {

/// An argument's shape and the range its uniform random values come from.
struct Arg {
  std::vector<int64_t> shape;
  float lo = -1.0f, hi = 1.0f;
};

/// Inputs "arg0", "arg1", ... with values uniform in each Arg's range.
std::vector<OpTensor> randomInputs(const std::vector<Arg> &args, uint64_t seed);

/// Runs the function of |source| (MLIR text, named |what| in messages);
/// fails the current test on error.
RunOpResult runSource(const std::string &source, const std::string &what,
                      const std::vector<OpTensor> &inputs, RunOpOptions options,
                      ssmrt::gpu::GpuDevice *device = nullptr);

/// max|got - want| / max|want| per result; NaN never passes.
double maxRelativeError(const OpTensor &got, const OpTensor &want);
/// Every result within |tolerance| (max|got - want| / max|want|).
void expectClose(const std::vector<OpTensor> &got, const std::vector<OpTensor> &want,
                 double tolerance = 1e-5);

} // namespace ssmc::test

#endif // SSMC_TEST_UNIT_E2E_RUNOPTESTUTIL_H
