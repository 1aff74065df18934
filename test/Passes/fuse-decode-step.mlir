// RUN: ssmc-opt %s --split-input-file --ssm-fuse-decode-step | FileCheck %s

// Test: conv+SiLU, x_proj, split and the fused scan on one token become mamba_step.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x1x8xf32>, %[[Z:[^:]*]]: tensor<?x1x8xf32>, %[[CS:[^:]*]]: tensor<?x3x8xf32>, %[[HS:[^:]*]]: tensor<?x8x4xf32>
// CHECK: %[[Y:.*]], %[[CS2:.*]], %[[HS2:.*]] = ssm.mamba_step %[[X]], %[[Z]], %{{.*}}, %[[CS]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[HS]] conv_bias %{{.*}} D %{{.*}}
// CHECK-NOT: ssm.selective_scan
// CHECK-NOT: ssm.causal_conv1d
// CHECK: return %[[Y]], %[[CS2]], %[[HS2]]
func.func @step(%x: tensor<?x1x8xf32>, %z: tensor<?x1x8xf32>, %cs: tensor<?x3x8xf32>, %hs: tensor<?x8x4xf32>, %cw: tensor<8x1x4xf32>, %cb: tensor<8xf32>, %xp: tensor<10x8xf32>, %dp: tensor<8x2xf32>, %db: tensor<8xf32>, %A: tensor<8x4xf32>, %D: tensor<8xf32>) -> (tensor<?x1x8xf32>, tensor<?x3x8xf32>, tensor<?x8x4xf32>) {
  %u, %cs2 = ssm.causal_conv1d %x, %cw bias %cb state %cs {silu} : (tensor<?x1x8xf32>, tensor<8x1x4xf32>, tensor<8xf32>, tensor<?x3x8xf32>) -> (tensor<?x1x8xf32>, tensor<?x3x8xf32>)
  %dbc = ssm.linear %u, %xp : (tensor<?x1x8xf32>, tensor<10x8xf32>) -> tensor<?x1x10xf32>
  %dt, %B, %C = ssm.split %dbc {axis = 2 : i64, sizes = array<i64: 2, 4, 4>} : (tensor<?x1x10xf32>) -> (tensor<?x1x2xf32>, tensor<?x1x4xf32>, tensor<?x1x4xf32>)
  %y, %hs2 = ssm.selective_scan %u, %dt, %A, %B, %C D %D z %z delta_bias %db delta_proj %dp state %hs {delta_softplus} : (tensor<?x1x8xf32>, tensor<?x1x2xf32>, tensor<8x4xf32>, tensor<?x1x4xf32>, tensor<?x1x4xf32>, tensor<8xf32>, tensor<?x1x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<?x8x4xf32>) -> (tensor<?x1x8xf32>, tensor<?x8x4xf32>)
  return %y, %cs2, %hs2 : tensor<?x1x8xf32>, tensor<?x3x8xf32>, tensor<?x8x4xf32>
}

// -----

// Test: Jamba-style norms between the split and the scan block the fusion.
// CHECK-LABEL: func.func @normed_bc
// CHECK: ssm.causal_conv1d
// CHECK: ssm.selective_scan
// CHECK-NOT: ssm.mamba_step
func.func @normed_bc(%x: tensor<?x1x8xf32>, %z: tensor<?x1x8xf32>, %cs: tensor<?x3x8xf32>, %hs: tensor<?x8x4xf32>, %cw: tensor<8x1x4xf32>, %xp: tensor<10x8xf32>, %dp: tensor<8x2xf32>, %db: tensor<8xf32>, %A: tensor<8x4xf32>, %nw: tensor<4xf32>) -> tensor<?x1x8xf32> {
  %u, %cs2 = ssm.causal_conv1d %x, %cw state %cs {silu} : (tensor<?x1x8xf32>, tensor<8x1x4xf32>, tensor<?x3x8xf32>) -> (tensor<?x1x8xf32>, tensor<?x3x8xf32>)
  %dbc = ssm.linear %u, %xp : (tensor<?x1x8xf32>, tensor<10x8xf32>) -> tensor<?x1x10xf32>
  %dt, %B, %C = ssm.split %dbc {axis = 2 : i64, sizes = array<i64: 2, 4, 4>} : (tensor<?x1x10xf32>) -> (tensor<?x1x2xf32>, tensor<?x1x4xf32>, tensor<?x1x4xf32>)
  %Bn = ssm.rmsnorm %B, %nw : (tensor<?x1x4xf32>, tensor<4xf32>) -> tensor<?x1x4xf32>
  %y, %hs2 = ssm.selective_scan %u, %dt, %A, %Bn, %C z %z delta_bias %db delta_proj %dp state %hs {delta_softplus} : (tensor<?x1x8xf32>, tensor<?x1x2xf32>, tensor<8x4xf32>, tensor<?x1x4xf32>, tensor<?x1x4xf32>, tensor<?x1x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<?x8x4xf32>) -> (tensor<?x1x8xf32>, tensor<?x8x4xf32>)
  return %y : tensor<?x1x8xf32>
}

