// RUN: ssmc-opt %s --split-input-file --ssm-fuse-add-rmsnorm | FileCheck %s

// Test: the residual add and the next layer's norm become one op; the sum
// feeds the later residual add.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[H:.*]]: tensor<?x?x8xf32>, %[[M:.*]]: tensor<?x?x8xf32>, %[[W:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[N:.*]], %[[S:.*]] = ssm.add_rmsnorm %[[H]], %[[M]], %[[W]] {eps = 9.9999999999999995E-7 : f64}
// CHECK-NEXT: %[[R:.*]] = ssm.add %[[S]], %[[N]]
// CHECK-NEXT: return %[[R]]
func.func @residual(%h: tensor<?x?x8xf32>, %m: tensor<?x?x8xf32>, %w: tensor<8xf32>) -> tensor<?x?x8xf32> {
  %s = ssm.add %h, %m : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  %n = ssm.rmsnorm %s, %w {eps = 1.0e-6 : f64} : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %r = ssm.add %s, %n : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %r : tensor<?x?x8xf32>
}

// -----

// Test: a broadcasting add is not a residual stream: no fusion.
// CHECK-LABEL: func.func @broadcast_add
// CHECK: ssm.add
// CHECK: ssm.rmsnorm
func.func @broadcast_add(%h: tensor<?x?x8xf32>, %b: tensor<8xf32>, %w: tensor<8xf32>) -> tensor<?x?x8xf32> {
  %s = ssm.add %h, %b : tensor<?x?x8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
  %n = ssm.rmsnorm %s, %w : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  return %n : tensor<?x?x8xf32>
}
