//===- ReferenceScanOps.cpp - causal conv, selective and SSD scans --------===//
//
// Plain sequential loops in float64, written for clarity, not speed. See
// ReferenceOps.h for the semantics, seq_lens included.
//
//===----------------------------------------------------------------------===//

#include "runtime/reference/ReferenceOpSupport.h"

#include <tuple>

namespace ssmrt {

Status evaluateCausalConv1d(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *w;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "weight", w));
  const RefTensor *bias = optionalOperand(call, 2);
  const RefTensor *init = optionalOperand(call, 3);
  int64_t silu;
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "silu", 0, silu));
  SSMRT_RETURN_IF_ERROR(expectRank("input", *x, 3));
  SSMRT_RETURN_IF_ERROR(expectRank("weight", *w, 3));
  int64_t batch = x->shape[0], len = x->shape[1], width = x->shape[2];
  int64_t k = w->shape[2];
  if (k < 1)
    return Status::error("operand 'weight' " + formatShape(w->shape) + " has no taps");
  SSMRT_RETURN_IF_ERROR(expectShape("weight", *w, {width, 1, k}));
  if (bias)
    SSMRT_RETURN_IF_ERROR(expectShape("bias", *bias, {width}));
  if (init)
    SSMRT_RETURN_IF_ERROR(expectShape("init_state", *init, {batch, k - 1, width}));
  std::vector<int64_t> lens;
  SSMRT_RETURN_IF_ERROR(readSeqLens(optionalOperand(call, 4), batch, len, lens));

  RefTensor y({batch, len, width}), state({batch, k - 1, width});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t c = 0; c < width; ++c) {
      // The raw input at position |p| of the window init_state ++ x.
      auto at = [&](int64_t p) {
        if (p >= 0)
          return x->data[(b * len + p) * width + c];
        return init ? init->data[(b * (k - 1) + k - 1 + p) * width + c] : 0.0;
      };
      for (int64_t t = 0; t < lens[b]; ++t) {
        double acc = bias ? bias->data[c] : 0.0;
        for (int64_t j = 0; j < k; ++j)
          acc += w->data[c * k + j] * at(t - (k - 1) + j);
        y.data[(b * len + t) * width + c] = silu ? refSilu(acc) : acc;
      }
      for (int64_t j = 0; j < k - 1; ++j)
        state.data[(b * (k - 1) + j) * width + c] = at(lens[b] - (k - 1) + j);
    }
  results.push_back(std::move(y));
  results.push_back(std::move(state));
  return okStatus();
}

/// Checks that |groups| is positive and divides |channels| (named |what|).
static Status checkGroups(int64_t groups, int64_t channels, const char *what) {
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("groups", groups));
  if (channels % groups != 0)
    return Status::error("attribute 'groups' (" + std::to_string(groups) +
                         ") does not divide the " + what + " (" + std::to_string(channels) + ")");
  return okStatus();
}

