// RUN: ssmc-opt %s --split-input-file --verify-diagnostics

// Test: a parameter must have a static shape.
func.func @param_dynamic() {
  // expected-error @+1 {{parameter 'w' has shape [?] but parameters must have a static shape}}
  %0 = ssm.param "w" : tensor<?xf32>
  return
}

// -----

// Test: linear weight in-features must match the input's last dimension.
func.func @linear_weight(%x: tensor<?x?x768xf32>, %w: tensor<3072x700xf32>) {
  // expected-error @+1 {{operand 'input' has shape [?, ?, 768] but expected [?, ?, 700]}}
  %0 = ssm.linear %x, %w : (tensor<?x?x768xf32>, tensor<3072x700xf32>) -> tensor<?x?x3072xf32>
  return
}

// -----

// Test: linear bias must have the out-features.
func.func @linear_bias(%x: tensor<?x?x8xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{operand 'bias' has shape [8] but expected [4]}}
  %0 = ssm.linear %x, %w bias %b : (tensor<?x?x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<?x?x4xf32>
  return
}

// -----

// Test: linear result width is the weight's out-features.
func.func @linear_result(%x: tensor<?x?x8xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{result has shape [?, ?, 8] but expected [?, ?, 4]}}
  %0 = ssm.linear %x, %w : (tensor<?x?x8xf32>, tensor<4x8xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

// Test: rmsnorm weight must match the feature width.
func.func @rmsnorm_weight(%x: tensor<?x?x8xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{operand 'weight' has shape [4] but expected [8]}}
  %0 = ssm.rmsnorm %x, %w : (tensor<?x?x8xf32>, tensor<4xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

// Test: gated rmsnorm group size must divide the width.
func.func @gated_group(%x: tensor<?x?x8xf32>, %z: tensor<?x?x8xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{attribute 'group_size' (3) must divide the feature width 8}}
  %0 = ssm.gated_rmsnorm %x, %z, %w {group_size = 3 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

// Test: split sizes must add up to the split dimension.
func.func @split_sizes(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{split sizes add up to 7 but dimension 2 of operand 'input' [?, ?, 8] is 8}}
  %0:2 = ssm.split %x {sizes = array<i64: 3, 4>} : (tensor<?x?x8xf32>) -> (tensor<?x?x3xf32>, tensor<?x?x4xf32>)
  return
}

// -----

// Test: a dynamic dimension cannot be split.
func.func @split_dynamic(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{cannot split dynamic dimension 1 of operand 'input'}}
  %0:2 = ssm.split %x {axis = 1 : i64, sizes = array<i64: 3, 4>} : (tensor<?x?x8xf32>) -> (tensor<?x3x8xf32>, tensor<?x4x8xf32>)
  return
}

// -----

// Test: concat checks the other dimensions.
func.func @concat_dims(%a: tensor<?x?x4xf32>, %b: tensor<?x2x4xf32>) {
  // expected-error @+1 {{cannot concatenate along dynamic dimension 1}}
  %0 = ssm.concat %a, %b {axis = 1 : i64} : (tensor<?x?x4xf32>, tensor<?x2x4xf32>) -> tensor<?x?x4xf32>
  return
}

// -----

// Test: reshape keeps the element count.
func.func @reshape_count(%x: tensor<?x?x1536xf32>) {
  // expected-error @+1 {{cannot reshape [?, ?, 1536] to [?, ?, 24, 63]: element counts differ}}
  %0 = ssm.reshape %x : tensor<?x?x1536xf32> to tensor<?x?x24x63xf32>
  return
}

// -----

// Test: transpose needs a permutation.
func.func @transpose_perm(%x: tensor<?x4x8xf32>) {
  // expected-error @+1 {{permutation is not a permutation of 0..2}}
  %0 = ssm.transpose %x {permutation = array<i64: 0, 1, 1>} : tensor<?x4x8xf32> to tensor<?x4x4xf32>
  return
}

// -----

// Test: elementwise shapes must broadcast.
func.func @add_broadcast(%a: tensor<?x?x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operands have shapes [?, ?, 8] and [4] that do not broadcast (dimension 2: 8 vs 4)}}
  %0 = ssm.add %a, %b : tensor<?x?x8xf32>, tensor<4xf32> -> tensor<?x?x8xf32>
  return
}

// -----

