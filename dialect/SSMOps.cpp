//===- SSMOps.cpp - ssm dialect verifiers ---------------------------------===//
//
// Each verifier names the operand and the expected versus actual shape.
// Batch and sequence sizes propagate from the op's primary input: a dynamic
// size matches anything, a static one must agree.
//
//===----------------------------------------------------------------------===//
#include "dialect/SSMOps.h"
#include "dialect/SSMShapeCheck.h"

#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::ssm;

#define GET_OP_CLASSES
#include "dialect/SSMOps.cpp.inc"

namespace {
/// Returns the last dimension of |value| (its feature width).
int64_t lastDim(Value value) { return shapeOf(value).back(); }

/// Shape of |value| with its last dimension replaced by |last|.
SmallVector<int64_t> withLastDim(Value value, int64_t last) {
  SmallVector<int64_t> shape(shapeOf(value));
  shape.back() = last;
  return shape;
}

/// Leading dimensions stay "any" (batch, sequence), the rest are concrete.
SmallVector<int64_t> anyLeading(ArrayRef<int64_t> shape, size_t numLeading) {
  SmallVector<int64_t> out(shape);
  for (size_t i = 0; i < numLeading && i < out.size(); ++i)
    out[i] = kAnyDim;
  return out;
}

LogicalResult checkPositive(Operation *op, StringRef name, int64_t value) {
  if (value > 0)
    return success();
  return op->emitOpError() << "attribute '" << name << "' must be positive, got " << value;
}

/// Checks an optional [B] tensor of sequence lengths against |like|.
LogicalResult checkSeqLens(Operation *op, Value seqLens, Value like) {
  if (!seqLens)
    return success();
  return checkShape(op, "operand 'seq_lens'", seqLens, {dimOrAny(like, 0)});
}
} // namespace

//===----------------------------------------------------------------------===//
// Parameters, embedding, logits
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError() << "needs a non-empty checkpoint tensor name";
  auto type = llvm::cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return emitOpError() << "parameter '" << getName() << "' has shape "
                         << formatShape(type.getShape())
                         << " but parameters must have a static shape";
  return success();
}

LogicalResult EmbeddingOp::verify() {
  if (failed(checkRank(*this, "operand 'table'", getTable(), 2)) ||
      failed(checkRank(*this, "operand 'ids'", getIds(), 2, 2)))
    return failure();
  return checkShape(*this, "result", getResult(),
                    {dimOrAny(getIds(), 0), dimOrAny(getIds(), 1), shapeOf(getTable())[1]});
}