Status evaluateSelectiveScan(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *u, *delta, *a, *bIn, *cIn;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "u", u));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "delta", delta));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 2, "A", a));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 3, "B", bIn));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 4, "C", cIn));
  const RefTensor *d = optionalOperand(call, 5);
  const RefTensor *z = optionalOperand(call, 6);
  const RefTensor *deltaBias = optionalOperand(call, 7);
  const RefTensor *deltaProj = optionalOperand(call, 8);
  const RefTensor *init = optionalOperand(call, 9);
  int64_t groups, softplus;
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "groups", 1, groups));
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "delta_softplus", 0, softplus));

  SSMRT_RETURN_IF_ERROR(expectRank("u", *u, 3));
  SSMRT_RETURN_IF_ERROR(expectRank("A", *a, 2));
  int64_t batch = u->shape[0], len = u->shape[1], channels = u->shape[2];
  int64_t nState = a->shape[1];
  SSMRT_RETURN_IF_ERROR(checkGroups(groups, channels, "channel count"));
  SSMRT_RETURN_IF_ERROR(expectShape("A", *a, {channels, nState}));
  int64_t rank = channels;
  if (deltaProj) {
    SSMRT_RETURN_IF_ERROR(expectRank("delta_proj", *deltaProj, 2));
    rank = deltaProj->shape[1];
    SSMRT_RETURN_IF_ERROR(expectShape("delta_proj", *deltaProj, {channels, rank}));
  }
  SSMRT_RETURN_IF_ERROR(expectShape("delta", *delta, {batch, len, rank}));
  SSMRT_RETURN_IF_ERROR(expectShape("B", *bIn, {batch, len, groups * nState}));
  SSMRT_RETURN_IF_ERROR(expectShape("C", *cIn, {batch, len, groups * nState}));
  if (d)
    SSMRT_RETURN_IF_ERROR(expectShape("D", *d, {channels}));
  if (z)
    SSMRT_RETURN_IF_ERROR(expectShape("z", *z, u->shape));
  if (deltaBias)
    SSMRT_RETURN_IF_ERROR(expectShape("delta_bias", *deltaBias, {channels}));
  if (init)
    SSMRT_RETURN_IF_ERROR(expectShape("init_state", *init, {batch, channels, nState}));
  std::vector<int64_t> lens;
  SSMRT_RETURN_IF_ERROR(readSeqLens(optionalOperand(call, 10), batch, len, lens));
  // Fused norms: rows of the low-rank delta, of B and of C normalized first.
  const RefTensor *deltaNorm = optionalOperand(call, 11), *bNorm = optionalOperand(call, 12),
                  *cNorm = optionalOperand(call, 13);
  double eps = 0;
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "norm_eps", 0.0, eps));
  if ((deltaNorm || bNorm || cNorm) && !(eps > 0))
    return Status::error("fused norms need a positive 'norm_eps'");
  if (deltaNorm && !deltaProj)
    return Status::error("operand 'delta_norm' needs 'delta_proj'");
  if ((bNorm || cNorm) && groups != 1)
    return Status::error("fused B and C norms need groups = 1");
  std::vector<double> deltaRows = delta->data, bRows = bIn->data, cRows = cIn->data;
  for (auto [rows, weight, width, name] :
       {std::tuple(&deltaRows, deltaNorm, rank, "delta_norm"),
        std::tuple(&bRows, bNorm, nState, "B_norm"), std::tuple(&cRows, cNorm, nState, "C_norm")}) {
    if (!weight)
      continue;
    SSMRT_RETURN_IF_ERROR(expectShape(name, *weight, {width}));
    for (size_t r = 0; r * width < rows->size(); ++r) {
      double *v = rows->data() + r * width, squares = 0;
      for (int64_t i = 0; i < width; ++i)
        squares += v[i] * v[i];
      double scale = 1.0 / std::sqrt(squares / double(width) + eps);
      for (int64_t i = 0; i < width; ++i)
        v[i] *= scale * weight->data[i];
    }
  }

  RefTensor y(u->shape), state({batch, channels, nState});
  if (init)
    state.data = init->data;
  int64_t perGroup = channels / groups, bcWidth = groups * nState;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t e = 0; e < channels; ++e) {
      double *h = state.data.data() + (b * channels + e) * nState;
      int64_t g = e / perGroup;
      for (int64_t t = 0; t < lens[b]; ++t) {
        int64_t row = b * len + t;
        double dt = 0;
        if (deltaProj)
          for (int64_t r = 0; r < rank; ++r)
            dt += deltaProj->data[e * rank + r] * deltaRows[row * rank + r];
        else
          dt = deltaRows[row * channels + e];
        if (deltaBias)
          dt += deltaBias->data[e];
        if (softplus)
          dt = refSoftplus(dt);
        double ut = u->data[row * channels + e], out = 0;
        for (int64_t n = 0; n < nState; ++n) {
          int64_t bc = row * bcWidth + g * nState + n;
          h[n] = std::exp(dt * a->data[e * nState + n]) * h[n] + dt * bRows[bc] * ut;
          out += h[n] * cRows[bc];
        }
        if (d)
          out += d->data[e] * ut;
        if (z)
          out *= refSilu(z->data[row * channels + e]);
        y.data[row * channels + e] = out;
      }
    }
  results.push_back(std::move(y));
  results.push_back(std::move(state));
  return okStatus();
}

