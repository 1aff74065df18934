//===- SoftmaxRow.h - the vector work of an online softmax ------*- C++ -*-===//
//
// What attention does to each row of a score tile: its maximum, then
// exp(s - m) in place and the sum of those. std::exp is a scalar call per
// element and, at long prompts, costs about as much as the two products of
// a tile; these use a polynomial exp (Cephes' expf: range reduction by
// ln 2, degree-6 polynomial, about 1 ulp) on the widest vectors the CPU has,
// chosen at run time (AVX-512, AVX2 or portable).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_SOFTMAXROW_H
#define SSMC_RUNTIME_CPU_SOFTMAXROW_H

#include <cstdint>
#include <vector>

namespace ssmrt {

struct SoftmaxRowFns {
  /// The largest of p[0..n) (n >= 1); NaN if any is NaN.
  float (*max)(const float *p, int64_t n);
  /// p[j] = exp(p[j] - m) (the difference in float) for j < n; returns
  /// their sum. Inputs below
  /// m - 87 give about 1e-38 instead of less.
  float (*expSum)(float *p, int64_t n, float m);
};

struct SoftmaxRowVariant {
  const char *name; ///< "avx512", "avx2" or "portable"
  SoftmaxRowFns fns;
  bool supported; ///< whether this CPU runs it
};

/// Every implementation built into this binary, widest first.
const std::vector<SoftmaxRowVariant> &softmaxRowVariants();

/// The widest implementation this CPU runs.
const SoftmaxRowFns &softmaxRow();

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_SOFTMAXROW_H