// Test: conv weight must be [C, 1, K].
func.func @conv_weight(%x: tensor<?x?x8xf32>, %w: tensor<8x2x4xf32>) {
  // expected-error @+1 {{operand 'weight' has shape [8, 2, 4] but expected [8, 1, 4]}}
  %0, %1 = ssm.causal_conv1d %x, %w : (tensor<?x?x8xf32>, tensor<8x2x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>)
  return
}

// -----

// Test: conv state holds K-1 steps.
func.func @conv_state(%x: tensor<?x?x8xf32>, %w: tensor<8x1x4xf32>, %s: tensor<?x4x8xf32>) {
  // expected-error @+1 {{operand 'init_state' has shape [?, 4, 8] but expected [?, 3, 8]}}
  %0, %1 = ssm.causal_conv1d %x, %w state %s : (tensor<?x?x8xf32>, tensor<8x1x4xf32>, tensor<?x4x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>)
  return
}

// -----

// Test: selective scan delta must match the channels.
func.func @scan_delta(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<8x2xf32>, %B: tensor<?x?x2xf32>) {
  // expected-error @+1 {{operand 'delta' has shape [?, ?, 4] but expected [?, ?, 8]}}
  %y, %s = ssm.selective_scan %u, %dt, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x4xf32>, tensor<8x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x2xf32>)
  return
}

// -----

// Test: selective scan B carries groups * d_state features.
func.func @scan_groups(%u: tensor<?x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<?x?x2xf32>) {
  // expected-error @+1 {{operand 'B' has shape [?, ?, 2] but expected [?, ?, 4]}}
  %y, %s = ssm.selective_scan %u, %u, %A, %B, %B {groups = 2 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x2xf32>)
  return
}

// -----

// Test: fused norms need their epsilon.
func.func @scan_norm_eps(%u: tensor<?x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<?x?x2xf32>, %w: tensor<2xf32>) {
  // expected-error @+1 {{fused norms need 'norm_eps'}}
  %y, %s = ssm.selective_scan %u, %u, %A, %B, %B B_norm %w : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<2xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x2xf32>)
  return
}

// -----

// Test: the delta norm is over the low-rank delta, which needs delta_proj.
func.func @scan_delta_norm(%u: tensor<?x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<?x?x2xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{operand 'delta_norm' needs the low-rank delta of 'delta_proj'}}
  %y, %s = ssm.selective_scan %u, %u, %A, %B, %B delta_norm %w {norm_eps = 1.0e-06 : f64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<8xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x2xf32>)
  return
}

// -----

// Test: a C norm weight has d_state entries.
func.func @scan_c_norm(%u: tensor<?x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<?x?x2xf32>, %w: tensor<3xf32>) {
  // expected-error @+1 {{operand 'C_norm' has shape [3] but expected [2]}}
  %y, %s = ssm.selective_scan %u, %u, %A, %B, %B C_norm %w {norm_eps = 1.0e-06 : f64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<3xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x2xf32>)
  return
}

// -----

// Test: batch sizes must agree when static.
func.func @scan_batch(%u: tensor<2x?x8xf32>, %dt: tensor<3x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<2x?x2xf32>) {
  // expected-error @+1 {{operand 'delta' has shape [3, ?, 8] but expected [2, ?, 8]}}
  %y, %s = ssm.selective_scan %u, %dt, %A, %B, %B : (tensor<2x?x8xf32>, tensor<3x?x8xf32>, tensor<8x2xf32>, tensor<2x?x2xf32>, tensor<2x?x2xf32>) -> (tensor<2x?x8xf32>, tensor<2x8x2xf32>)
  return
}

// -----

// Test: the folded delta projection reads the low-rank delta.
func.func @scan_delta_proj(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<?x?x2xf32>, %w: tensor<8x3xf32>) {
  // expected-error @+1 {{operand 'delta' has shape [?, ?, 8] but expected [?, ?, 3]}}
  %y, %s = ssm.selective_scan %u, %dt, %A, %B, %B delta_proj %w : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<8x3xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x2xf32>)
  return
}

// -----

// Test: selective scan final state is [B, E, N].
func.func @scan_state(%u: tensor<?x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<?x?x2xf32>) {
  // expected-error @+1 {{result 'final_state' has shape [?, 2, 8] but expected [?, 8, 2]}}
  %y, %s = ssm.selective_scan %u, %u, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<?x?x8xf32>, tensor<?x2x8xf32>)
  return
}

// -----