LogicalResult LogitsOp::verify() {
  if (failed(checkRank(*this, "operand 'weight'", getWeight(), 2)))
    return failure();
  ArrayRef<int64_t> w = shapeOf(getWeight());
  if (shapeOf(getInput()).size() < 2)
    return emitOpError() << "operand 'input' has shape " << formatShape(shapeOf(getInput()))
                         << " but expected rank >= 2";
  if (failed(checkShape(*this, "operand 'input'", getInput(),
                        anyLeading(withLastDim(getInput(), w[1]), shapeOf(getInput()).size() - 1))))
    return failure();
  return checkShape(*this, "result", getResult(),
                    anyLeading(withLastDim(getInput(), w[0]), shapeOf(getInput()).size() - 1));
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

namespace {
/// Checks a [D] weight against the last dimension of |input|.
LogicalResult checkNormWeight(Operation *op, Value input, Value weight) {
  if (failed(checkRank(op, "operand 'input'", input, shapeOf(input).size(),
                       shapeOf(input).size() - 1)))
    return failure();
  return checkShape(op, "operand 'weight'", weight, {lastDim(input)});
}

/// Checks that |value| has the same shape as |input| (up to dynamic sizes).
LogicalResult checkLike(Operation *op, StringRef name, Value value, Value input) {
  size_t rank = shapeOf(input).size();
  SmallVector<int64_t> expected(shapeOf(input));
  for (size_t i = 0; i < rank; ++i)
    if (ShapedType::isDynamic(expected[i]))
      expected[i] = kAnyDim;
  return checkShape(op, name, value, expected);
}
} // namespace

LogicalResult RMSNormOp::verify() {
  if (failed(checkNormWeight(*this, getInput(), getWeight())))
    return failure();
  if (getEps().convertToDouble() < 0)
    return emitOpError() << "attribute 'eps' must be non-negative";
  return checkLike(*this, "result", getResult(), getInput());
}

LogicalResult GatedRMSNormOp::verify() {
  if (failed(checkNormWeight(*this, getInput(), getWeight())) ||
      failed(checkLike(*this, "operand 'gate'", getGate(), getInput())) ||
      failed(checkPositive(*this, "group_size", getGroupSize())))
    return failure();
  if (lastDim(getInput()) % getGroupSize() != 0)
    return emitOpError() << "attribute 'group_size' (" << getGroupSize()
                         << ") must divide the feature width " << lastDim(getInput());
  return checkLike(*this, "result", getResult(), getInput());
}

LogicalResult AddRMSNormOp::verify() {
  if (failed(checkNormWeight(*this, getInput(), getWeight())) ||
      failed(checkLike(*this, "operand 'residual'", getResidual(), getInput())) ||
      failed(checkLike(*this, "result 'normed'", getNormed(), getInput())))
    return failure();
  return checkLike(*this, "result 'sum'", getSum(), getInput());
}

//===----------------------------------------------------------------------===//
// Linear algebra and data movement
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(checkRank(*this, "operand 'weight'", getWeight(), 2)))
    return failure();
  ArrayRef<int64_t> w = shapeOf(getWeight());
  size_t rank = shapeOf(getInput()).size();
  if (rank < 1)
    return emitOpError() << "operand 'input' must have rank >= 1";
  if (failed(checkShape(*this, "operand 'input'", getInput(),
                        anyLeading(withLastDim(getInput(), w[1]), rank - 1))))
    return failure();
  if (getBias() && failed(checkShape(*this, "operand 'bias'", getBias(), {w[0]})))
    return failure();
  SmallVector<int64_t> expected = withLastDim(getInput(), w[0]);
  for (size_t i = 0; i + 1 < rank; ++i)
    expected[i] = dimOrAny(getInput(), i);
  return checkShape(*this, "result", getResult(), expected);
}

namespace {
/// Normalizes a possibly negative axis; fails with a message when out of range.
FailureOr<int64_t> normalizeAxis(Operation *op, int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    op->emitOpError() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return a;
}
} // namespace

LogicalResult SplitOp::verify() {
  int64_t rank = shapeOf(getInput()).size();
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), rank);
  if (failed(axis))
    return failure();
  int64_t extent = shapeOf(getInput())[*axis];
  if (ShapedType::isDynamic(extent))
    return emitOpError() << "cannot split dynamic dimension " << *axis
                         << " of operand 'input' with shape " << formatShape(shapeOf(getInput()));
  ArrayRef<int64_t> sizes = getSizes();
  if (sizes.size() != getResults().size())
    return emitOpError() << "has " << sizes.size() << " sizes but " << getResults().size()
                         << " results";
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s <= 0)
      return emitOpError() << "split sizes must be positive, got " << s;
    total += s;
  }
  if (total != extent)
    return emitOpError() << "split sizes add up to " << total << " but dimension " << *axis
                         << " of operand 'input' " << formatShape(shapeOf(getInput())) << " is "
                         << extent;
  for (auto [i, result] : llvm::enumerate(getResults())) {
    SmallVector<int64_t> expected(shapeOf(getInput()));
    for (int64_t d = 0; d < rank; ++d)
      if (ShapedType::isDynamic(expected[d]))
        expected[d] = kAnyDim;
    expected[*axis] = sizes[i];
    if (failed(checkShape(*this, ("result #" + Twine(i)).str(), result, expected)))
      return failure();
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  Value first = getInputs().front();
  int64_t rank = shapeOf(first).size();
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), rank);
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    SmallVector<int64_t> expected(shapeOf(first));
    for (int64_t d = 0; d < rank; ++d)
      if (ShapedType::isDynamic(expected[d]))
        expected[d] = kAnyDim;
    int64_t extent = dimOrAny(input, *axis);
    if (ShapedType::isDynamic(extent) && shapeOf(input).size() == size_t(rank))
      return emitOpError() << "cannot concatenate along dynamic dimension " << *axis;
    expected[*axis] = extent;
    if (failed(checkShape(*this, ("operand #" + Twine(i)).str(), input, expected)))
      return failure();
    total += extent;
  }
  SmallVector<int64_t> expected(shapeOf(first));
  for (int64_t d = 0; d < rank; ++d)
    if (ShapedType::isDynamic(expected[d]))
      expected[d] = kAnyDim;
  expected[*axis] = total;
  return checkShape(*this, "result", getResult(), expected);
}

