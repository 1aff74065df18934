//===- ReferenceAttentionOps.cpp - attention and mixture of experts -------===//

#include "runtime/reference/ReferenceOpSupport.h"

#include <algorithm>
#include <numeric>

namespace ssmrt {

/// Rotates the head vector |v| of |headDim| features to absolute position
/// |pos| (rotate-half form: feature i pairs with i + headDim/2).
static void applyRope(double *v, int64_t headDim, int64_t pos, double theta) {
  int64_t half = headDim / 2;
  for (int64_t i = 0; i < half; ++i) {
    double invFreq = std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(headDim));
    double angle = static_cast<double>(pos) * invFreq;
    double c = std::cos(angle), s = std::sin(angle);
    double x1 = v[i], x2 = v[i + half];
    v[i] = x1 * c - x2 * s;
    v[i + half] = x2 * c + x1 * s;
  }
}

/// The attention attributes, validated.
struct AttentionAttrs {
  int64_t heads, kvHeads, headDim, causal;
  bool rope;
  double ropeTheta, scale;
};

static Status readAttentionAttrs(const Instr &instr, AttentionAttrs &out) {
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(instr, "heads", out.heads));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(instr, "kv_heads", out.kvHeads));
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(instr, "head_dim", out.headDim));
  SSMRT_RETURN_IF_ERROR(intAttrOr(instr, "causal", 1, out.causal));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("heads", out.heads));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("kv_heads", out.kvHeads));
  SSMRT_RETURN_IF_ERROR(expectPositiveAttr("head_dim", out.headDim));
  if (out.heads % out.kvHeads != 0)
    return Status::error("attribute 'kv_heads' (" + std::to_string(out.kvHeads) +
                         ") does not divide 'heads' (" + std::to_string(out.heads) + ")");
  out.rope = instr.attr("rope_theta") != nullptr;
  SSMRT_RETURN_IF_ERROR(floatAttrOr(instr, "rope_theta", 0, out.ropeTheta));
  if (out.rope && (out.ropeTheta <= 0 || out.headDim % 2 != 0))
    return Status::error("rotary embedding needs a positive 'rope_theta' "
                         "and an even 'head_dim'");
  return floatAttrOr(instr, "scale", 1.0 / std::sqrt(static_cast<double>(out.headDim)), out.scale);
}