Status evaluateSSDScan(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *dtIn, *a, *bIn, *cIn;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "x", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "dt", dtIn));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 2, "A", a));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 3, "B", bIn));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 4, "C", cIn));
  const RefTensor *d = optionalOperand(call, 5);
  const RefTensor *z = optionalOperand(call, 6);
  const RefTensor *dtBias = optionalOperand(call, 7);
  const RefTensor *init = optionalOperand(call, 8);
  int64_t heads, headDim, groups, chunkSize, softplus;
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "heads", heads));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "head_dim", headDim));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "groups", groups));
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "chunk_size", 256, chunkSize));
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "dt_softplus", 0, softplus));
  double dtMin, dtMax;
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "dt_min", -INFINITY, dtMin));
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "dt_max", INFINITY, dtMax));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("heads", heads));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("head_dim", headDim));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("chunk_size", chunkSize));
  SSMRT_RETURN_IF_ERROR(checkGroups(groups, heads, "head count"));

  SSMRT_RETURN_IF_ERROR(expectRank("x", *x, 3));
  SSMRT_RETURN_IF_ERROR(expectRank("B", *bIn, 3));
  int64_t batch = x->shape[0], len = x->shape[1], width = heads * headDim;
  SSMRT_RETURN_IF_ERROR(expectShape("x", *x, {batch, len, width}));
  SSMRT_RETURN_IF_ERROR(expectShape("dt", *dtIn, {batch, len, heads}));
  SSMRT_RETURN_IF_ERROR(expectShape("A", *a, {heads}));
  int64_t bcWidth = bIn->shape[2], nState = bcWidth / groups;
  if (bcWidth % groups != 0)
    return Status::error("operand 'B' " + formatShape(bIn->shape) + " does not split into " +
                         std::to_string(groups) + " groups");
  SSMRT_RETURN_IF_ERROR(expectShape("B", *bIn, {batch, len, bcWidth}));
  SSMRT_RETURN_IF_ERROR(expectShape("C", *cIn, {batch, len, bcWidth}));
  if (d)
    SSMRT_RETURN_IF_ERROR(expectShape("D", *d, {heads}));
  if (z)
    SSMRT_RETURN_IF_ERROR(expectShape("z", *z, x->shape));
  if (dtBias)
    SSMRT_RETURN_IF_ERROR(expectShape("dt_bias", *dtBias, {heads}));
  if (init)
    SSMRT_RETURN_IF_ERROR(expectShape("init_state", *init, {batch, heads, headDim, nState}));
  std::vector<int64_t> lens;
  SSMRT_RETURN_IF_ERROR(readSeqLens(optionalOperand(call, 9), batch, len, lens));

  RefTensor y(x->shape), state({batch, heads, headDim, nState});
  if (init)
    state.data = init->data;
  int64_t headsPerGroup = heads / groups;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h) {
      int64_t g = h / headsPerGroup;
      for (int64_t t = 0; t < lens[b]; ++t) {
        int64_t row = b * len + t;
        double dt = dtIn->data[row * heads + h];
        if (dtBias)
          dt += dtBias->data[h];
        if (softplus)
          dt = refSoftplus(dt);
        dt = std::min(std::max(dt, dtMin), dtMax);
        double decay = std::exp(dt * a->data[h]);
        const double *bt = bIn->data.data() + row * bcWidth + g * nState;
        const double *ct = cIn->data.data() + row * bcWidth + g * nState;
        for (int64_t p = 0; p < headDim; ++p) {
          int64_t col = row * width + h * headDim + p;
          double xt = x->data[col], out = 0;
          double *s = state.data.data() + ((b * heads + h) * headDim + p) * nState;
          for (int64_t n = 0; n < nState; ++n) {
            s[n] = decay * s[n] + dt * xt * bt[n];
            out += s[n] * ct[n];
          }
          if (d)
            out += d->data[h] * xt;
          if (z)
            out *= refSilu(z->data[col]);
          y.data[col] = out;
        }
      }
    }
  results.push_back(std::move(y));
  results.push_back(std::move(state));
  return okStatus();
}

/// One token of a decode step's conv for batch row |b|: the window
/// conv_state ++ x (x [B, 1, C]) through the [C, 1, K] filter and SiLU into
/// |xc|, and the window's last K-1 entries into |convOut|.
static void convStep(const RefTensor &x, const RefTensor &convW, const RefTensor &convState,
                     const RefTensor *convBias, int64_t b, double *xc, RefTensor &convOut) {
  int64_t channels = x.shape[2], k = convW.shape[2];
  for (int64_t c = 0; c < channels; ++c) {
    auto at = [&](int64_t j) {
      return j < k - 1 ? convState.data[(b * (k - 1) + j) * channels + c]
                       : x.data[b * channels + c];
    };
    double acc = convBias ? convBias->data[c] : 0.0;
    for (int64_t j = 0; j < k; ++j)
      acc += convW.data[c * k + j] * at(j);
    xc[c] = refSilu(acc);
    for (int64_t j = 0; j < k - 1; ++j)
      convOut.data[(b * (k - 1) + j) * channels + c] = at(j + 1);
  }
}