LogicalResult ReshapeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> out = shapeOf(getResult());
  auto leadingDynamic = [](ArrayRef<int64_t> shape) {
    size_t n = 0;
    while (n < shape.size() && ShapedType::isDynamic(shape[n]))
      ++n;
    return n;
  };
  size_t nIn = leadingDynamic(in), nOut = leadingDynamic(out);
  auto numDynamic = [](ArrayRef<int64_t> shape) {
    return llvm::count_if(shape, ShapedType::isDynamic);
  };
  if (nIn != nOut || numDynamic(in) != int64_t(nIn) || numDynamic(out) != int64_t(nOut))
    return emitOpError() << "cannot reshape " << formatShape(in) << " to " << formatShape(out)
                         << ": dynamic dimensions must lead and stay in place";
  auto product = [](ArrayRef<int64_t> shape, size_t from) {
    int64_t p = 1;
    for (size_t i = from; i < shape.size(); ++i)
      p *= shape[i];
    return p;
  };
  if (product(in, nIn) != product(out, nOut))
    return emitOpError() << "cannot reshape " << formatShape(in) << " to " << formatShape(out)
                         << ": element counts differ";
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPermutation();
  if (perm.size() != in.size())
    return emitOpError() << "permutation has " << perm.size()
                         << " entries but operand 'input' has rank " << in.size();
  SmallVector<bool> seen(in.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(in.size()) || seen[p])
      return emitOpError() << "permutation is not a permutation of 0.." << in.size() - 1;
    seen[p] = true;
    expected.push_back(ShapedType::isDynamic(in[p]) ? kAnyDim : in[p]);
  }
  return checkShape(*this, "result", getResult(), expected);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

namespace {
LogicalResult verifyBroadcast(Operation *op, Value lhs, Value rhs, Value result) {
  ArrayRef<int64_t> a = shapeOf(lhs), b = shapeOf(rhs);
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> expected(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1 || db == 1) {
      int64_t other = da == 1 ? db : da;
      expected[i] = ShapedType::isDynamic(other) ? kAnyDim : other;
    } else if (ShapedType::isDynamic(da) || ShapedType::isDynamic(db)) {
      expected[i] = kAnyDim;
    } else if (da != db) {
      return op->emitOpError() << "operands have shapes " << formatShape(a) << " and "
                               << formatShape(b) << " that do not broadcast (dimension " << i
                               << ": " << da << " vs " << db << ")";
    } else {
      expected[i] = da;
    }
  }
  return checkShape(op, "result", result, expected);
}
} // namespace

LogicalResult AddOp::verify() { return verifyBroadcast(*this, getLhs(), getRhs(), getResult()); }
LogicalResult MulOp::verify() { return verifyBroadcast(*this, getLhs(), getRhs(), getResult()); }

//===----------------------------------------------------------------------===//
// Convolution and scans
//===----------------------------------------------------------------------===//

