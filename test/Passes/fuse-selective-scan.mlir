// RUN: ssmc-opt %s --split-input-file --ssm-fuse-selective-scan | FileCheck %s
// RUN: ssmc-opt %s --split-input-file --ssm-fuse-selective-scan=fold-delta-proj=false | FileCheck %s --check-prefix=NOPROJ

// Test: the whole Mamba-1 chain folds into one scan: softplus, the dt_proj
// bias and projection, the D skip and the SiLU gate.
// CHECK-LABEL: func.func @full_chain
// CHECK-SAME: (%[[U:.*]]: tensor<?x?x8xf32>, %[[DTL:.*]]: tensor<?x?x3xf32>, %[[W:.*]]: tensor<8x3xf32>, %[[BIAS:.*]]: tensor<8xf32>, %[[A:.*]]: tensor<8x4xf32>, %[[B:.*]]: tensor<?x?x4xf32>, %[[C:.*]]: tensor<?x?x4xf32>, %[[D:.*]]: tensor<8xf32>, %[[Z:.*]]: tensor<?x?x8xf32>)
// CHECK-NEXT: %[[Y:.*]], %{{.*}} = ssm.selective_scan %[[U]], %[[DTL]], %[[A]], %[[B]], %[[C]] D %[[D]] z %[[Z]] delta_bias %[[BIAS]] delta_proj %[[W]] {delta_softplus}
// CHECK-NEXT: return %[[Y]]
// NOPROJ-LABEL: func.func @full_chain
// NOPROJ: %[[DT:.*]] = ssm.linear %{{.*}}, %{{.*}} : (tensor<?x?x3xf32>, tensor<8x3xf32>) -> tensor<?x?x8xf32>
// NOPROJ-NEXT: ssm.selective_scan %{{.*}}, %[[DT]], {{.*}} delta_bias %{{.*}} {delta_softplus}
func.func @full_chain(%u: tensor<?x?x8xf32>, %dtl: tensor<?x?x3xf32>, %w: tensor<8x3xf32>, %bias: tensor<8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>, %C: tensor<?x?x4xf32>, %D: tensor<8xf32>, %z: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %dt = ssm.linear %dtl, %w bias %bias : (tensor<?x?x3xf32>, tensor<8x3xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %sp = ssm.softplus %dt : tensor<?x?x8xf32>
  %y, %s = ssm.selective_scan %u, %sp, %A, %B, %C : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  %du = ssm.mul %u, %D : tensor<?x?x8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
  %skip = ssm.add %y, %du : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  %g = ssm.silu %z : tensor<?x?x8xf32>
  %out = ssm.mul %g, %skip : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %out : tensor<?x?x8xf32>
}

// -----

// Test: a bias added to delta (not through a linear) folds too.
// CHECK-LABEL: func.func @add_bias
// CHECK-NEXT: ssm.selective_scan %{{.*}}, %[[DT:[^,]*]], {{.*}} delta_bias %[[BIAS:[^ ]*]] {delta_softplus}
func.func @add_bias(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %bias: tensor<8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>) -> tensor<?x?x8xf32> {
  %d = ssm.add %dt, %bias : tensor<?x?x8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
  %sp = ssm.softplus %d : tensor<?x?x8xf32>
  %y, %s = ssm.selective_scan %u, %sp, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  return %y : tensor<?x?x8xf32>
}

// -----

// Test: a softplus with another threshold is not torch's: no fusion.
// CHECK-LABEL: func.func @other_threshold
// CHECK: ssm.softplus %{{.*}} {threshold = 1.000000e+01 : f64}
// CHECK: ssm.selective_scan
// CHECK-NOT: delta_softplus
func.func @other_threshold(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>) -> tensor<?x?x8xf32> {
  %sp = ssm.softplus %dt {threshold = 10.0 : f64} : tensor<?x?x8xf32>
  %y, %s = ssm.selective_scan %u, %sp, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  return %y : tensor<?x?x8xf32>
}

// -----

// Test: a gate that is not SiLU (here the raw z) is not folded.
// CHECK-LABEL: func.func @plain_gate
// CHECK: %[[Y:.*]], %{{.*}} = ssm.selective_scan
// CHECK-NOT: z %
// CHECK: ssm.mul %[[Y]], %{{.*}}
func.func @plain_gate(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>, %z: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %y, %s = ssm.selective_scan %u, %dt, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  %out = ssm.mul %y, %z : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %out : tensor<?x?x8xf32>
}

// -----

// Test: a skip of another tensor than the scan's u is not the D term.
// CHECK-LABEL: func.func @skip_other
// CHECK: %[[Y:.*]], %{{.*}} = ssm.selective_scan
// CHECK-NOT: D %
// CHECK: ssm.add %[[Y]]
func.func @skip_other(%u: tensor<?x?x8xf32>, %v: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>, %D: tensor<8xf32>) -> tensor<?x?x8xf32> {
  %y, %s = ssm.selective_scan %u, %dt, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  %dv = ssm.mul %v, %D : tensor<?x?x8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
  %out = ssm.add %y, %dv : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %out : tensor<?x?x8xf32>
}

// -----

// Test: a skip added after the gate is not (y + D u) silu(z): only the gate folds.
// CHECK-LABEL: func.func @skip_after_gate
// CHECK: %[[Y:.*]], %{{.*}} = ssm.selective_scan {{.*}} z %
// CHECK: ssm.add %[[Y]]
func.func @skip_after_gate(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>, %D: tensor<8xf32>, %z: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %y, %s = ssm.selective_scan %u, %dt, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  %g = ssm.silu %z : tensor<?x?x8xf32>
  %gated = ssm.mul %y, %g : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  %du = ssm.mul %u, %D : tensor<?x?x8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
  %out = ssm.add %gated, %du : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %out : tensor<?x?x8xf32>
}

// -----

// Test: a softplus whose result is used twice stays (it would be computed twice).
// CHECK-LABEL: func.func @softplus_two_uses
// CHECK: %[[SP:.*]] = ssm.softplus
// CHECK: ssm.selective_scan %{{.*}}, %[[SP]]
func.func @softplus_two_uses(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>) {
  %sp = ssm.softplus %dt : tensor<?x?x8xf32>
  %y, %s = ssm.selective_scan %u, %sp, %A, %B, %B : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  return %y, %sp : tensor<?x?x8xf32>, tensor<?x?x8xf32>
}

// -----

// Test: Jamba's RMSNorms on the low-rank dt, on B and on C fold into the
// scan's prologue once dt_proj is folded; without it, the dt norm stays.
// CHECK-LABEL: func.func @jamba_norms
// CHECK-SAME: (%[[U:.*]]: tensor<?x?x8xf32>, %[[DTL:.*]]: tensor<?x?x3xf32>, %[[W:.*]]: tensor<8x3xf32>, %[[BIAS:.*]]: tensor<8xf32>, %[[A:.*]]: tensor<8x4xf32>, %[[B:.*]]: tensor<?x?x4xf32>, %[[C:.*]]: tensor<?x?x4xf32>, %[[WD:.*]]: tensor<3xf32>, %[[WB:.*]]: tensor<4xf32>, %[[WC:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[Y:.*]], %{{.*}} = ssm.selective_scan %[[U]], %[[DTL]], %[[A]], %[[B]], %[[C]] delta_bias %[[BIAS]] delta_proj %[[W]] delta_norm %[[WD]] B_norm %[[WB]] C_norm %[[WC]] {delta_softplus, norm_eps = 9.9999999999999995E-7 : f64}
// CHECK-NEXT: return %[[Y]]
// NOPROJ-LABEL: func.func @jamba_norms
// NOPROJ: ssm.rmsnorm
// NOPROJ-NOT: ssm.rmsnorm
// NOPROJ: ssm.selective_scan {{.*}} B_norm %{{.*}} C_norm %{{.*}} {delta_softplus, norm_eps
func.func @jamba_norms(%u: tensor<?x?x8xf32>, %dtl: tensor<?x?x3xf32>, %w: tensor<8x3xf32>, %bias: tensor<8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>, %C: tensor<?x?x4xf32>, %wd: tensor<3xf32>, %wb: tensor<4xf32>, %wc: tensor<4xf32>) -> tensor<?x?x8xf32> {
  %nd = ssm.rmsnorm %dtl, %wd {eps = 1.0e-06 : f64} : (tensor<?x?x3xf32>, tensor<3xf32>) -> tensor<?x?x3xf32>
  %nb = ssm.rmsnorm %B, %wb {eps = 1.0e-06 : f64} : (tensor<?x?x4xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  %nc = ssm.rmsnorm %C, %wc {eps = 1.0e-06 : f64} : (tensor<?x?x4xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  %dt = ssm.linear %nd, %w bias %bias : (tensor<?x?x3xf32>, tensor<8x3xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %sp = ssm.softplus %dt : tensor<?x?x8xf32>
  %y, %s = ssm.selective_scan %u, %sp, %A, %nb, %nc : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  return %y : tensor<?x?x8xf32>
}

// -----

// Test: norms with different epsilons do not share a scan: the first folds.
// CHECK-LABEL: func.func @two_epsilons
// CHECK: ssm.rmsnorm
// CHECK-NOT: ssm.rmsnorm
// CHECK: ssm.selective_scan
func.func @two_epsilons(%u: tensor<?x?x8xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<?x?x4xf32>, %C: tensor<?x?x4xf32>, %wb: tensor<4xf32>, %wc: tensor<4xf32>) -> tensor<?x?x8xf32> {
  %nb = ssm.rmsnorm %B, %wb {eps = 1.0e-06 : f64} : (tensor<?x?x4xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  %nc = ssm.rmsnorm %C, %wc {eps = 1.0e-05 : f64} : (tensor<?x?x4xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  %y, %s = ssm.selective_scan %u, %dt, %A, %nb, %nc : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x8x4xf32>)
  return %y : tensor<?x?x8xf32>
}