// Test: ssd_scan groups must divide heads.
func.func @ssd_groups(%x: tensor<?x?x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x6xf32>) {
  // expected-error @+1 {{attribute 'groups' (3) must divide 'heads' (4)}}
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %B {groups = 3 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x6xf32>, tensor<?x?x6xf32>) -> (tensor<?x?x32xf32>, tensor<?x4x8x2xf32>)
  return
}

// -----

// Test: ssd_scan time step limits are ordered.
func.func @ssd_limits(%x: tensor<?x?x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x2xf32>) {
  // expected-error @+1 {{the time step limits must satisfy 0 <= dt_min <= dt_max and dt_max > 0, got dt_min 0.200000, dt_max 0.100000}}
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %B {dt_max = 0.1 : f64, dt_min = 0.2 : f64, groups = 1 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<?x?x32xf32>, tensor<?x4x8x2xf32>)
  return
}

// -----

// Test: ssd_scan time step limits are not negative.
func.func @ssd_negative_limit(%x: tensor<?x?x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x2xf32>) {
  // expected-error @+1 {{got dt_min -1.000000, dt_max none}}
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %B {dt_min = -1.0 : f64, groups = 1 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<?x?x32xf32>, tensor<?x4x8x2xf32>)
  return
}

// -----

// Test: ssd_scan x is heads * head_dim wide.
func.func @ssd_width(%x: tensor<?x?x30xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x2xf32>) {
  // expected-error @+1 {{operand 'x' has shape [?, ?, 30] but expected [?, ?, 32]}}
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %B {groups = 1 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x30xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<?x?x30xf32>, tensor<?x4x8x2xf32>)
  return
}

// -----

// Test: attention kv heads must divide heads.
func.func @attn_heads(%q: tensor<?x?x64xf32>, %k: tensor<?x?x48xf32>) {
  // expected-error @+1 {{attribute 'kv_heads' (3) must divide 'heads' (4)}}
  %o, %kc, %vc = ssm.attention %q, %k, %k {heads = 4 : i64, head_dim = 16 : i64, kv_heads = 3 : i64} : (tensor<?x?x64xf32>, tensor<?x?x48xf32>, tensor<?x?x48xf32>) -> (tensor<?x?x64xf32>, tensor<?x3x?x16xf32>, tensor<?x3x?x16xf32>)
  return
}

// -----

// Test: attention k width is kv_heads * head_dim.
func.func @attn_k(%q: tensor<?x?x64xf32>, %k: tensor<?x?x64xf32>) {
  // expected-error @+1 {{operand 'k' has shape [?, ?, 64] but expected [?, ?, 32]}}
  %o, %kc, %vc = ssm.attention %q, %k, %k {heads = 4 : i64, head_dim = 16 : i64, kv_heads = 2 : i64} : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) -> (tensor<?x?x64xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>)
  return
}

// -----