LogicalResult CausalConv1dOp::verify() {
  Value x = getInput();
  if (failed(checkRank(*this, "operand 'input'", x, 3, 2)))
    return failure();
  int64_t c = lastDim(x);
  if (failed(checkRank(*this, "operand 'weight'", getWeight(), 3)))
    return failure();
  int64_t k = getKernelSize();
  if (failed(checkShape(*this, "operand 'weight'", getWeight(), {c, 1, k})) ||
      failed(checkPositive(*this, "kernel size", k)))
    return failure();
  if (getBias() && failed(checkShape(*this, "operand 'bias'", getBias(), {c})))
    return failure();
  SmallVector<int64_t> stateShape = {dimOrAny(x, 0), k - 1, c};
  if (getInitState() &&
      failed(checkShape(*this, "operand 'init_state'", getInitState(), stateShape)))
    return failure();
  if (failed(checkSeqLens(*this, getSeqLens(), x)) ||
      failed(checkActivation(*this, "result", getResult(), x, {c})))
    return failure();
  return checkShape(*this, "result 'final_state'", getFinalState(), stateShape);
}

LogicalResult SelectiveScanOp::verify() {
  Value u = getU();
  if (failed(checkRank(*this, "operand 'u'", u, 3, 2)) ||
      failed(checkRank(*this, "operand 'A'", getA(), 2)))
    return failure();
  int64_t e = lastDim(u), n = getDState();
  if (failed(checkShape(*this, "operand 'A'", getA(), {e, n})) ||
      failed(checkPositive(*this, "groups", getGroups())))
    return failure();
  if (e % getGroups() != 0)
    return emitOpError() << "attribute 'groups' (" << getGroups()
                         << ") must divide the channel count " << e;
  if (Value proj = getDeltaProj()) {
    if (failed(checkRank(*this, "operand 'delta_proj'", proj, 2)) ||
        failed(checkShape(*this, "operand 'delta_proj'", proj, {e, shapeOf(proj)[1]})) ||
        failed(checkActivation(*this, "operand 'delta'", getDelta(), u, {shapeOf(proj)[1]})))
      return failure();
  } else if (failed(checkActivation(*this, "operand 'delta'", getDelta(), u, {e}))) {
    return failure();
  }
  int64_t bc = getGroups() * n;
  if (failed(checkActivation(*this, "operand 'B'", getB(), u, {bc})) ||
      failed(checkActivation(*this, "operand 'C'", getC(), u, {bc})))
    return failure();
  if (getD() && failed(checkShape(*this, "operand 'D'", getD(), {e})))
    return failure();
  if (getZ() && failed(checkActivation(*this, "operand 'z'", getZ(), u, {e})))
    return failure();
  if (getDeltaBias() && failed(checkShape(*this, "operand 'delta_bias'", getDeltaBias(), {e})))
    return failure();
  SmallVector<int64_t> stateShape = {dimOrAny(u, 0), e, n};
  if (getInitState() &&
      failed(checkShape(*this, "operand 'init_state'", getInitState(), stateShape)))
    return failure();
  if (failed(checkSeqLens(*this, getSeqLens(), u)) ||
      failed(checkActivation(*this, "result", getResult(), u, {e})))
    return failure();
  bool norms = getDeltaNorm() || getBNorm() || getCNorm();
  if (norms != bool(getNormEpsAttr()))
    return emitOpError() << (norms ? "fused norms need 'norm_eps'"
                                   : "'norm_eps' without a fused norm");
  if (norms && !(getNormEpsAttr().getValueAsDouble() > 0))
    return emitOpError() << "'norm_eps' must be positive";
  if (Value w = getDeltaNorm()) {
    if (!getDeltaProj())
      return emitOpError() << "operand 'delta_norm' needs the low-rank delta of 'delta_proj'";
    if (failed(checkShape(*this, "operand 'delta_norm'", w, {shapeOf(getDeltaProj())[1]})))
      return failure();
  }
  for (auto [name, w] : {std::pair("B_norm", getBNorm()), std::pair("C_norm", getCNorm())}) {
    if (!w)
      continue;
    if (getGroups() != 1)
      return emitOpError() << "operand '" << name << "' needs groups = 1";
    if (failed(checkShape(*this, ("operand '" + std::string(name) + "'").c_str(), w, {n})))
      return failure();
  }
  return checkShape(*this, "result 'final_state'", getFinalState(), stateShape);
}

