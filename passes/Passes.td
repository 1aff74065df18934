//===- Passes.td - ssmc passes ------------------------------*- tablegen -*-===//
//
// Groups passes that are related under one banner. For any new pass add it to
// the relevant group and keep them alphabetical within a group. File, class
// and flag agree: FuseAddRMSNorm.cpp, SSMFuseAddRMSNorm, ssm-fuse-add-rmsnorm.
//
//===----------------------------------------------------------------------===//

#ifndef SSMC_PASSES_TD
#define SSMC_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def SSMFuseAddRMSNorm : Pass<"ssm-fuse-add-rmsnorm", "func::FuncOp"> {
  let summary = "Fuses a residual add feeding an RMSNorm into ssm.add_rmsnorm";
  let description = [{
    `rmsnorm(add(a, b), w)` becomes `add_rmsnorm(a, b, w)`, whose second result
    (the sum) replaces every other use of the add: the residual stream is
    read once and written once per layer.
  }];
  let dependentDialects = ["ssm::SSMDialect"];
}

def SSMFuseConvSilu : Pass<"ssm-fuse-conv-silu", "func::FuncOp"> {
  let summary = "Fuses SiLU into the causal convolution that feeds it";
  let description = [{
    `silu(causal_conv1d(x))` becomes `causal_conv1d(x) {silu}` when the SiLU
    is the convolution output's only use.
  }];
  let dependentDialects = ["ssm::SSMDialect"];
}

def SSMFuseDecodeStep : Pass<"ssm-fuse-decode-step", "func::FuncOp"> {
  let summary = "Fuses a one-token Mamba-1 or Mamba-2 mixer core into one step op";
  let description = [{
    On a function specialized to one token (`--ssm-specialize-decode`), the
    chain conv1d+SiLU → x_proj → split → fused selective scan (softplus,
    folded dt_proj, delta bias, gate) becomes one `ssm.mamba_step`: the conv
    state update, conv, SiLU, projections, scan step, D skip and gate run as
    one kernel per layer. For Mamba-2, conv1d+SiLU → split into x, B, C →
    fused ssd_scan (softplus, dt bias, clamp, D) → gated RMSNorm (gate
    first) becomes one `ssm.mamba2_step`. Chains with anything else in
    between (Jamba's dt/B/C norms, an x_proj bias, a norm before the gate)
    are left alone.
  }];
  let dependentDialects = ["ssm::SSMDialect"];
}

def SSMFuseSelectiveScan : Pass<"ssm-fuse-selective-scan", "func::FuncOp"> {
  let summary = "Fuses discretization, skip and gate into ssm.selective_scan";
  let description = [{
    Folds into the scan, where the semantics are exactly the scan's:
    - `softplus(δ)` with threshold 20 (torch's) → `delta_softplus`;
    - a bias added to δ (a linear's bias or an add of a [E] vector) →
      `delta_bias`, inside the softplus;
    - the low-rank projection `linear(dt, W)` producing δ → `delta_proj`
      (with `fold-delta-proj`), so the full-width δ is never materialized;
    - `y + u·D` with the scan's own u → `D`;
    - `y · silu(z)` → `z`;
    - RMSNorms on the low-rank δ (once `delta_proj` is folded), on B and on
      C (one group), as Jamba's Mamba layer has them → `delta_norm`,
      `B_norm`, `C_norm` and `norm_eps` (one eps for the scan).
    Other thresholds, other gates, a skip of another tensor or values with
    more than one use are left alone.
  }];
  let options = [
    Option<"foldDeltaProj", "fold-delta-proj", "bool", "true",
           "Fold the low-rank delta projection into the scan">,
  ];
  let dependentDialects = ["ssm::SSMDialect"];
}

def SSMFuseSSDScan : Pass<"ssm-fuse-ssd-scan", "func::FuncOp"> {
  let summary = "Fuses Mamba-2's discretization and gate into ssm.ssd_scan";
  let description = [{
    Folds into the scan, where the semantics are exactly the scan's:
    - `softplus(dt)` with threshold 20 (torch's) → `dt_softplus`;
    - a [heads] bias added to dt → `dt_bias`, inside the softplus;
    - `y · silu(z)` → `z`.
    Other thresholds, a bias added after a softplus, other gates and values
    with more than one use are left alone. The D skip is per head while x is
    per channel, so it has no op-level form to fold: models give ssd_scan D.
  }];
  let dependentDialects = ["ssm::SSMDialect"];
}

//===----------------------------------------------------------------------===//
// Planning
//===----------------------------------------------------------------------===//

def SSMPlanMemory : Pass<"ssm-plan-memory", "func::FuncOp"> {
  let summary = "Assigns activation buffers and marks weight-only computations";
  let description = [{
    Every activation ([batch, seq, features...]) result gets a buffer of
    token rows and a column offset inside a row, recorded as
    `ssm.buffers` / `ssm.columns` (one entry per result, -1 for results that
    are not activations: states, KV caches, logits, weight-derived values).
    Buffers are reused as soon as every value in them is dead, so layers
    share the same few buffers; `ssm.split` and `ssm.reshape` results are
    views into their input's buffer. The function gets
    `ssm.buffer_widths` (floats per token row of each buffer). Ops that read
    only parameters (e.g. `A = -exp(A_log)`) get `ssm.once`: the runtime
    evaluates them once when it binds the weights. Recurrent state lives in
    the per-sequence slots named by the function's `ssm.state` arguments.
  }];
  let dependentDialects = ["ssm::SSMDialect"];
}

//===----------------------------------------------------------------------===//
// Specialization
//===----------------------------------------------------------------------===//

def SSMSpecializeDecode : Pass<"ssm-specialize-decode", "ModuleOp"> {
  let summary = "Adds @decode: a copy of @forward for exactly one token per sequence";
  let description = [{
    Clones `func.func @forward` into `func.func @decode` and fixes the sequence
    dimension of every activation to 1 (tokens `tensor<?x1xi32>`). States and
    KV caches keep their types. The decode-step fusion then applies to it.
  }];
  let dependentDialects = ["ssm::SSMDialect", "func::FuncDialect"];
}

#endif // SSMC_PASSES_TD
