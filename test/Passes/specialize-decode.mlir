// RUN: ssmc-opt %s --ssm-specialize-decode | FileCheck %s

// Test: @decode is @forward with one token per sequence; states keep their types.
// CHECK-LABEL: func.func @forward(%{{.*}}: tensor<?x?xi32>
// CHECK-LABEL: func.func @decode(%{{.*}}: tensor<?x1xi32>, %{{.*}}: tensor<?xi32>, %{{.*}}: tensor<?x3x8xf32>) -> (tensor<?x1x8xf32>, tensor<?x3x8xf32>)
// CHECK: ssm.embedding {{.*}} -> tensor<?x1x8xf32>
// CHECK: ssm.causal_conv1d {{.*}} -> (tensor<?x1x8xf32>, tensor<?x3x8xf32>)
func.func @forward(%tok: tensor<?x?xi32>, %lens: tensor<?xi32>, %s0: tensor<?x3x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>) {
  %e = ssm.param "e" : tensor<10x8xf32>
  %w = ssm.param "w" : tensor<8x1x4xf32>
  %h = ssm.embedding %e, %tok : (tensor<10x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  %y, %s = ssm.causal_conv1d %h, %w state %s0 lens %lens : (tensor<?x?x8xf32>, tensor<8x1x4xf32>, tensor<?x3x8xf32>, tensor<?xi32>) -> (tensor<?x?x8xf32>, tensor<?x3x8xf32>)
  return %y, %s : tensor<?x?x8xf32>, tensor<?x3x8xf32>
}