LogicalResult SSDScanOp::verify() {
  Value x = getX();
  if (failed(checkPositive(*this, "heads", getHeads())) ||
      failed(checkPositive(*this, "head_dim", getHeadDim())) ||
      failed(checkPositive(*this, "groups", getGroups())) ||
      failed(checkPositive(*this, "chunk_size", getChunkSize())))
    return failure();
  int64_t h = getHeads(), p = getHeadDim(), g = getGroups();
  if (h % g != 0)
    return emitOpError() << "attribute 'groups' (" << g << ") must divide 'heads' (" << h << ")";
  FloatAttr lo = getDtMinAttr(), hi = getDtMaxAttr();
  if ((lo && !(lo.getValueAsDouble() >= 0)) || (hi && !(hi.getValueAsDouble() > 0)) ||
      (lo && hi && lo.getValueAsDouble() > hi.getValueAsDouble()))
    return emitOpError() << "the time step limits must satisfy 0 <= dt_min <= dt_max and "
                            "dt_max > 0, got dt_min "
                         << (lo ? std::to_string(lo.getValueAsDouble()) : "none") << ", dt_max "
                         << (hi ? std::to_string(hi.getValueAsDouble()) : "none");
  if (failed(checkRank(*this, "operand 'x'", x, 3, 2)) ||
      failed(checkActivation(*this, "operand 'x'", x, x, {h * p})) ||
      failed(checkActivation(*this, "operand 'dt'", getDt(), x, {h})) ||
      failed(checkShape(*this, "operand 'A'", getA(), {h})) ||
      failed(checkRank(*this, "operand 'B'", getB(), 3, 2)))
    return failure();
  int64_t bc = lastDim(getB());
  if (bc % g != 0)
    return emitOpError() << "operand 'B' has shape " << formatShape(shapeOf(getB()))
                         << " whose last dimension is not a multiple of "
                            "'groups' ("
                         << g << ")";
  int64_t n = bc / g;
  if (failed(checkActivation(*this, "operand 'B'", getB(), x, {g * n})) ||
      failed(checkActivation(*this, "operand 'C'", getC(), x, {g * n})))
    return failure();
  if (getD() && failed(checkShape(*this, "operand 'D'", getD(), {h})))
    return failure();
  if (getZ() && failed(checkActivation(*this, "operand 'z'", getZ(), x, {h * p})))
    return failure();
  if (getDtBias() && failed(checkShape(*this, "operand 'dt_bias'", getDtBias(), {h})))
    return failure();
  SmallVector<int64_t> stateShape = {dimOrAny(x, 0), h, p, n};
  if (getInitState() &&
      failed(checkShape(*this, "operand 'init_state'", getInitState(), stateShape)))
    return failure();
  if (failed(checkSeqLens(*this, getSeqLens(), x)) ||
      failed(checkActivation(*this, "result", getResult(), x, {h * p})))
    return failure();
  return checkShape(*this, "result 'final_state'", getFinalState(), stateShape);
}

