// RUN: ssmc-opt %s --split-input-file --ssm-fuse-conv-silu | FileCheck %s

// Test: SiLU after the convolution folds into it.
// CHECK-LABEL: func.func @conv_silu
// CHECK-NEXT: %[[Y:.*]], %[[S:.*]] = ssm.causal_conv1d %{{.*}}, %{{.*}} bias %{{.*}} {silu}
// CHECK-NEXT: return %[[Y]], %[[S]]
func.func @conv_silu(%x: tensor<?x?x8xf32>, %w: tensor<8x1x4xf32>, %b: tensor<8xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>) {
  %y, %s = ssm.causal_conv1d %x, %w bias %b : (tensor<?x?x8xf32>, tensor<8x1x4xf32>, tensor<8xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>)
  %a = ssm.silu %y : tensor<?x?x8xf32>
  return %a, %s : tensor<?x?x8xf32>, tensor<?x3x8xf32>
}

// -----

// Test: the raw convolution output is needed elsewhere: no fusion.
// CHECK-LABEL: func.func @conv_two_uses
// CHECK: ssm.causal_conv1d
// CHECK-NOT: {silu}
// CHECK: ssm.silu
func.func @conv_two_uses(%x: tensor<?x?x8xf32>, %w: tensor<8x1x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>) {
  %y, %s = ssm.causal_conv1d %x, %w : (tensor<?x?x8xf32>, tensor<8x1x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>)
  %a = ssm.silu %y : tensor<?x?x8xf32>
  return %a, %y : tensor<?x?x8xf32>, tensor<?x?x8xf32>
}

// -----

// Test: another activation (exp) is not SiLU.
// CHECK-LABEL: func.func @conv_exp
// CHECK: ssm.causal_conv1d
// CHECK-NOT: {silu}
// CHECK: ssm.exp
func.func @conv_exp(%x: tensor<?x?x8xf32>, %w: tensor<8x1x4xf32>) -> tensor<?x?x8xf32> {
  %y, %s = ssm.causal_conv1d %x, %w : (tensor<?x?x8xf32>, tensor<8x1x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>)
  %a = ssm.exp %y : tensor<?x?x8xf32>
  return %a : tensor<?x?x8xf32>
}