Status evaluateMambaStep(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *z, *convW, *convState, *xProj, *deltaProj, *deltaBias, *a, *ssmState;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "x", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "z", z));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 2, "conv_weight", convW));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 3, "conv_state", convState));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 4, "x_proj", xProj));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 5, "delta_proj", deltaProj));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 6, "delta_bias", deltaBias));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 7, "A", a));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 8, "ssm_state", ssmState));
  const RefTensor *convBias = optionalOperand(call, 9);
  const RefTensor *d = optionalOperand(call, 10);

  SSMRT_RETURN_IF_ERROR(expectRank("x", *x, 3));
  SSMRT_RETURN_IF_ERROR(expectRank("conv_weight", *convW, 3));
  SSMRT_RETURN_IF_ERROR(expectRank("delta_proj", *deltaProj, 2));
  SSMRT_RETURN_IF_ERROR(expectRank("A", *a, 2));
  int64_t batch = x->shape[0], channels = x->shape[2];
  int64_t k = convW->shape[2], rank = deltaProj->shape[1];
  int64_t nState = a->shape[1], projWidth = rank + 2 * nState;
  if (k < 1)
    return Status::error("operand 'conv_weight' " + formatShape(convW->shape) + " has no taps");
  SSMRT_RETURN_IF_ERROR(expectShape("x", *x, {batch, 1, channels}));
  SSMRT_RETURN_IF_ERROR(expectShape("z", *z, x->shape));
  SSMRT_RETURN_IF_ERROR(expectShape("conv_weight", *convW, {channels, 1, k}));
  SSMRT_RETURN_IF_ERROR(expectShape("conv_state", *convState, {batch, k - 1, channels}));
  SSMRT_RETURN_IF_ERROR(expectShape("x_proj", *xProj, {projWidth, channels}));
  SSMRT_RETURN_IF_ERROR(expectShape("delta_proj", *deltaProj, {channels, rank}));
  SSMRT_RETURN_IF_ERROR(expectShape("delta_bias", *deltaBias, {channels}));
  SSMRT_RETURN_IF_ERROR(expectShape("A", *a, {channels, nState}));
  SSMRT_RETURN_IF_ERROR(expectShape("ssm_state", *ssmState, {batch, channels, nState}));
  if (convBias)
    SSMRT_RETURN_IF_ERROR(expectShape("conv_bias", *convBias, {channels}));
  if (d)
    SSMRT_RETURN_IF_ERROR(expectShape("D", *d, {channels}));

  RefTensor y(x->shape), convOut(convState->shape), ssmOut(ssmState->shape);
  std::vector<double> xc(channels), proj(projWidth);
  for (int64_t b = 0; b < batch; ++b) {
    convStep(*x, *convW, *convState, convBias, b, xc.data(), convOut);
    // [dt, B, C] = x_proj · xc.
    for (int64_t o = 0; o < projWidth; ++o) {
      double acc = 0;
      for (int64_t e = 0; e < channels; ++e)
        acc += xProj->data[o * channels + e] * xc[e];
      proj[o] = acc;
    }
    const double *bt = proj.data() + rank, *ct = bt + nState;
    for (int64_t e = 0; e < channels; ++e) {
      double dt = deltaBias->data[e];
      for (int64_t r = 0; r < rank; ++r)
        dt += deltaProj->data[e * rank + r] * proj[r];
      dt = refSoftplus(dt);
      int64_t base = (b * channels + e) * nState;
      double out = 0;
      for (int64_t n = 0; n < nState; ++n) {
        double h =
            std::exp(dt * a->data[e * nState + n]) * ssmState->data[base + n] + dt * bt[n] * xc[e];
        ssmOut.data[base + n] = h;
        out += h * ct[n];
      }
      if (d)
        out += d->data[e] * xc[e];
      y.data[b * channels + e] = out * refSilu(z->data[b * channels + e]);
    }
  }
  results.push_back(std::move(y));
  results.push_back(std::move(convOut));
  results.push_back(std::move(ssmOut));
  return okStatus();
}

