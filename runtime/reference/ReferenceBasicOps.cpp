//===- ReferenceBasicOps.cpp - embedding, norms, linear, elementwise ------===//

#include "runtime/reference/ReferenceOpSupport.h"

#include <algorithm>

namespace ssmrt {

/// The multi-index of element |flat| of a tensor of |shape|.
static std::vector<int64_t> unflatten(int64_t flat, const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  return index;
}

/// The size of the last dimension of |t|, which must have rank >= 1.
static Status lastDim(const char *name, const RefTensor &t, int64_t &out) {
  if (t.rank() == 0)
    return Status::error("operand '" + std::string(name) +
                         "' is a scalar but needs a feature dimension");
  out = t.shape.back();
  return okStatus();
}

/// The number of rows of |t| when its last dimension holds the features.
static int64_t rowsOf(const RefTensor &t) {
  return shapeElements(std::vector<int64_t>(t.shape.begin(), t.shape.end() - 1));
}

/// out[i] = x[i] · rsqrt(mean(x²) + eps) · w[i] over |n| features.
static void rmsnormRow(const double *x, const double *w, int64_t n, double eps, double *out) {
  double sumSq = 0;
  for (int64_t i = 0; i < n; ++i)
    sumSq += x[i] * x[i];
  double inv = 1.0 / std::sqrt(sumSq / static_cast<double>(n) + eps);
  for (int64_t i = 0; i < n; ++i)
    out[i] = x[i] * inv * w[i];
}

Status evaluateEmbedding(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *table, *ids;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "table", table));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "ids", ids));
  SSMRT_RETURN_IF_ERROR(expectRank("table", *table, 2));
  int64_t vocab = table->shape[0], width = table->shape[1];
  std::vector<int64_t> shape = ids->shape;
  shape.push_back(width);
  RefTensor out(shape);
  for (int64_t i = 0; i < ids->numElements(); ++i) {
    double id = ids->data[i];
    if (!(id >= 0 && id < static_cast<double>(vocab)) ||
        id != static_cast<double>(static_cast<int64_t>(id)))
      return Status::error("token id " + formatNumber(id) + " at position " +
                           formatShape(unflatten(i, ids->shape)) + " is outside [0, " +
                           std::to_string(vocab) + ")");
    const double *row = table->data.data() + static_cast<int64_t>(id) * width;
    std::copy(row, row + width, out.data.data() + i * width);
  }
  results.push_back(std::move(out));
  return okStatus();
}

namespace {
Status linearOrLogits(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *w;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "weight", w));
  const RefTensor *bias = optionalOperand(call, 2);
  int64_t in;
  SSMRT_RETURN_IF_ERROR(lastDim("input", *x, in));
  SSMRT_RETURN_IF_ERROR(expectRank("weight", *w, 2));
  int64_t outWidth = w->shape[0];
  SSMRT_RETURN_IF_ERROR(expectShape("weight", *w, {outWidth, in}));
  if (bias)
    SSMRT_RETURN_IF_ERROR(expectShape("bias", *bias, {outWidth}));
  std::vector<int64_t> shape = x->shape;
  shape.back() = outWidth;
  RefTensor out(shape);
  for (int64_t r = 0; r < rowsOf(*x); ++r)
    for (int64_t o = 0; o < outWidth; ++o) {
      double acc = bias ? bias->data[o] : 0.0;
      for (int64_t i = 0; i < in; ++i)
        acc += x->data[r * in + i] * w->data[o * in + i];
      out.data[r * outWidth + o] = acc;
    }
  results.push_back(std::move(out));
  return okStatus();
}
} // namespace

Status evaluateLinear(const RefOpCall &call, std::vector<RefTensor> &results) {
  return linearOrLogits(call, results);
}

Status evaluateLogits(const RefOpCall &call, std::vector<RefTensor> &results) {
  return linearOrLogits(call, results);
}

Status evaluateRMSNorm(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *w;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "weight", w));
  double eps;
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "eps", 1e-5, eps));
  int64_t width;
  SSMRT_RETURN_IF_ERROR(lastDim("input", *x, width));
  SSMRT_RETURN_IF_ERROR(expectShape("weight", *w, {width}));
  RefTensor out(x->shape);
  for (int64_t r = 0; r < rowsOf(*x); ++r)
    rmsnormRow(x->data.data() + r * width, w->data.data(), width, eps, out.data.data() + r * width);
  results.push_back(std::move(out));
  return okStatus();
}

Status evaluateGatedRMSNorm(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *z, *w;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "gate", z));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 2, "weight", w));
  double eps;
  int64_t groupSize, normBeforeGate;
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "eps", 1e-5, eps));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "group_size", groupSize));
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "norm_before_gate", 0, normBeforeGate));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("group_size", groupSize));
  int64_t width;
  SSMRT_RETURN_IF_ERROR(lastDim("input", *x, width));
  SSMRT_RETURN_IF_ERROR(expectShape("gate", *z, x->shape));
  SSMRT_RETURN_IF_ERROR(expectShape("weight", *w, {width}));
  if (width % groupSize != 0)
    return Status::error("attribute 'group_size' (" + std::to_string(groupSize) +
                         ") does not divide the feature size " + std::to_string(width));
  RefTensor out(x->shape);
  std::vector<double> gated(groupSize);
  for (int64_t g = 0; g < x->numElements() / groupSize; ++g) {
    int64_t base = g * groupSize;
    const double *wg = w->data.data() + base % width;
    for (int64_t i = 0; i < groupSize; ++i)
      gated[i] =
          normBeforeGate ? x->data[base + i] : x->data[base + i] * refSilu(z->data[base + i]);
    rmsnormRow(gated.data(), wg, groupSize, eps, out.data.data() + base);
    if (normBeforeGate)
      for (int64_t i = 0; i < groupSize; ++i)
        out.data[base + i] *= refSilu(z->data[base + i]);
  }
  results.push_back(std::move(out));
  return okStatus();
}

