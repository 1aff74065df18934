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
