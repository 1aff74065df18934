//===- ReferenceOps.h - float64 semantics of every ssm op -------*- C++ -*-===//
//
// One function per op family, each evaluating one instruction on dense f64
// tensors and checking every operand shape (errors name the operand, the
// actual and the expected shape; the interpreter adds the instruction).
// The exact semantics, which dialect/SSMOps.td describes per op:
//
//   softplus_t(x)  = x > t ? x : log1p(exp(x))       (torch; t = 20 for the
//                                                      scans and mamba_step)
//   silu(x)        = x / (1 + exp(-x))
//   rmsnorm        x · rsqrt(mean(x², last dim) + eps) · w
//   gated_rmsnorm  norm_before_gate = 0: RMSNorm_g(x · silu(z)) · w
//                  norm_before_gate = 1: RMSNorm_g(x) · w · silu(z)
//                  (RMSNorm_g: each consecutive group of group_size features)
//   add_rmsnorm    sum = input + residual; (rmsnorm(sum) · w, sum)
//   linear/logits  x · Wᵀ (+ b); add/mul broadcast NumPy-style from the
//                  trailing dimension
//   causal_conv1d  y[b,t,c] = bias[c] + Σ_{k<K} w[c,0,k] · x[b,t-(K-1)+k,c],
//                  positions < 0 from init_state (zeros when absent);
//                  final_state = the last K-1 raw inputs of init_state ++
//                  x[0:len] (oldest first)
//   selective_scan Δ = (delta_proj ? delta_proj · delta[b,t,:] : delta[b,t,e])
//                      + delta_bias[e], softplus₂₀ if delta_softplus;
//                  h[e,n] = exp(Δ·A[e,n])·h[e,n] + Δ·B[b,t,g,n]·u[b,t,e];
//                  y = (Σ_n h·C[b,t,g,n] + D[e]·u) · silu(z),
//                  g = e / (E / groups), B and C [B, L, groups·N]
//   ssd_scan       g = h / (heads / groups) (group-major);
//                  Δ = dt + dt_bias[h], softplus₂₀ if dt_softplus;
//                  S[p,n] = exp(Δ·A[h])·S[p,n] + Δ·x[h,p]·B[g,n];
//                  y[h,p] = (Σ_n S[p,n]·C[g,n] + D[h]·x[h,p]) · silu(z);
//                  the plain sequential recurrence (chunk_size is validated
//                  but does not change the result)
//   mamba_step     one token: conv-state update + conv + SiLU -> xc;
//                  [dt, B, C] = x_proj · xc split [R, N, N];
//                  Δ = softplus₂₀(delta_proj · dt + delta_bias); scan step;
//                  y = (Σ_n h·C + D·xc) · silu(z)
//   mamba2_step    one token: conv-state update + conv + SiLU over x‖B‖C;
//                  an ssd_scan step (its Δ, clamp and D); then the gated
//                  RMSNorm per group_size features (norm_before_gate 0)
//   attention      query head h uses kv head h / (heads / kv_heads); causal
//                  over absolute positions (the T cached steps precede the L
//                  new ones); rotary embedding (rotate-half, GPT-NeoX/Llama,
//                  inv_freq_i = rope_theta^(-2i/head_dim)) applied to q and
//                  the new k at positions T+t, so the caches hold rotated
//                  keys; softmax(q·kᵀ·scale)·v with scale 1/sqrt(head_dim)
//                  unless given; caches out [B, KV, T+L, hd]
//   moe            p = softmax(x · routerᵀ) over all experts; the top_k by p
//                  (ties: lower index first), weighted by p (renormalized
//                  over the chosen k if renormalize);
//                  expert i = down_i · (silu(gate_i · x) ⊙ (up_i · x))
//
// seq_lens [B] (absent = every sequence has length L; each in [0, L], else
// an error): in causal_conv1d, selective_scan and ssd_scan, steps
// t >= seq_lens[b] are padding: they leave the state unchanged, their
// outputs are 0, and the final state is the one at the sequence's own end.
// In attention, queries and new keys at t >= seq_lens[b] are masked out of
// this call (their outputs are 0) but are still appended to the caches, so
// the output caches have length T + L for every sequence: with KV caches a
// batch must share one length for later calls to be meaningful.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_REFERENCE_REFERENCEOPS_H
#define SSMC_RUNTIME_REFERENCE_REFERENCEOPS_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/reference/ReferenceTensor.h"

#include <cmath>
#include <vector>

namespace ssmrt {

/// One instruction to evaluate: its attributes, its operands in ODS order
/// (nullptr for absent optional operands; a short list means the trailing
/// optional operands are absent) and the result shapes the program declares
/// (kDynamic for sizes known only at run time).
struct RefOpCall {
  const Instr &instr;
  const std::vector<const RefTensor *> &operands;
  const std::vector<std::vector<int64_t>> &resultShapes;
};

/// Every op function fills |results| with the instruction's results in ODS
/// order, or returns an error naming the operand or attribute at fault.
using RefOpFn = Status (*)(const RefOpCall &call, std::vector<RefTensor> &results);

inline double refSilu(double x) { return x / (1.0 + std::exp(-x)); }

inline double refSoftplus(double x, double threshold = 20.0) {
  return x > threshold ? x : std::log1p(std::exp(x));
}

// One evaluateEnum per op of runtime/artifact/Ops.def, in
// ReferenceBasicOps.cpp (embedding, logits, linear, norms, elementwise),
// ReferenceShapeOps.cpp (split, concat, reshape, transpose),
// ReferenceScanOps.cpp (conv, scans, decode step) and
// ReferenceAttentionOps.cpp (attention, moe).
#define SSM_OP(Enum, mnemonic, form, operandList, resultList, attrList)                            \
  Status evaluate##Enum(const RefOpCall &call, std::vector<RefTensor> &results);
#include "runtime/artifact/Ops.def"

} // namespace ssmrt

#endif // SSMC_RUNTIME_REFERENCE_REFERENCEOPS_H