LogicalResult MambaStepOp::verify() {
  Value x = getX();
  if (failed(checkRank(*this, "operand 'x'", x, 3, 2)) ||
      failed(checkRank(*this, "operand 'A'", getA(), 2)) ||
      failed(checkRank(*this, "operand 'conv_weight'", getConvWeight(), 3)) ||
      failed(checkRank(*this, "operand 'delta_proj'", getDeltaProj(), 2)))
    return failure();
  int64_t e = lastDim(x), n = shapeOf(getA())[1];
  int64_t k = shapeOf(getConvWeight())[2], r = shapeOf(getDeltaProj())[1];
  if (failed(checkShape(*this, "operand 'x'", x, {dimOrAny(x, 0), 1, e})) ||
      failed(checkShape(*this, "operand 'z'", getZ(), {dimOrAny(x, 0), 1, e})) ||
      failed(checkShape(*this, "operand 'conv_weight'", getConvWeight(), {e, 1, k})) ||
      failed(
          checkShape(*this, "operand 'conv_state'", getConvState(), {dimOrAny(x, 0), k - 1, e})) ||
      failed(checkShape(*this, "operand 'x_proj'", getXProj(), {r + 2 * n, e})) ||
      failed(checkShape(*this, "operand 'delta_proj'", getDeltaProj(), {e, r})) ||
      failed(checkShape(*this, "operand 'delta_bias'", getDeltaBias(), {e})) ||
      failed(checkShape(*this, "operand 'A'", getA(), {e, n})) ||
      failed(checkShape(*this, "operand 'ssm_state'", getSsmState(), {dimOrAny(x, 0), e, n})))
    return failure();
  if (getConvBias() && failed(checkShape(*this, "operand 'conv_bias'", getConvBias(), {e})))
    return failure();
  if (getD() && failed(checkShape(*this, "operand 'D'", getD(), {e})))
    return failure();
  if (failed(checkShape(*this, "result", getResult(), {dimOrAny(x, 0), 1, e})) ||
      failed(checkShape(*this, "result 'conv_state_out'", getConvStateOut(),
                        {dimOrAny(x, 0), k - 1, e})))
    return failure();
  return checkShape(*this, "result 'ssm_state_out'", getSsmStateOut(), {dimOrAny(x, 0), e, n});
}

LogicalResult Mamba2StepOp::verify() {
  if (failed(checkPositive(*this, "heads", getHeads())) ||
      failed(checkPositive(*this, "head_dim", getHeadDim())) ||
      failed(checkPositive(*this, "groups", getGroups())) ||
      failed(checkPositive(*this, "group_size", getGroupSize())))
    return failure();
  int64_t h = getHeads(), p = getHeadDim(), g = getGroups(), inner = h * p;
  if (h % g != 0)
    return emitOpError() << "attribute 'groups' (" << g << ") must divide 'heads' (" << h << ")";
  if (inner % getGroupSize() != 0)
    return emitOpError() << "attribute 'group_size' (" << getGroupSize()
                         << ") must divide heads * head_dim (" << inner << ")";
  Value xbc = getXbc();
  if (failed(checkRank(*this, "operand 'xbc'", xbc, 3, 2)) ||
      failed(checkRank(*this, "operand 'conv_weight'", getConvWeight(), 3)) ||
      failed(checkRank(*this, "operand 'ssm_state'", getSsmState(), 4, 1)))
    return failure();
  int64_t convDim = lastDim(xbc), k = shapeOf(getConvWeight())[2];
  int64_t n = shapeOf(getSsmState())[3];
  if (n == ShapedType::kDynamic || convDim != inner + 2 * g * n)
    return emitOpError() << "operand 'xbc' has " << convDim
                         << " features but x, B and C need heads * head_dim + 2 * groups * "
                            "d_state = "
                         << inner + 2 * g * n;
  int64_t batch = dimOrAny(xbc, 0);
  if (failed(checkShape(*this, "operand 'xbc'", xbc, {batch, 1, convDim})) ||
      failed(checkShape(*this, "operand 'dt'", getDt(), {batch, 1, h})) ||
      failed(checkShape(*this, "operand 'z'", getZ(), {batch, 1, inner})) ||
      failed(checkShape(*this, "operand 'conv_weight'", getConvWeight(), {convDim, 1, k})) ||
      failed(checkShape(*this, "operand 'conv_state'", getConvState(), {batch, k - 1, convDim})) ||
      failed(checkShape(*this, "operand 'A'", getA(), {h})) ||
      failed(checkShape(*this, "operand 'ssm_state'", getSsmState(), {batch, h, p, n})) ||
      failed(checkShape(*this, "operand 'norm_weight'", getNormWeight(), {inner})))
    return failure();
  if (getConvBias() && failed(checkShape(*this, "operand 'conv_bias'", getConvBias(), {convDim})))
    return failure();
  if (getD() && failed(checkShape(*this, "operand 'D'", getD(), {h})))
    return failure();
  if (getDtBias() && failed(checkShape(*this, "operand 'dt_bias'", getDtBias(), {h})))
    return failure();
  if (failed(checkShape(*this, "result", getResult(), {batch, 1, inner})) ||
      failed(
          checkShape(*this, "result 'conv_state_out'", getConvStateOut(), {batch, k - 1, convDim})))
    return failure();
  return checkShape(*this, "result 'ssm_state_out'", getSsmStateOut(), {batch, h, p, n});
}

