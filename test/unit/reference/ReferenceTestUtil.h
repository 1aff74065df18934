//===- ReferenceTestUtil.h - helpers for the reference tests ----*- C++ -*-===//
//
// Seeded random tensors, element access by multi-index for the naive
// formulas the tests compare against, slicing along the batch and sequence
// axes, one-instruction evaluation and a builder for small Programs.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_UNIT_REFERENCE_REFERENCETESTUTIL_H
#define SSMC_TEST_UNIT_REFERENCE_REFERENCETESTUTIL_H

#include "runtime/reference/ReferenceInterpreter.h"

#include <initializer_list>
#include <random>
#include <string>

namespace ssmrt::test {

/// Uniform values from a fixed seed, so every run sees the same inputs.
class TestRng {
public:
  explicit TestRng(uint64_t seed) : gen_(seed) {}
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(gen_);
  }
  /// A tensor of |shape| with values in [lo, hi).
  RefTensor tensor(std::vector<int64_t> shape, double lo = -1.0, double hi = 1.0);

private:
  std::mt19937_64 gen_;
};

/// The element of |t| at multi-index |index| (row-major).
double at(const RefTensor &t, std::initializer_list<int64_t> index);
double &at(RefTensor &t, std::initializer_list<int64_t> index);

/// Steps [begin, end) of a [B, L, ...] tensor.
RefTensor sliceSteps(const RefTensor &t, int64_t begin, int64_t end);
/// Batch row |b| of a [B, ...] tensor, as a [1, ...] tensor.
RefTensor sliceBatch(const RefTensor &t, int64_t b);
/// A seq_lens operand [B].
RefTensor lengths(std::vector<int64_t> lens);

/// The largest |a - b| over all elements; infinity when the shapes differ.
double maxAbsDiff(const RefTensor &a, const RefTensor &b);

Attr intAttr(const std::string &name, int64_t value);
Attr intsAttr(const std::string &name, std::vector<int64_t> values);
Attr floatAttr(const std::string &name, double value);

/// Evaluates one |op| instruction on |operands| (nullptr = absent) whose
/// results are declared with |resultShapes|.
Status evalOp(OpCode op, const std::vector<const RefTensor *> &operands,
              const std::vector<Attr> &attrs, const std::vector<std::vector<int64_t>> &resultShapes,
              std::vector<RefTensor> &results);
/// evalOp() that records a test failure on error.
std::vector<RefTensor> evalOk(OpCode op, const std::vector<const RefTensor *> &operands,
                              const std::vector<Attr> &attrs,
                              const std::vector<std::vector<int64_t>> &resultShapes);
/// evalOp() that expects an error and returns its message.
std::string evalError(OpCode op, const std::vector<const RefTensor *> &operands,
                      const std::vector<Attr> &attrs,
                      const std::vector<std::vector<int64_t>> &resultShapes);

/// Builds a Program whose `forward` function is assembled value by value.
class ProgramBuilder {
public:
  Function &fn() { return program.forward; }
  /// A new value; returns its id.
  int32_t value(ValueKind kind, std::vector<int64_t> shape, int32_t index = -1, int32_t sub = 0);
  /// A new parameter and its Param value; returns the value id.
  int32_t param(const std::string &name, std::vector<int64_t> shape);
  /// A new state slot and the value that reads it (an input of forward).
  int32_t stateInput(const std::string &name, StateKind kind, std::vector<int64_t> valueShape);
  /// Appends an instruction with fresh Temp results of |resultShapes|;
  /// returns the result ids.
  std::vector<int32_t> instr(OpCode op, std::vector<int32_t> operands,
                             std::vector<std::vector<int64_t>> resultShapes,
                             std::vector<Attr> attrs = {});

  Program program;
};

} // namespace ssmrt::test

#endif // SSMC_TEST_UNIT_REFERENCE_REFERENCETESTUTIL_H