// -----

// Test: a multi-token function is not a decode step.
// CHECK-LABEL: func.func @prefill
// CHECK-NOT: ssm.mamba_step
func.func @prefill(%x: tensor<?x?x8xf32>, %z: tensor<?x?x8xf32>, %cs: tensor<?x3x8xf32>, %hs: tensor<?x8x4xf32>, %cw: tensor<8x1x4xf32>, %xp: tensor<10x8xf32>, %dp: tensor<8x2xf32>, %db: tensor<8xf32>, %A: tensor<8x4xf32>) -> tensor<?x?x8xf32> {
  %u, %cs2 = ssm.causal_conv1d %x, %cw state %cs {silu} : (tensor<?x?x8xf32>, tensor<8x1x4xf32>, tensor<?x3x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>)
  %dbc = ssm.linear %u, %xp : (tensor<?x?x8xf32>, tensor<10x8xf32>) -> tensor<?x?x10xf32>
  %dt, %B, %C = ssm.split %dbc {axis = 2 : i64, sizes = array<i64: 2, 4, 4>} : (tensor<?x?x10xf32>) -> (tensor<?x?x2xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>)
  %y, %hs2 = ssm.selective_scan %u, %dt, %A, %B, %C z %z delta_bias %db delta_proj %dp state %hs {delta_softplus} : (tensor<?x?x8xf32>, tensor<?x?x2xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<?x8x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  return %y : tensor<?x?x8xf32>
}

// -----

// Test: Mamba-2 on one token: conv+SiLU over x‖B‖C, the split, the fused
// ssd_scan (softplus, dt bias, clamp, D) and the gated norm become
// mamba2_step, keeping every attribute.
// CHECK-LABEL: func.func @mamba2_step
// CHECK-SAME: (%[[XBC:[^:]*]]: tensor<?x1x56xf32>, %[[DT:[^:]*]]: tensor<?x1x4xf32>, %[[Z:[^:]*]]: tensor<?x1x32xf32>, %[[CS:[^:]*]]: tensor<?x3x56xf32>, %[[S:[^:]*]]: tensor<?x4x8x6xf32>
// CHECK: %[[Y:.*]], %[[CS2:.*]], %[[S2:.*]] = ssm.mamba2_step %[[XBC]], %[[DT]], %[[Z]], %{{.*}}, %[[CS]], %{{.*}}, %[[S]], %{{.*}} conv_bias %{{.*}} D %{{.*}} dt_bias %{{.*}} {dt_max = 1.000000e-01 : f64, dt_softplus, group_size = 16 : i64, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64}
// CHECK-NOT: ssm.ssd_scan
// CHECK-NOT: ssm.causal_conv1d
// CHECK-NOT: ssm.gated_rmsnorm
// CHECK: return %[[Y]], %[[CS2]], %[[S2]]
func.func @mamba2_step(%xbc: tensor<?x1x56xf32>, %dt: tensor<?x1x4xf32>, %z: tensor<?x1x32xf32>, %cs: tensor<?x3x56xf32>, %s: tensor<?x4x8x6xf32>, %cw: tensor<56x1x4xf32>, %cb: tensor<56xf32>, %A: tensor<4xf32>, %D: tensor<4xf32>, %db: tensor<4xf32>, %nw: tensor<32xf32>) -> (tensor<?x1x32xf32>, tensor<?x3x56xf32>, tensor<?x4x8x6xf32>) {
  %xc, %cs2 = ssm.causal_conv1d %xbc, %cw bias %cb state %cs {silu} : (tensor<?x1x56xf32>, tensor<56x1x4xf32>, tensor<56xf32>, tensor<?x3x56xf32>) -> (tensor<?x1x56xf32>, tensor<?x3x56xf32>)
  %x, %B, %C = ssm.split %xc {axis = 2 : i64, sizes = array<i64: 32, 12, 12>} : (tensor<?x1x56xf32>) -> (tensor<?x1x32xf32>, tensor<?x1x12xf32>, tensor<?x1x12xf32>)
  %y, %s2 = ssm.ssd_scan %x, %dt, %A, %B, %C D %D dt_bias %db state %s {dt_max = 0.1 : f64, dt_softplus, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x1x32xf32>, tensor<?x1x4xf32>, tensor<4xf32>, tensor<?x1x12xf32>, tensor<?x1x12xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?x4x8x6xf32>) -> (tensor<?x1x32xf32>, tensor<?x4x8x6xf32>)
  %n = ssm.gated_rmsnorm %y, %z, %nw {group_size = 16 : i64} : (tensor<?x1x32xf32>, tensor<?x1x32xf32>, tensor<32xf32>) -> tensor<?x1x32xf32>
  return %n, %cs2, %s2 : tensor<?x1x32xf32>, tensor<?x3x56xf32>, tensor<?x4x8x6xf32>
}

// -----

// Test: a norm before the gate, or x used besides the scan, is not the
// step's: nothing fuses.
// CHECK-LABEL: func.func @mamba2_not_fused
// CHECK-NOT: ssm.mamba2_step
// CHECK: ssm.ssd_scan
// CHECK: ssm.gated_rmsnorm {{.*}}norm_before_gate = true
// CHECK: ssm.ssd_scan
// CHECK: ssm.gated_rmsnorm
func.func @mamba2_not_fused(%xbc: tensor<?x1x56xf32>, %dt: tensor<?x1x4xf32>, %z: tensor<?x1x32xf32>, %cs: tensor<?x3x56xf32>, %s: tensor<?x4x8x6xf32>, %cw: tensor<56x1x4xf32>, %A: tensor<4xf32>, %nw: tensor<32xf32>) -> (tensor<?x1x32xf32>, tensor<?x1x32xf32>, tensor<?x1x32xf32>) {
  %xc, %cs2 = ssm.causal_conv1d %xbc, %cw state %cs {silu} : (tensor<?x1x56xf32>, tensor<56x1x4xf32>, tensor<?x3x56xf32>) -> (tensor<?x1x56xf32>, tensor<?x3x56xf32>)
  %x, %B, %C = ssm.split %xc {axis = 2 : i64, sizes = array<i64: 32, 12, 12>} : (tensor<?x1x56xf32>) -> (tensor<?x1x32xf32>, tensor<?x1x12xf32>, tensor<?x1x12xf32>)
  %y, %s2 = ssm.ssd_scan %x, %dt, %A, %B, %C state %s {dt_softplus, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x1x32xf32>, tensor<?x1x4xf32>, tensor<4xf32>, tensor<?x1x12xf32>, tensor<?x1x12xf32>, tensor<?x4x8x6xf32>) -> (tensor<?x1x32xf32>, tensor<?x4x8x6xf32>)
  %n = ssm.gated_rmsnorm %y, %z, %nw {group_size = 16 : i64, norm_before_gate = true} : (tensor<?x1x32xf32>, tensor<?x1x32xf32>, tensor<32xf32>) -> tensor<?x1x32xf32>
  %xc2, %cs3 = ssm.causal_conv1d %xbc, %cw state %cs {silu} : (tensor<?x1x56xf32>, tensor<56x1x4xf32>, tensor<?x3x56xf32>) -> (tensor<?x1x56xf32>, tensor<?x3x56xf32>)
  %x2, %B2, %C2 = ssm.split %xc2 {axis = 2 : i64, sizes = array<i64: 32, 12, 12>} : (tensor<?x1x56xf32>) -> (tensor<?x1x32xf32>, tensor<?x1x12xf32>, tensor<?x1x12xf32>)
  %y2, %s3 = ssm.ssd_scan %x2, %dt, %A, %B2, %C2 state %s {dt_softplus, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x1x32xf32>, tensor<?x1x4xf32>, tensor<4xf32>, tensor<?x1x12xf32>, tensor<?x1x12xf32>, tensor<?x4x8x6xf32>) -> (tensor<?x1x32xf32>, tensor<?x4x8x6xf32>)
  %n2 = ssm.gated_rmsnorm %y2, %z, %nw {group_size = 16 : i64} : (tensor<?x1x32xf32>, tensor<?x1x32xf32>, tensor<32xf32>) -> tensor<?x1x32xf32>
  return %n, %n2, %x2 : tensor<?x1x32xf32>, tensor<?x1x32xf32>, tensor<?x1x32xf32>
}
