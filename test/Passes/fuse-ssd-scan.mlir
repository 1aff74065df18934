// RUN: ssmc-opt %s --split-input-file --ssm-fuse-ssd-scan | FileCheck %s

// Test: softplus(dt + bias) and the SiLU gate fold into the scan.
// CHECK-LABEL: func.func @full_chain
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x32xf32>, %[[DT:.*]]: tensor<?x?x4xf32>, %[[BIAS:.*]]: tensor<4xf32>, %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<?x?x6xf32>, %[[D:.*]]: tensor<4xf32>, %[[Z:.*]]: tensor<?x?x32xf32>)
// CHECK-NEXT: %[[Y:.*]], %{{.*}} = ssm.ssd_scan %[[X]], %[[DT]], %[[A]], %[[B]], %[[B]] D %[[D]] z %[[Z]] dt_bias %[[BIAS]] {dt_softplus, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64}
// CHECK-NEXT: return %[[Y]]
func.func @full_chain(%x: tensor<?x?x32xf32>, %dt: tensor<?x?x4xf32>, %bias: tensor<4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x6xf32>, %D: tensor<4xf32>, %z: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %d = ssm.add %dt, %bias : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  %sp = ssm.softplus %d : tensor<?x?x4xf32>
  %y, %s = ssm.ssd_scan %x, %sp, %A, %B, %B D %D {groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x6xf32>, tensor<?x?x6xf32>, tensor<4xf32>) -> (tensor<?x?x32xf32>, tensor<?x4x8x3xf32>)
  %g = ssm.silu %z : tensor<?x?x32xf32>
  %out = ssm.mul %g, %y : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  return %out : tensor<?x?x32xf32>
}

// -----

// Test: the time step clamp stays after the folded softplus.
// CHECK-LABEL: func.func @softplus_with_limits
// CHECK-NEXT: ssm.ssd_scan {{.*}} {dt_max = 1.000000e-01 : f64, dt_min = 1.000000e-02 : f64, dt_softplus,
func.func @softplus_with_limits(%x: tensor<?x?x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x6xf32>) -> tensor<?x?x32xf32> {
  %sp = ssm.softplus %dt : tensor<?x?x4xf32>
  %y, %s = ssm.ssd_scan %x, %sp, %A, %B, %B {dt_max = 0.1 : f64, dt_min = 0.01 : f64, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x6xf32>, tensor<?x?x6xf32>) -> (tensor<?x?x32xf32>, tensor<?x4x8x3xf32>)
  return %y : tensor<?x?x32xf32>
}

// -----

// Test: a bias added after the softplus is not the scan's dt_bias (which is
// added inside it): the softplus stays an op of its own.
// CHECK-LABEL: func.func @bias_after_softplus
// CHECK: ssm.softplus
// CHECK: ssm.ssd_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} dt_bias %{{.*}} {groups
func.func @bias_after_softplus(%x: tensor<?x?x32xf32>, %dt: tensor<?x?x4xf32>, %bias: tensor<4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x6xf32>) -> tensor<?x?x32xf32> {
  %sp = ssm.softplus %dt : tensor<?x?x4xf32>
  %d = ssm.add %sp, %bias : tensor<?x?x4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  %y, %s = ssm.ssd_scan %x, %d, %A, %B, %B {groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x6xf32>, tensor<?x?x6xf32>) -> (tensor<?x?x32xf32>, tensor<?x4x8x3xf32>)
  return %y : tensor<?x?x32xf32>
}

// -----

// Test: another softplus threshold, a gate other than SiLU, and a gate on a
// scan output used twice are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK: ssm.softplus %{{.*}} {threshold = 1.000000e+01 : f64}
// CHECK: ssm.ssd_scan %{{.*}} {groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64}
// CHECK: ssm.exp
// CHECK: ssm.mul
// CHECK: ssm.silu
// CHECK: ssm.mul
func.func @left_alone(%x: tensor<?x?x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x6xf32>, %z: tensor<?x?x32xf32>) -> (tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) {
  %sp = ssm.softplus %dt {threshold = 10.0 : f64} : tensor<?x?x4xf32>
  %y, %s = ssm.ssd_scan %x, %sp, %A, %B, %B {groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x?x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x6xf32>, tensor<?x?x6xf32>) -> (tensor<?x?x32xf32>, tensor<?x4x8x3xf32>)
  %e = ssm.exp %z : tensor<?x?x32xf32>
  %g1 = ssm.mul %y, %e : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  %s2 = ssm.silu %z : tensor<?x?x32xf32>
  %g2 = ssm.mul %y, %s2 : tensor<?x?x32xf32>, tensor<?x?x32xf32> -> tensor<?x?x32xf32>
  return %g1, %g2, %y : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