Status evaluateMamba2Step(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *xbc, *dtIn, *z, *convW, *convState, *a, *ssmState, *normW;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "xbc", xbc));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "dt", dtIn));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 2, "z", z));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 3, "conv_weight", convW));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 4, "conv_state", convState));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 5, "A", a));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 6, "ssm_state", ssmState));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 7, "norm_weight", normW));
  const RefTensor *convBias = optionalOperand(call, 8);
  const RefTensor *d = optionalOperand(call, 9);
  const RefTensor *dtBias = optionalOperand(call, 10);
  int64_t heads, headDim, groups, groupSize, softplus;
  double dtMin, dtMax, eps;
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "heads", heads));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "head_dim", headDim));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "groups", groups));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "group_size", groupSize));
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "dt_softplus", 0, softplus));
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "dt_min", -INFINITY, dtMin));
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "dt_max", INFINITY, dtMax));
  SSMRT_RETURN_IF_ERROR(floatAttrOr(call.instr, "eps", 1e-5, eps));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("heads", heads));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("head_dim", headDim));
  SSMRT_RETURN_IF_ERROR(checkGroups(groups, heads, "head count"));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("group_size", groupSize));
  SSMRT_RETURN_IF_ERROR(expectRank("xbc", *xbc, 3));
  SSMRT_RETURN_IF_ERROR(expectRank("conv_weight", *convW, 3));
  SSMRT_RETURN_IF_ERROR(expectRank("ssm_state", *ssmState, 4));
  int64_t batch = xbc->shape[0], convDim = xbc->shape[2], k = convW->shape[2];
  int64_t inner = heads * headDim, n = ssmState->shape[3];
  if (k < 1)
    return Status::error("operand 'conv_weight' " + formatShape(convW->shape) + " has no taps");
  if (convDim != inner + 2 * groups * n)
    return Status::error("operand 'xbc' " + formatShape(xbc->shape) + " is not x, B and C of " +
                         std::to_string(inner) + " + 2 x " + std::to_string(groups * n));
  if (inner % groupSize != 0)
    return Status::error("attribute 'group_size' (" + std::to_string(groupSize) +
                         ") does not divide " + std::to_string(inner));
  SSMRT_RETURN_IF_ERROR(expectShape("xbc", *xbc, {batch, 1, convDim}));
  SSMRT_RETURN_IF_ERROR(expectShape("dt", *dtIn, {batch, 1, heads}));
  SSMRT_RETURN_IF_ERROR(expectShape("z", *z, {batch, 1, inner}));
  SSMRT_RETURN_IF_ERROR(expectShape("conv_weight", *convW, {convDim, 1, k}));
  SSMRT_RETURN_IF_ERROR(expectShape("conv_state", *convState, {batch, k - 1, convDim}));
  SSMRT_RETURN_IF_ERROR(expectShape("A", *a, {heads}));
  SSMRT_RETURN_IF_ERROR(expectShape("ssm_state", *ssmState, {batch, heads, headDim, n}));
  SSMRT_RETURN_IF_ERROR(expectShape("norm_weight", *normW, {inner}));
  if (convBias)
    SSMRT_RETURN_IF_ERROR(expectShape("conv_bias", *convBias, {convDim}));
  if (d)
    SSMRT_RETURN_IF_ERROR(expectShape("D", *d, {heads}));
  if (dtBias)
    SSMRT_RETURN_IF_ERROR(expectShape("dt_bias", *dtBias, {heads}));

  RefTensor out({batch, 1, inner}), convOut(convState->shape), ssmOut(ssmState->shape);
  ssmOut.data = ssmState->data;
  std::vector<double> xc(convDim), y(inner);
  int64_t headsPerGroup = heads / groups;
  for (int64_t b = 0; b < batch; ++b) {
    convStep(*xbc, *convW, *convState, convBias, b, xc.data(), convOut);
    for (int64_t h = 0; h < heads; ++h) {
      double dt = dtIn->data[b * heads + h] + (dtBias ? dtBias->data[h] : 0.0);
      if (softplus)
        dt = refSoftplus(dt);
      dt = std::min(std::max(dt, dtMin), dtMax);
      double decay = std::exp(dt * a->data[h]);
      const double *bt = xc.data() + inner + (h / headsPerGroup) * n;
      const double *ct = bt + groups * n;
      for (int64_t p = 0; p < headDim; ++p) {
        double xv = xc[h * headDim + p], acc = 0;
        double *s = ssmOut.data.data() + ((b * heads + h) * headDim + p) * n;
        for (int64_t i = 0; i < n; ++i) {
          s[i] = decay * s[i] + dt * xv * bt[i];
          acc += s[i] * ct[i];
        }
        y[h * headDim + p] = acc + (d ? d->data[h] * xv : 0.0);
      }
    }
    for (int64_t g0 = 0; g0 < inner; g0 += groupSize) {
      double sumSq = 0;
      for (int64_t i = g0; i < g0 + groupSize; ++i) {
        y[i] *= refSilu(z->data[b * inner + i]);
        sumSq += y[i] * y[i];
      }
      double inv = 1.0 / std::sqrt(sumSq / static_cast<double>(groupSize) + eps);
      for (int64_t i = g0; i < g0 + groupSize; ++i)
        out.data[b * inner + i] = y[i] * inv * normW->data[i];
    }
  }
  results.push_back(std::move(out));
  results.push_back(std::move(convOut));
  results.push_back(std::move(ssmOut));
  return okStatus();
}

} // namespace ssmrt