Status evaluateAddRMSNorm(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *residual, *w;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "residual", residual));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 2, "weight", w));
  double eps;
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "eps", 1e-5, eps));
  int64_t width;
  SSMRT_RETURN_IF_ERROR(lastDim("input", *x, width));
  SSMRT_RETURN_IF_ERROR(expectShape("residual", *residual, x->shape));
  SSMRT_RETURN_IF_ERROR(expectShape("weight", *w, {width}));
  RefTensor normed(x->shape), sum(x->shape);
  for (int64_t i = 0; i < x->numElements(); ++i)
    sum.data[i] = x->data[i] + residual->data[i];
  for (int64_t r = 0; r < rowsOf(*x); ++r)
    rmsnormRow(sum.data.data() + r * width, w->data.data(), width, eps,
               normed.data.data() + r * width);
  results.push_back(std::move(normed));
  results.push_back(std::move(sum));
  return okStatus();
}

namespace {
/// add and mul: NumPy broadcasting from the trailing dimension.
Status broadcastBinary(const RefOpCall &call, std::vector<RefTensor> &results,
                       double (*f)(double, double)) {
  const RefTensor *lhs, *rhs;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "lhs", lhs));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "rhs", rhs));
  // Align the shapes at the trailing dimension; a size-1 dimension (or a
  // missing leading one) broadcasts.
  size_t rank = std::max(lhs->shape.size(), rhs->shape.size());
  std::vector<int64_t> shape(rank), lhsStride(rank, 0), rhsStride(rank, 0);
  int64_t lhsStep = 1, rhsStep = 1;
  for (size_t i = rank; i-- > 0;) {
    size_t fromEnd = rank - 1 - i;
    int64_t l = fromEnd < lhs->shape.size() ? lhs->shape[lhs->shape.size() - 1 - fromEnd] : 1;
    int64_t r = fromEnd < rhs->shape.size() ? rhs->shape[rhs->shape.size() - 1 - fromEnd] : 1;
    if (l != r && l != 1 && r != 1)
      return Status::error("operands 'lhs' " + formatShape(lhs->shape) + " and 'rhs' " +
                           formatShape(rhs->shape) + " do not broadcast");
    shape[i] = l == 1 ? r : l;
    lhsStride[i] = l == 1 ? 0 : lhsStep;
    rhsStride[i] = r == 1 ? 0 : rhsStep;
    lhsStep *= l;
    rhsStep *= r;
  }
  RefTensor out(shape);
  for (int64_t i = 0; i < out.numElements(); ++i) {
    int64_t rest = i, li = 0, ri = 0;
    for (size_t d = rank; d-- > 0;) {
      int64_t c = rest % shape[d];
      rest /= shape[d];
      li += c * lhsStride[d];
      ri += c * rhsStride[d];
    }
    out.data[i] = f(lhs->data[li], rhs->data[ri]);
  }
  results.push_back(std::move(out));
  return okStatus();
}

/// Unary ops: |f| of each element and the op's threshold attribute.
Status mapUnary(const RefOpCall &call, std::vector<RefTensor> &results,
                double (*f)(double, double)) {
  const RefTensor *x;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  double threshold;
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "threshold", 20.0, threshold));
  RefTensor out(x->shape);
  for (int64_t i = 0; i < x->numElements(); ++i)
    out.data[i] = f(x->data[i], threshold);
  results.push_back(std::move(out));
  return okStatus();
}
} // namespace

Status evaluateAdd(const RefOpCall &call, std::vector<RefTensor> &results) {
  return broadcastBinary(call, results, [](double a, double b) { return a + b; });
}

Status evaluateMul(const RefOpCall &call, std::vector<RefTensor> &results) {
  return broadcastBinary(call, results, [](double a, double b) { return a * b; });
}

Status evaluateNeg(const RefOpCall &call, std::vector<RefTensor> &results) {
  return mapUnary(call, results, [](double v, double) { return -v; });
}

Status evaluateExp(const RefOpCall &call, std::vector<RefTensor> &results) {
  return mapUnary(call, results, [](double v, double) { return std::exp(v); });
}

Status evaluateSilu(const RefOpCall &call, std::vector<RefTensor> &results) {
  return mapUnary(call, results, [](double v, double) { return refSilu(v); });
}

Status evaluateSoftplus(const RefOpCall &call, std::vector<RefTensor> &results) {
  return mapUnary(call, results, [](double v, double t) { return refSoftplus(v, t); });
}

} // namespace ssmrt
