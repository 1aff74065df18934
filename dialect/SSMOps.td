//===- SSMOps.td - ssm dialect operations -------------------*- tablegen -*-===//
//
// Shapes in descriptions: B = batch, L = sequence, features follow. `?` marks
// a dimension that may be dynamic. Every verifier names the operand and the
// expected versus actual shape.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_OPS_TD
#define SSM_OPS_TD

include "dialect/SSMBase.td"
include "dialect/SSMAttrs.td"
include "dialect/SSMInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters and embeddings
//===----------------------------------------------------------------------===//

def SSM_ParamOp : SSM_Op<"param", [Pure]> {
  let summary = "A model parameter bound to a checkpoint tensor";
  let description = [{
    Reads the checkpoint tensor named `name` (a Hugging Face tensor name, with
    alternatives separated by `|` tried in order). The result type is the
    tensor's logical shape; its element type is the compute type, the
    runtime converts stored fp32/bf16/fp16 data to it.

    ```mlir
    %A_log = ssm.param "backbone.layers.0.mixer.A_log" : tensor<1536x16xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def SSM_EmbeddingOp : SSM_Op<"embedding", [Pure]> {
  let summary = "Gathers rows of an embedding table";
  let description = [{
    `result[b, l, :] = table[ids[b, l], :]`. table: [V, D], ids: [B, L],
    result: [B, L, D]. Ids outside [0, V) are an error at run time.

    ```mlir
    %h = ssm.embedding %table, %ids : (tensor<256x192xf32>, tensor<?x?xi32>) -> tensor<?x?x192xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$table, SSM_IntTensor:$ids);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $table `,` $ids attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_LogitsOp : SSM_Op<"logits", [Pure]> {
  let summary = "Language-model head: hidden states times the vocabulary matrix";
  let description = [{
    `result = x · weightᵀ`. x: [B, L, D], weight: [V, D] (the tied embedding
    or an untied lm_head), result: [B, L, V].

    ```mlir
    %logits = ssm.logits %h, %emb : (tensor<?x?x192xf32>, tensor<256x192xf32>) -> tensor<?x?x256xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, SSM_FloatTensor:$weight);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def SSM_RMSNormOp : SSM_Op<"rmsnorm", [Pure]> {
  let summary = "RMS normalization over the last dimension";
  let description = [{
    `result = x · rsqrt(mean(x², last dim) + eps) · weight`, computed in fp32.
    x: [..., D], weight: [D].

    ```mlir
    %n = ssm.rmsnorm %x, %w {eps = 1.0e-05 : f64} : (tensor<?x?x768xf32>, tensor<768xf32>) -> tensor<?x?x768xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, SSM_FloatTensor:$weight,
                       DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_GatedRMSNormOp : SSM_Op<"gated_rmsnorm", [Pure]> {
  let summary = "RMS normalization gated by SiLU(z), per group (Mamba-2)";
  let description = [{
    With `norm_before_gate = false` (Mamba-2's default):
    `result = RMSNorm_g(x · silu(z)) · weight`; with `norm_before_gate`:
    `result = RMSNorm_g(x) · weight · silu(z)`. RMSNorm_g normalizes each
    consecutive group of `group_size` features separately. x, z: [..., D],
    weight: [D], D a multiple of group_size.

    ```mlir
    %y = ssm.gated_rmsnorm %x, %z, %w {group_size = 1536 : i64} : (tensor<?x?x1536xf32>, tensor<?x?x1536xf32>, tensor<1536xf32>) -> tensor<?x?x1536xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, SSM_FloatTensor:$gate,
                       SSM_FloatTensor:$weight,
                       DefaultValuedAttr<F64Attr, "1e-5">:$eps,
                       I64Attr:$group_size,
                       DefaultValuedAttr<BoolAttr, "false">:$norm_before_gate);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gate `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_AddRMSNormOp : SSM_Op<"add_rmsnorm", [Pure]> {
  let summary = "Fused residual add and RMS normalization";
  let description = [{
    `sum = input + residual; normed = RMSNorm(sum) · weight`. Both results
    are returned: the normalized value feeds the next mixer, the sum is the
    new residual stream. Produced by `--ssm-fuse-add-rmsnorm`.

    ```mlir
    %n, %s = ssm.add_rmsnorm %x, %r, %w {eps = 1.0e-05 : f64} : (tensor<?x?x768xf32>, tensor<?x?x768xf32>, tensor<768xf32>) -> (tensor<?x?x768xf32>, tensor<?x?x768xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, SSM_FloatTensor:$residual,
                       SSM_FloatTensor:$weight,
                       DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs SSM_FloatTensor:$normed, SSM_FloatTensor:$sum);
  let assemblyFormat = [{
    $input `,` $residual `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and data movement
//===----------------------------------------------------------------------===//

def SSM_LinearOp : SSM_Op<"linear", [Pure]> {
  let summary = "Dense projection with a [out, in] weight and an optional bias";
  let description = [{
    `result = input · weightᵀ (+ bias)`. input: [..., IN], weight: [OUT, IN],
    bias: [OUT], result: [..., OUT].

    ```mlir
    %xz = ssm.linear %u, %w : (tensor<?x?x768xf32>, tensor<3072x768xf32>) -> tensor<?x?x3072xf32>
    %dt = ssm.linear %r, %w bias %b : (tensor<?x?x48xf32>, tensor<1536x48xf32>, tensor<1536xf32>) -> tensor<?x?x1536xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, SSM_FloatTensor:$weight,
                       Optional<SSM_FloatTensor>:$bias);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_SplitOp : SSM_Op<"split", [Pure]> {
  let summary = "Splits a tensor into consecutive pieces along one axis";
  let description = [{
    The sizes must add up to the (static) size of `axis`; a negative axis
    counts from the end.

    ```mlir
    %x, %z = ssm.split %xz {sizes = array<i64: 1536, 1536>} : (tensor<?x?x3072xf32>) -> (tensor<?x?x1536xf32>, tensor<?x?x1536xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, DenseI64ArrayAttr:$sizes,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Variadic<SSM_FloatTensor>:$results);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_ConcatOp : SSM_Op<"concat", [Pure]> {
  let summary = "Concatenates tensors along one axis";
  let description = [{
    All other dimensions must agree.

    ```mlir
    %c = ssm.concat %a, %b {axis = -1 : i64} : (tensor<?x?x4xf32>, tensor<?x?x8xf32>) -> tensor<?x?x12xf32>
    ```
  }];
  let arguments = (ins Variadic<SSM_FloatTensor>:$inputs,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_ReshapeOp : SSM_Op<"reshape", [Pure]> {
  let summary = "Reshapes the static feature dimensions of a tensor";
  let description = [{
    Dynamic dimensions stay where they are (they lead the shape and cannot
    be merged or split); the static dimensions that follow are regrouped,
    keeping their product.

    ```mlir
    %h = ssm.reshape %x : tensor<?x?x1536xf32> to tensor<?x?x24x64xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

def SSM_TransposeOp : SSM_Op<"transpose", [Pure]> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    `result.dim(i) = input.dim(permutation[i])`.

    ```mlir
    %t = ssm.transpose %x {permutation = array<i64: 0, 2, 1>} : tensor<?x?x64xf32> to tensor<?x64x?xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class SSM_BinaryOp<string mnemonic, string formula>
    : SSM_Op<mnemonic, [Pure]> {
  let summary = "Elementwise " # formula # " with trailing broadcast";
  let description = [{
    Shapes broadcast from the trailing dimension as in NumPy; the result has
    the broadcast shape.

    ```mlir
    %r = ssm.}] # mnemonic # [{ %a, %b : tensor<?x?x768xf32>, tensor<768xf32> -> tensor<?x?x768xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$lhs, SSM_FloatTensor:$rhs);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def SSM_AddOp : SSM_BinaryOp<"add", "lhs + rhs">;
def SSM_MulOp : SSM_BinaryOp<"mul", "lhs · rhs">;

class SSM_UnaryOp<string mnemonic, string formula, dag extraArgs = (ins)>
    : SSM_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise " # formula;
  let description = [{
    ```mlir
    %r = ssm.}] # mnemonic # [{ %x : tensor<?x?x1536xf32>
    ```
  }];
  let arguments = !con((ins SSM_FloatTensor:$input), extraArgs);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def SSM_SiluOp : SSM_UnaryOp<"silu", "x · sigmoid(x)">;
def SSM_ExpOp : SSM_UnaryOp<"exp", "exp(x)">;
def SSM_NegOp : SSM_UnaryOp<"neg", "-x">;
def SSM_SoftplusOp : SSM_UnaryOp<"softplus",
    "log(1 + exp(x)), and x itself where x > threshold",
    (ins DefaultValuedAttr<F64Attr, "20.0">:$threshold)>;

//===----------------------------------------------------------------------===//
// Convolution and scans
//===----------------------------------------------------------------------===//

def SSM_CausalConv1dOp : SSM_Op<"causal_conv1d",
    [Pure, AttrSizedOperandSegments, SSM_RecurrentStateOpInterface]> {
  let summary = "Depthwise causal 1-D convolution with carried state";
  let description = [{
    `y[b,t,c] = bias[c] + Σ_{k<K} w[c,0,k] · x[b, t-(K-1)+k, c]` where the
    positions before 0 come from `init_state` (zeros when absent): a
    cross-correlation, `w[c,0,K-1]` multiplies the current step. With `silu`
    the output is `silu(y)`.

    x: [B, L, C], weight: [C, 1, K] (checkpoint layout), bias: [C],
    init_state / final_state: [B, K-1, C] (the last K-1 raw inputs, oldest
    first), seq_lens: [B] (when present, positions ≥ seq_lens[b] are padding:
    the final state is taken at the sequence's own end).

    ```mlir
    %y, %s = ssm.causal_conv1d %x, %w bias %b state %s0 {silu} : (tensor<?x?x1536xf32>, tensor<1536x1x4xf32>, tensor<1536xf32>, tensor<?x3x1536xf32>) -> (tensor<?x?x1536xf32>, tensor<?x3x1536xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, SSM_FloatTensor:$weight,
                       Optional<SSM_FloatTensor>:$bias,
                       Optional<SSM_StateTensor>:$init_state,
                       Optional<SSM_IntTensor>:$seq_lens,
                       UnitAttr:$silu);
  let results = (outs SSM_FloatTensor:$result, SSM_StateTensor:$final_state);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? (`state` $init_state^)?
    (`lens` $seq_lens^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getKernelSize() {
      return ::llvm::cast<::mlir::RankedTensorType>(getWeight().getType())
          .getShape().back();
    }
  }];
}

def SSM_SelectiveScanOp : SSM_Op<"selective_scan",
    [Pure, AttrSizedOperandSegments, SSM_RecurrentStateOpInterface]> {
  let summary = "Mamba-1 selective scan, with optional fused discretization, skip and gate";
  let description = [{
    Per batch b, channel e, state n, step t (zero or `init_state` before t=0):

    ```
    Δ      = delta_proj ? delta_proj · δ[b,t,:] : delta[b,t,e]
    Δ      = delta_softplus ? softplus₂₀(Δ + delta_bias[e]) : Δ + delta_bias[e]
    h[e,n] = exp(Δ · A[e,n]) · h[e,n] + Δ · B[b,t,g,n] · u[b,t,e]
    y      = Σ_n h[e,n] · C[b,t,g,n]  (+ D[e] · u[b,t,e])  (· silu(z[b,t,e]))
    ```

    with g = e / (E / groups) and softplus₂₀ the torch softplus (identity
    above 20). u, z: [B, L, E]; delta: [B, L, E], or [B, L, R] with
    delta_proj: [E, R] (the low-rank projection folded in); A: [E, N];
    B, C: [B, L, groups·N]; D, delta_bias: [E]; init_state / final_state:
    [B, E, N]; seq_lens: [B] (steps at or past the length leave the state
    unchanged).

    Jamba's RMSNorms may be fused into the prologue: with `delta_norm` [R]
    (only with delta_proj), δ = rmsnorm(delta[b,t,:]) · delta_norm, else δ
    = delta[b,t,:]; with `B_norm` / `C_norm` [N] (groups = 1), B and C rows
    are rmsnorm(row) · weight first; `norm_eps` is their epsilon
    (rmsnorm(v) = v / sqrt(mean(v²) + eps)).

    ```mlir
    %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C D %D z %z delta_bias %db {delta_softplus} : (tensor<?x?x1536xf32>, tensor<?x?x1536xf32>, tensor<1536x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<1536xf32>, tensor<?x?x1536xf32>, tensor<1536xf32>) -> (tensor<?x?x1536xf32>, tensor<?x1536x16xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$u, SSM_FloatTensor:$delta,
                       SSM_FloatTensor:$A, SSM_FloatTensor:$B,
                       SSM_FloatTensor:$C,
                       Optional<SSM_FloatTensor>:$D,
                       Optional<SSM_FloatTensor>:$z,
                       Optional<SSM_FloatTensor>:$delta_bias,
                       Optional<SSM_FloatTensor>:$delta_proj,
                       Optional<SSM_StateTensor>:$init_state,
                       Optional<SSM_IntTensor>:$seq_lens,
                       Optional<SSM_FloatTensor>:$delta_norm,
                       Optional<SSM_FloatTensor>:$B_norm,
                       Optional<SSM_FloatTensor>:$C_norm,
                       DefaultValuedAttr<I64Attr, "1">:$groups,
                       UnitAttr:$delta_softplus,
                       OptionalAttr<F64Attr>:$norm_eps);
  let results = (outs SSM_FloatTensor:$result, SSM_StateTensor:$final_state);
  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C (`D` $D^)? (`z` $z^)?
    (`delta_bias` $delta_bias^)? (`delta_proj` $delta_proj^)?
    (`state` $init_state^)? (`lens` $seq_lens^)?
    (`delta_norm` $delta_norm^)? (`B_norm` $B_norm^)? (`C_norm` $C_norm^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getDInner() { return getShapeOf(getA())[0]; }
    int64_t getDState() { return getShapeOf(getA())[1]; }
    static ::llvm::ArrayRef<int64_t> getShapeOf(::mlir::Value v) {
      return ::llvm::cast<::mlir::RankedTensorType>(v.getType()).getShape();
    }
  }];
}

def SSM_SSDScanOp : SSM_Op<"ssd_scan",
    [Pure, AttrSizedOperandSegments, SSM_RecurrentStateOpInterface]> {
  let summary = "Mamba-2 state-space dual scan (scalar decay per head)";
  let description = [{
    Per batch b, head h (group g = h / (heads / groups), group-major), step t:

    ```
    Δ      = dt_softplus ? softplus₂₀(dt[b,t,h] + dt_bias[h]) : dt[b,t,h] + dt_bias[h]
    Δ      = min(max(Δ, dt_min), dt_max)        (each bound only when given)
    S[p,n] = exp(Δ · A[h]) · S[p,n] + Δ · x[b,t,h,p] · B[b,t,g,n]
    y      = Σ_n S[p,n] · C[b,t,g,n] + D[h] · x[b,t,h,p]  (· silu(z))
    ```

    computed in chunks of `chunk_size` steps (decays as exponentials of
    segment sums inside a chunk). x, z: [B, L, heads·head_dim]; dt: [B, L,
    heads]; A, D, dt_bias: [heads]; B, C: [B, L, groups·N];
    init_state / final_state: [B, heads, head_dim, N]; seq_lens: [B].

    ```mlir
    %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %C D %D dt_bias %db {chunk_size = 256 : i64, dt_softplus, groups = 1 : i64, head_dim = 64 : i64, heads = 24 : i64} : (tensor<?x?x1536xf32>, tensor<?x?x24xf32>, tensor<24xf32>, tensor<?x?x128xf32>, tensor<?x?x128xf32>, tensor<24xf32>, tensor<24xf32>) -> (tensor<?x?x1536xf32>, tensor<?x24x64x128xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$x, SSM_FloatTensor:$dt,
                       SSM_FloatTensor:$A, SSM_FloatTensor:$B,
                       SSM_FloatTensor:$C,
                       Optional<SSM_FloatTensor>:$D,
                       Optional<SSM_FloatTensor>:$z,
                       Optional<SSM_FloatTensor>:$dt_bias,
                       Optional<SSM_StateTensor>:$init_state,
                       Optional<SSM_IntTensor>:$seq_lens,
                       I64Attr:$heads, I64Attr:$head_dim, I64Attr:$groups,
                       DefaultValuedAttr<I64Attr, "256">:$chunk_size,
                       UnitAttr:$dt_softplus,
                       OptionalAttr<F64Attr>:$dt_min,
                       OptionalAttr<F64Attr>:$dt_max);
  let results = (outs SSM_FloatTensor:$result, SSM_StateTensor:$final_state);
  let assemblyFormat = [{
    $x `,` $dt `,` $A `,` $B `,` $C (`D` $D^)? (`z` $z^)?
    (`dt_bias` $dt_bias^)? (`state` $init_state^)? (`lens` $seq_lens^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_Mamba2StepOp : SSM_Op<"mamba2_step",
    [Pure, AttrSizedOperandSegments, SSM_RecurrentStateOpInterface]> {
  let summary = "One decode step of a Mamba-2 mixer, from conv input to gated norm";
  let description = [{
    The fused single-token step (produced by `--ssm-fuse-decode-step` on a
    function specialized to one token): for each batch row b, with xbc the
    pre-conv input [B, 1, I + 2·G·N] (x ‖ B ‖ C), I = heads · head_dim:

    ```
    xc       = silu(Σ_k conv_w[c,0,k] · window[k] + conv_b[c])   window = conv_state ++ xbc
    conv_state_out = last K-1 entries of the window
    x, B, C  = split(xc, [I, G·N, G·N])
    Δ        = clamp(softplus₂₀(dt[h] + dt_bias[h]), dt_min, dt_max)   (as ssd_scan)
    S[h,p,n] = exp(Δ · A[h]) · S[h,p,n] + Δ · x[h,p] · B[g,n]        g = h / (heads / G)
    y[h,p]   = Σ_n S[h,p,n] · C[g,n] + D[h] · x[h,p]
    result   = RMSNorm_group(y · silu(z)) · norm_weight               (group_size features)
    ```

    xbc: [B, 1, I + 2GN]; dt: [B, 1, heads]; z: [B, 1, I]; conv_weight:
    [I + 2GN, 1, K]; conv_state: [B, K-1, I + 2GN]; A, D, dt_bias: [heads];
    ssm_state: [B, heads, head_dim, N]; norm_weight: [I]. Results: [B, 1, I]
    and both states.

    ```mlir
    %y, %cs, %s = ssm.mamba2_step %xbc, %dt, %z, %cw, %cs0, %A, %s0, %nw conv_bias %cb D %D dt_bias %db {dt_softplus, group_size = 1536 : i64, groups = 1 : i64, head_dim = 64 : i64, heads = 24 : i64} : (tensor<?x1x1792xf32>, tensor<?x1x24xf32>, tensor<?x1x1536xf32>, tensor<1792x1x4xf32>, tensor<?x3x1792xf32>, tensor<24xf32>, tensor<?x24x64x128xf32>, tensor<1536xf32>, tensor<1792xf32>, tensor<24xf32>, tensor<24xf32>) -> (tensor<?x1x1536xf32>, tensor<?x3x1792xf32>, tensor<?x24x64x128xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$xbc, SSM_FloatTensor:$dt, SSM_FloatTensor:$z,
                       SSM_FloatTensor:$conv_weight, SSM_StateTensor:$conv_state,
                       SSM_FloatTensor:$A, SSM_StateTensor:$ssm_state,
                       SSM_FloatTensor:$norm_weight,
                       Optional<SSM_FloatTensor>:$conv_bias,
                       Optional<SSM_FloatTensor>:$D,
                       Optional<SSM_FloatTensor>:$dt_bias,
                       I64Attr:$heads, I64Attr:$head_dim, I64Attr:$groups,
                       UnitAttr:$dt_softplus,
                       OptionalAttr<F64Attr>:$dt_min,
                       OptionalAttr<F64Attr>:$dt_max,
                       DefaultValuedAttr<F64Attr, "1e-5">:$eps,
                       I64Attr:$group_size);
  let results = (outs SSM_FloatTensor:$result, SSM_StateTensor:$conv_state_out,
                      SSM_StateTensor:$ssm_state_out);
  let assemblyFormat = [{
    $xbc `,` $dt `,` $z `,` $conv_weight `,` $conv_state `,` $A `,` $ssm_state `,`
    $norm_weight (`conv_bias` $conv_bias^)? (`D` $D^)? (`dt_bias` $dt_bias^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_MambaStepOp : SSM_Op<"mamba_step",
    [Pure, AttrSizedOperandSegments, SSM_RecurrentStateOpInterface]> {
  let summary = "One decode step of a Mamba-1 mixer, from conv input to gated output";
  let description = [{
    The fused single-token step (produced by `--ssm-fuse-decode-step` on a
    function specialized to one token): for each batch row b, with x the
    pre-conv input [B, 1, E] and z the gate:

    ```
    xc        = silu(Σ_k conv_w[e,0,k] · window[k] + conv_b[e])   window = conv_state ++ x
    conv_state_out = last K-1 entries of the window
    dt, B, C  = split(x_proj · xc, [R, N, N])
    Δ         = softplus₂₀(delta_proj · dt + delta_bias[e])
    h[e,n]    = exp(Δ · A[e,n]) · h[e,n] + Δ · B[n] · xc[e]
    y[e]      = (Σ_n h[e,n] · C[n] + D[e] · xc[e]) · silu(z[e])
    ```

    x, z: [B, 1, E]; conv_w: [E, 1, K]; conv_b, delta_bias, D: [E];
    conv_state: [B, K-1, E]; x_proj: [R + 2N, E]; delta_proj: [E, R];
    A: [E, N]; ssm_state: [B, E, N]. Results: y [B, 1, E] and both states.

    ```mlir
    %y, %cs, %hs = ssm.mamba_step %x, %z, %cw, %cs0, %xp, %dp, %db, %A, %h0 conv_bias %cb D %D : (tensor<?x1x384xf32>, tensor<?x1x384xf32>, tensor<384x1x4xf32>, tensor<?x3x384xf32>, tensor<44x384xf32>, tensor<384x12xf32>, tensor<384xf32>, tensor<384x16xf32>, tensor<?x384x16xf32>, tensor<384xf32>, tensor<384xf32>) -> (tensor<?x1x384xf32>, tensor<?x3x384xf32>, tensor<?x384x16xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$x, SSM_FloatTensor:$z,
                       SSM_FloatTensor:$conv_weight, SSM_StateTensor:$conv_state,
                       SSM_FloatTensor:$x_proj, SSM_FloatTensor:$delta_proj,
                       SSM_FloatTensor:$delta_bias, SSM_FloatTensor:$A,
                       SSM_StateTensor:$ssm_state,
                       Optional<SSM_FloatTensor>:$conv_bias,
                       Optional<SSM_FloatTensor>:$D);
  let results = (outs SSM_FloatTensor:$result, SSM_StateTensor:$conv_state_out,
                      SSM_StateTensor:$ssm_state_out);
  let assemblyFormat = [{
    $x `,` $z `,` $conv_weight `,` $conv_state `,` $x_proj `,` $delta_proj `,`
    $delta_bias `,` $A `,` $ssm_state (`conv_bias` $conv_bias^)? (`D` $D^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention and mixture of experts
//===----------------------------------------------------------------------===//

def SSM_AttentionOp : SSM_Op<"attention",
    [Pure, AttrSizedOperandSegments, SSM_RecurrentStateOpInterface]> {
  let summary = "Causal grouped-query attention with a KV cache";
  let description = [{
    q: [B, L, heads·head_dim]; k, v: [B, L, kv_heads·head_dim]; the caches
    [B, kv_heads, T, head_dim] hold earlier steps (T may be 0 or dynamic).
    New keys and values are appended; query head h attends with kv head
    h / (heads / kv_heads). `softmax(q·kᵀ · scale)·v` with scale
    1/sqrt(head_dim) unless given, causal over positions T..T+L-1, with
    rotary embedding (base `rope_theta`, rotate-half form) when given.
    Results: the output [B, L, heads·head_dim] and the caches with the new
    steps appended.

    ```mlir
    %o, %kc, %vc = ssm.attention %q, %k, %v {heads = 32 : i64, head_dim = 128 : i64, kv_heads = 8 : i64} : (tensor<?x?x4096xf32>, tensor<?x?x1024xf32>, tensor<?x?x1024xf32>) -> (tensor<?x?x4096xf32>, tensor<?x8x?x128xf32>, tensor<?x8x?x128xf32>)
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$q, SSM_FloatTensor:$k,
                       SSM_FloatTensor:$v,
                       Optional<SSM_StateTensor>:$k_cache,
                       Optional<SSM_StateTensor>:$v_cache,
                       Optional<SSM_IntTensor>:$seq_lens,
                       I64Attr:$heads, I64Attr:$kv_heads, I64Attr:$head_dim,
                       DefaultValuedAttr<BoolAttr, "true">:$causal,
                       OptionalAttr<F64Attr>:$rope_theta,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs SSM_FloatTensor:$result, SSM_StateTensor:$k_cache_out,
                      SSM_StateTensor:$v_cache_out);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`cache` `(` $k_cache^ `,` $v_cache `)`)?
    (`lens` $seq_lens^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SSM_MoEOp : SSM_Op<"moe", [Pure]> {
  let summary = "Sparse mixture of SwiGLU experts with a softmax top-k router";
  let description = [{
    `p = softmax(x · routerᵀ)` in fp32 over all experts; the top_k experts by
    p are run and summed, weighted by p (renormalized over the chosen k when
    `renormalize`). Expert i is `down_i · (silu(gate_i · x) · (up_i · x))`.
    `experts` lists the weights expert by expert:
    gate [I, D], up [I, D], down [D, I] for each of num_experts.
    x: [B, L, D], router: [num_experts, D].

    ```mlir
    %y = ssm.moe %x, %router, %g0, %u0, %d0, %g1, %u1, %d1 {top_k = 1 : i64} : (tensor<?x?x8xf32>, tensor<2x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
    ```
  }];
  let arguments = (ins SSM_FloatTensor:$input, SSM_FloatTensor:$router,
                       Variadic<SSM_FloatTensor>:$experts,
                       I64Attr:$top_k,
                       DefaultValuedAttr<BoolAttr, "false">:$renormalize);
  let results = (outs SSM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $router `,` $experts attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getNumExperts() { return getExperts().size() / 3; }
  }];
}

#endif // SSM_OPS_TD