Status evaluateAttention(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *q, *k, *v;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "q", q));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "k", k));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 2, "v", v));
  const RefTensor *kCache = optionalOperand(call, 3);
  const RefTensor *vCache = optionalOperand(call, 4);
  if (!kCache != !vCache)
    return Status::error("operands 'k_cache' and 'v_cache' must be both "
                         "present or both absent");
  AttentionAttrs at;
  SSMRT_RETURN_IF_ERROR(readAttentionAttrs(call.instr, at));
  int64_t hd = at.headDim, kvHeads = at.kvHeads, heads = at.heads;
  SSMRT_RETURN_IF_ERROR(expectRank("q", *q, 3));
  int64_t batch = q->shape[0], len = q->shape[1], cached = 0;
  SSMRT_RETURN_IF_ERROR(expectShape("q", *q, {batch, len, heads * hd}));
  SSMRT_RETURN_IF_ERROR(expectShape("k", *k, {batch, len, kvHeads * hd}));
  SSMRT_RETURN_IF_ERROR(expectShape("v", *v, {batch, len, kvHeads * hd}));
  if (kCache) {
    SSMRT_RETURN_IF_ERROR(expectRank("k_cache", *kCache, 4));
    cached = kCache->shape[2];
    SSMRT_RETURN_IF_ERROR(expectShape("k_cache", *kCache, {batch, kvHeads, cached, hd}));
    SSMRT_RETURN_IF_ERROR(expectShape("v_cache", *vCache, {batch, kvHeads, cached, hd}));
  }
  std::vector<int64_t> lens;
  SSMRT_RETURN_IF_ERROR(readSeqLens(optionalOperand(call, 5), batch, len, lens));

  // The caches with the new (rotated) keys and values appended.
  int64_t total = cached + len;
  RefTensor kOut({batch, kvHeads, total, hd}), vOut({batch, kvHeads, total, hd});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t kh = 0; kh < kvHeads; ++kh) {
      int64_t outBase = (b * kvHeads + kh) * total * hd;
      if (kCache) {
        int64_t inBase = (b * kvHeads + kh) * cached * hd;
        std::copy_n(kCache->data.begin() + inBase, cached * hd, kOut.data.begin() + outBase);
        std::copy_n(vCache->data.begin() + inBase, cached * hd, vOut.data.begin() + outBase);
      }
      for (int64_t t = 0; t < len; ++t) {
        int64_t src = (b * len + t) * kvHeads * hd + kh * hd;
        int64_t dst = outBase + (cached + t) * hd;
        std::copy_n(k->data.begin() + src, hd, kOut.data.begin() + dst);
        std::copy_n(v->data.begin() + src, hd, vOut.data.begin() + dst);
        if (at.rope)
          applyRope(kOut.data.data() + dst, hd, cached + t, at.ropeTheta);
      }
    }

  RefTensor out(q->shape);
  std::vector<double> query(hd), scores(total);
  int64_t headsPerKv = heads / kvHeads;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h) {
      int64_t kh = h / headsPerKv;
      const double *keys = kOut.data.data() + (b * kvHeads + kh) * total * hd;
      const double *values = vOut.data.data() + (b * kvHeads + kh) * total * hd;
      for (int64_t t = 0; t < lens[b]; ++t) {
        int64_t pos = cached + t, col = (b * len + t) * heads * hd + h * hd;
        std::copy_n(q->data.begin() + col, hd, query.begin());
        if (at.rope)
          applyRope(query.data(), hd, pos, at.ropeTheta);
        // Visible keys: every cached one and the unmasked new ones (only up
        // to the query's own position when causal).
        int64_t end = at.causal ? pos + 1 : cached + lens[b];
        double maxScore = -INFINITY;
        for (int64_t j = 0; j < end; ++j) {
          double s = 0;
          for (int64_t i = 0; i < hd; ++i)
            s += query[i] * keys[j * hd + i];
          scores[j] = s * at.scale;
          maxScore = std::max(maxScore, scores[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j < end; ++j) {
          scores[j] = std::exp(scores[j] - maxScore);
          sum += scores[j];
        }
        for (int64_t j = 0; j < end; ++j)
          for (int64_t i = 0; i < hd; ++i)
            out.data[col + i] += scores[j] / sum * values[j * hd + i];
      }
    }
  results.push_back(std::move(out));
  results.push_back(std::move(kOut));
  results.push_back(std::move(vOut));
  return okStatus();
}

/// y = W · x for W [rows, cols].
static void matVec(const RefTensor &w, const double *x, double *y) {
  int64_t rows = w.shape[0], cols = w.shape[1];
  for (int64_t r = 0; r < rows; ++r) {
    double acc = 0;
    for (int64_t c = 0; c < cols; ++c)
      acc += w.data[r * cols + c] * x[c];
    y[r] = acc;
  }
}

Status evaluateMoE(const RefOpCall &call, std::vector<RefTensor> &results) {
  const RefTensor *x, *router;
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 0, "input", x));
  SSMRT_RETURN_IF_ERROR(requireOperand(call, 1, "router", router));
  int64_t topK, renormalize;
  SSMRT_RETURN_IF_ERROR(requiredIntAttr(call.instr, "top_k", topK));
  SSMRT_RETURN_IF_ERROR(intAttrOr(call.instr, "renormalize", 0, renormalize));
  if (x->rank() == 0)
    return Status::error("operand 'input' is a scalar but needs a feature "
                         "dimension");
  SSMRT_RETURN_IF_ERROR(expectRank("router", *router, 2));
  int64_t width = x->shape.back(), experts = router->shape[0];
  SSMRT_RETURN_IF_ERROR(expectShape("router", *router, {experts, width}));
  if (static_cast<int64_t>(call.operands.size()) != 2 + 3 * experts)
    return Status::error("the router has " + std::to_string(experts) + " experts but there are " +
                         std::to_string(call.operands.size() - 2) +
                         " expert operands (expected 3 per expert)");
  if (topK < 1 || topK > experts)
    return Status::error("attribute 'top_k' (" + std::to_string(topK) + ") is not in [1, " +
                         std::to_string(experts) + "]");
  int64_t maxInter = 0;
  for (int64_t e = 0; e < experts; ++e) {
    const RefTensor *gate, *up, *down;
    SSMRT_RETURN_IF_ERROR(requireOperand(call, 2 + 3 * e, "gate", gate));
    SSMRT_RETURN_IF_ERROR(requireOperand(call, 3 + 3 * e, "up", up));
    SSMRT_RETURN_IF_ERROR(requireOperand(call, 4 + 3 * e, "down", down));
    SSMRT_RETURN_IF_ERROR(expectRank("gate", *gate, 2));
    int64_t inter = gate->shape[0];
    std::string name = "expert " + std::to_string(e);
    SSMRT_RETURN_IF_ERROR(expectShape((name + " gate").c_str(), *gate, {inter, width}));
    SSMRT_RETURN_IF_ERROR(expectShape((name + " up").c_str(), *up, {inter, width}));
    SSMRT_RETURN_IF_ERROR(expectShape((name + " down").c_str(), *down, {width, inter}));
    maxInter = std::max(maxInter, inter);
  }

  RefTensor out(x->shape);
  std::vector<double> p(experts), gateV(maxInter), upV(maxInter), y(width);
  std::vector<int64_t> order(experts);
  for (int64_t r = 0; width && r < x->numElements() / width; ++r) {
    const double *xr = x->data.data() + r * width;
    matVec(*router, xr, p.data());
    double maxLogit = *std::max_element(p.begin(), p.end()), sum = 0;
    for (double &v : p)
      sum += (v = std::exp(v - maxLogit));
    for (double &v : p)
      v /= sum;
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](int64_t a, int64_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    double chosen = 0;
    for (int64_t i = 0; i < topK; ++i)
      chosen += p[order[i]];
    for (int64_t i = 0; i < topK; ++i) {
      int64_t e = order[i];
      const RefTensor &gate = *call.operands[2 + 3 * e];
      const RefTensor &up = *call.operands[3 + 3 * e];
      const RefTensor &down = *call.operands[4 + 3 * e];
      matVec(gate, xr, gateV.data());
      matVec(up, xr, upV.data());
      for (int64_t j = 0; j < gate.shape[0]; ++j)
        gateV[j] = refSilu(gateV[j]) * upV[j];
      matVec(down, gateV.data(), y.data());
      double weight = renormalize ? p[e] / chosen : p[e];
      for (int64_t c = 0; c < width; ++c)
        out.data[r * width + c] += weight * y[c];
    }
  }
  results.push_back(std::move(out));
  return okStatus();
}

} // namespace ssmrt