//===----------------------------------------------------------------------===//
// Attention and mixture of experts
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  if (failed(checkPositive(*this, "heads", getHeads())) ||
      failed(checkPositive(*this, "kv_heads", getKvHeads())) ||
      failed(checkPositive(*this, "head_dim", getHeadDim())))
    return failure();
  int64_t h = getHeads(), kv = getKvHeads(), d = getHeadDim();
  if (h % kv != 0)
    return emitOpError() << "attribute 'kv_heads' (" << kv << ") must divide 'heads' (" << h << ")";
  Value q = getQ();
  if (failed(checkRank(*this, "operand 'q'", q, 3, 2)) ||
      failed(checkActivation(*this, "operand 'q'", q, q, {h * d})) ||
      failed(checkActivation(*this, "operand 'k'", getK(), q, {kv * d})) ||
      failed(checkActivation(*this, "operand 'v'", getV(), q, {kv * d})))
    return failure();
  if (bool(getKCache()) != bool(getVCache()))
    return emitOpError() << "needs both 'k_cache' and 'v_cache' or neither";
  SmallVector<int64_t> cacheShape = {dimOrAny(q, 0), kv, kAnyDim, d};
  if (getKCache() && (failed(checkShape(*this, "operand 'k_cache'", getKCache(), cacheShape)) ||
                      failed(checkShape(*this, "operand 'v_cache'", getVCache(), cacheShape))))
    return failure();
  if (failed(checkSeqLens(*this, getSeqLens(), q)) ||
      failed(checkActivation(*this, "result", getResult(), q, {h * d})) ||
      failed(checkShape(*this, "result 'k_cache_out'", getKCacheOut(), cacheShape)))
    return failure();
  if (getScale() && getScale()->convertToDouble() <= 0)
    return emitOpError() << "attribute 'scale' must be positive";
  if (getRopeTheta() && getRopeTheta()->convertToDouble() <= 0)
    return emitOpError() << "attribute 'rope_theta' must be positive";
  if (d % 2 != 0 && getRopeTheta())
    return emitOpError() << "rotary embedding needs an even 'head_dim', got " << d;
  return checkShape(*this, "result 'v_cache_out'", getVCacheOut(), cacheShape);
}

LogicalResult MoEOp::verify() {
  Value x = getInput();
  if (failed(checkRank(*this, "operand 'input'", x, 3, 2)))
    return failure();
  int64_t d = lastDim(x);
  size_t numWeights = getExperts().size();
  if (numWeights == 0 || numWeights % 3 != 0)
    return emitOpError() << "expects 3 weights (gate, up, down) per expert, "
                            "got "
                         << numWeights << " weights";
  int64_t numExperts = getNumExperts();
  if (failed(checkShape(*this, "operand 'router'", getRouter(), {numExperts, d})))
    return failure();
  if (getTopK() < 1 || int64_t(getTopK()) > numExperts)
    return emitOpError() << "attribute 'top_k' (" << getTopK() << ") must be in [1, " << numExperts
                         << "]";
  for (int64_t i = 0; i < numExperts; ++i) {
    Value gate = getExperts()[3 * i], up = getExperts()[3 * i + 1], down = getExperts()[3 * i + 2];
    std::string prefix = "expert " + std::to_string(i) + " operand ";
    if (failed(checkRank(*this, prefix + "'gate'", gate, 2)))
      return failure();
    int64_t inner = shapeOf(gate)[0];
    if (failed(checkShape(*this, prefix + "'gate'", gate, {inner, d})) ||
        failed(checkShape(*this, prefix + "'up'", up, {inner, d})) ||
        failed(checkShape(*this, prefix + "'down'", down, {d, inner})))
      return failure();
  }
  return checkActivation(*this, "result", getResult(), x, {d});
}