// Test: moe needs three weights per expert.
func.func @moe_weights(%x: tensor<?x?x8xf32>, %r: tensor<1x8xf32>, %g: tensor<16x8xf32>) {
  // expected-error @+1 {{expects 3 weights (gate, up, down) per expert, got 2 weights}}
  %0 = ssm.moe %x, %r, %g, %g {top_k = 1 : i64} : (tensor<?x?x8xf32>, tensor<1x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

// Test: moe top_k is at most the number of experts.
func.func @moe_topk(%x: tensor<?x?x8xf32>, %r: tensor<1x8xf32>, %g: tensor<16x8xf32>, %d: tensor<8x16xf32>) {
  // expected-error @+1 {{attribute 'top_k' (2) must be in [1, 1]}}
  %0 = ssm.moe %x, %r, %g, %g, %d {top_k = 2 : i64} : (tensor<?x?x8xf32>, tensor<1x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

// Test: the expert down projection is [D, I].
func.func @moe_down(%x: tensor<?x?x8xf32>, %r: tensor<1x8xf32>, %g: tensor<16x8xf32>) {
  // expected-error @+1 {{expert 0 operand 'down' has shape [16, 8] but expected [8, 16]}}
  %0 = ssm.moe %x, %r, %g, %g, %g {top_k = 1 : i64} : (tensor<?x?x8xf32>, tensor<1x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<?x?x8xf32>
  return
}

// -----

// Test: embedding result width is the table's.
func.func @embedding_width(%t: tensor<10x4xf32>, %ids: tensor<?x?xi32>) {
  // expected-error @+1 {{result has shape [?, ?, 8] but expected [?, ?, 4]}}
  %0 = ssm.embedding %t, %ids : (tensor<10x4xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  return
}

// -----

// Test: logits weight is [V, D].
func.func @logits_weight(%x: tensor<?x?x4xf32>, %w: tensor<4x10xf32>) {
  // expected-error @+1 {{operand 'input' has shape [?, ?, 4] but expected [?, ?, 10]}}
  %0 = ssm.logits %x, %w : (tensor<?x?x4xf32>, tensor<4x10xf32>) -> tensor<?x?x4xf32>
  return
}

// -----

// Test: add_rmsnorm residual matches the input.
func.func @add_rmsnorm_residual(%x: tensor<?x?x8xf32>, %r: tensor<?x?x4xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{operand 'residual' has shape [?, ?, 4] but expected [?, ?, 8]}}
  %0, %1 = ssm.add_rmsnorm %x, %r, %w : (tensor<?x?x8xf32>, tensor<?x?x4xf32>, tensor<8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>)
  return
}

// -----

// Test: mamba2_step's x‖B‖C width must match heads, head_dim, groups and the state.
func.func @mamba2_step_width(%xbc: tensor<?x1x50xf32>, %dt: tensor<?x1x4xf32>, %z: tensor<?x1x32xf32>, %cw: tensor<50x1x4xf32>, %cs: tensor<?x3x50xf32>, %A: tensor<4xf32>, %s: tensor<?x4x8x6xf32>, %nw: tensor<32xf32>) {
  // expected-error @+1 {{operand 'xbc' has 50 features but x, B and C need heads * head_dim + 2 * groups * d_state = 56}}
  %y, %cs2, %s2 = ssm.mamba2_step %xbc, %dt, %z, %cw, %cs, %A, %s, %nw {group_size = 16 : i64, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x1x50xf32>, tensor<?x1x4xf32>, tensor<?x1x32xf32>, tensor<50x1x4xf32>, tensor<?x3x50xf32>, tensor<4xf32>, tensor<?x4x8x6xf32>, tensor<32xf32>) -> (tensor<?x1x32xf32>, tensor<?x3x50xf32>, tensor<?x4x8x6xf32>)
  return
}

// -----

// Test: mamba2_step's norm groups must divide the inner width.
func.func @mamba2_step_group(%xbc: tensor<?x1x56xf32>, %dt: tensor<?x1x4xf32>, %z: tensor<?x1x32xf32>, %cw: tensor<56x1x4xf32>, %cs: tensor<?x3x56xf32>, %A: tensor<4xf32>, %s: tensor<?x4x8x6xf32>, %nw: tensor<32xf32>) {
  // expected-error @+1 {{attribute 'group_size' (12) must divide heads * head_dim (32)}}
  %y, %cs2, %s2 = ssm.mamba2_step %xbc, %dt, %z, %cw, %cs, %A, %s, %nw {group_size = 12 : i64, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x1x56xf32>, tensor<?x1x4xf32>, tensor<?x1x32xf32>, tensor<56x1x4xf32>, tensor<?x3x56xf32>, tensor<4xf32>, tensor<?x4x8x6xf32>, tensor<32xf32>) -> (tensor<?x1x32xf32>, tensor<?x3x56xf32>, tensor<?x4x8x6xf32>)
  return
}

// -----

// Test: mamba2_step's z is heads * head_dim wide.
func.func @mamba2_step_gate(%xbc: tensor<?x1x56xf32>, %dt: tensor<?x1x4xf32>, %z: tensor<?x1x30xf32>, %cw: tensor<56x1x4xf32>, %cs: tensor<?x3x56xf32>, %A: tensor<4xf32>, %s: tensor<?x4x8x6xf32>, %nw: tensor<32xf32>) {
  // expected-error @+1 {{operand 'z' has shape [?, 1, 30] but expected [?, 1, 32]}}
  %y, %cs2, %s2 = ssm.mamba2_step %xbc, %dt, %z, %cw, %cs, %A, %s, %nw {group_size = 16 : i64, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x1x56xf32>, tensor<?x1x4xf32>, tensor<?x1x30xf32>, tensor<56x1x4xf32>, tensor<?x3x56xf32>, tensor<4xf32>, tensor<?x4x8x6xf32>, tensor<32xf32>) -> (tensor<?x1x32xf32>, tensor<?x3x56xf32>, tensor<?x4x8x6xf32>)
  return
}
