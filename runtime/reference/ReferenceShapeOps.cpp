//===- ReferenceShapeOps.cpp - split, concat, reshape, transpose ----------===//

#include "runtime/reference/ReferenceOpSupport.h"

#include <algorithm>

namespace ssmrt {

/// Resolves |axis| (negative counts from the end) against |rank|.
static Status resolveAxis(int64_t axis, int64_t rank, int64_t &out) {
  out = axis < 0 ? axis + rank : axis;
  if (out < 0 || out >= rank)
    return Status::error("attribute 'axis' (" + std::to_string(axis) +
                         ") is out of range for rank " + std::to_string(rank));
  return okStatus();
}

/// Products of the dimensions before and after |axis|.
static void outerInner(const std::vector<int64_t> &shape, int64_t axis, int64_t &outer,
                       int64_t &inner) {
  outer = shapeElements(std::vector<int64_t>(shape.begin(), shape.begin() + axis));
  inner = shapeElements(std::vector<int64_t>(shape.begin() + axis + 1, shape.end()));
}

Status evaluateSplit(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  std::vector<int64_t> sizes;
  int64_t axisAttr, axis;
  SSMRT_RETURN_IF_ERROR(requiredIntsAttr(call.instr, "sizes", sizes));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "axis", axisAttr));
  SSMRT_RETURN_IF_ERROR(resolveAxis(axisAttr, x->rank(), axis));
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return Status::error("attribute 'sizes' has a negative size " + std::to_string(s));
    total += s;
  }
  if (total != x->shape[axis])
    return Status::error("attribute 'sizes' adds up to " + std::to_string(total) +
                         " but operand 'input' " + formatShape(x->shape) + " has " +
                         std::to_string(x->shape[axis]) + " along axis " + std::to_string(axis));
  int64_t outer, inner;
  outerInner(x->shape, axis, outer, inner);
  int64_t offset = 0;
  for (int64_t s : sizes) {
    std::vector<int64_t> shape = x->shape;
    shape[axis] = s;
    RefTensor piece(shape);
    for (int64_t o = 0; o < outer; ++o)
      std::copy_n(x->data.begin() + (o * total + offset) * inner, s * inner,
                  piece.data.begin() + o * s * inner);
    offset += s;
    results.push_back(std::move(piece));
  }
  return okStatus();
}

Status evaluateConcat(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *first;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "inputs", first));
  int64_t axisAttr, axis;
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "axis", -1, axisAttr));
  SSMRT_RETURN_IF_ERROR(resolveAxis(axisAttr, first->rank(), axis));
  std::vector<int64_t> shape = first->shape;
  shape[axis] = 0;
  for (size_t i = 0; i < call.operands.size(); ++i) {
    const RefTensor *in;
    SSMRT_RETURN_IF_ERROR(requireOperand(call, i, "inputs", in));
    std::vector<int64_t> expected = in->shape;
    if (in->rank() == first->rank())
      expected[axis] = first->shape[axis];
    if (expected != first->shape)
      return Status::error("operand " + std::to_string(i) + " has shape " + formatShape(in->shape) +
                           ", which does not concatenate with " + formatShape(first->shape) +
                           " along axis " + std::to_string(axis));
    shape[axis] += in->shape[axis];
  }
  int64_t outer, inner;
  outerInner(shape, axis, outer, inner);
  RefTensor out(shape);
  int64_t offset = 0;
  for (const RefTensor *in : call.operands) {
    int64_t s = in->shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      std::copy_n(in->data.begin() + o * s * inner, s * inner,
                  out.data.begin() + (o * shape[axis] + offset) * inner);
    offset += s;
  }
  results.push_back(std::move(out));
  return okStatus();
}

Status evaluateReshape(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  if (call.resultShapes.size() != 1)
    return Status::error("expected one declared result shape");
  // Dynamic sizes lead and stay where they are: take them from the input.
  std::vector<int64_t> shape = call.resultShapes[0];
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == kDynamic) {
      if (i >= x->shape.size())
        return Status::error("dynamic result dimension " + std::to_string(i) +
                             " has no counterpart in operand 'input' " + formatShape(x->shape));
      shape[i] = x->shape[i];
    } else if (shape[i] < 0) {
      return Status::error("declared result shape " + formatShape(call.resultShapes[0]) +
                           " has a negative size");
    }
  if (shapeElements(shape) != x->numElements())
    return Status::error("operand 'input' " + formatShape(x->shape) + " cannot be reshaped to " +
                         formatShape(shape));
  results.push_back(RefTensor(shape, x->data));
  return okStatus();
}

Status evaluateTranspose(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  std::vector<int64_t> perm;
  SSMRT_RETURN_IF_ERROR(requiredIntsAttr(call.instr, "permutation", perm));
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool isPermutation = static_cast<int64_t>(perm.size()) == x->rank();
  for (size_t i = 0; isPermutation && i < sorted.size(); ++i)
    isPermutation = sorted[i] == static_cast<int64_t>(i);
  if (!isPermutation)
    return Status::error("attribute 'permutation' is not a permutation of "
                         "the dimensions of operand 'input' " +
                         formatShape(x->shape));
  size_t rank = perm.size();
  std::vector<int64_t> shape(rank), inStride(x->rank());
  int64_t step = 1;
  for (size_t d = rank; d-- > 0;) {
    inStride[d] = step;
    step *= x->shape[d];
  }
  for (size_t i = 0; i < rank; ++i)
    shape[i] = x->shape[perm[i]];
  RefTensor out(shape);
  for (int64_t i = 0; i < out.numElements(); ++i) {
    int64_t rest = i, src = 0;
    for (size_t d = rank; d-- > 0;) {
      src += (rest % shape[d]) * inStride[perm[d]];
      rest /= shape[d];
    }
    out.data[i] = x->data[src];
  }
  results.push_back(std::move(out));
  return okStatus();
}

} // namespace ssmrt
