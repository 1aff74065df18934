// RUN: ssmc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(ssm-assign-gpu-types{dtype=bf16}))' | FileCheck %s

// Test: the embedding table and projection weights take the compute dtype,
// the embedding's output (the residual stream) and norm weights stay f32,
// activations take the compute dtype, the logits stay f32.
// CHECK-LABEL: func.func @forward
// CHECK: ssm.param "embed" : tensor<16x8xbf16>
// CHECK: ssm.embedding %{{.*}}, %{{.*}} : (tensor<16x8xbf16>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
// CHECK: ssm.param "norm" : tensor<8xf32>
// CHECK: ssm.rmsnorm %{{.*}}, %{{.*}} : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xbf16>
// CHECK: ssm.param "proj" : tensor<12x8xbf16>
// CHECK: ssm.linear %{{.*}}, %{{.*}} : (tensor<?x?x8xbf16>, tensor<12x8xbf16>) -> tensor<?x?x12xbf16>
// CHECK: ssm.split %{{.*}} {{.*}} : (tensor<?x?x12xbf16>) -> (tensor<?x?x4xbf16>, tensor<?x?x8xbf16>)
// CHECK: ssm.logits %{{.*}}, %{{.*}} : (tensor<?x?x8xbf16>, tensor<16x8xbf16>) -> tensor<?x?x16xf32>
func.func @forward(%tokens: tensor<?x?xi32> {ssm.input = "tokens"}) -> tensor<?x?x16xf32> {
  %e = ssm.param "embed" : tensor<16x8xf32>
  %h = ssm.embedding %e, %tokens : (tensor<16x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  %w = ssm.param "norm" : tensor<8xf32>
  %n = ssm.rmsnorm %h, %w : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %p = ssm.param "proj" : tensor<12x8xf32>
  %y = ssm.linear %n, %p : (tensor<?x?x8xf32>, tensor<12x8xf32>) -> tensor<?x?x12xf32>
  %a:2 = ssm.split %y {axis = 2 : i64, sizes = array<i64: 4, 8>} : (tensor<?x?x12xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x8xf32>)
  %l = ssm.logits %a#1, %e : (tensor<?x?x8xf32>, tensor<16x8xf32>) -> tensor<?x?x16xf32>
  return %l : tensor<?x?x16xf32>
}

// -----

// Test: an elementwise op whose input is the f32 residual stream cannot
// produce a bf16 activation.
func.func @mixed(%tokens: tensor<?x?xi32> {ssm.input = "tokens"}) -> tensor<?x?x16xf32> {
  %e = ssm.param "embed" : tensor<16x8xf32>
  %h = ssm.embedding %e, %tokens : (tensor<16x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  // expected-error @+1 {{mixes element types on the GPU}}
  %s = ssm.silu %h : tensor<?x?x8xf32>
  %l = ssm.logits %s, %e : (tensor<?x?x8xf32>, tensor<16x8xf32>) -> tensor<?x?x16xf32>
  return %l : tensor<?x?x16xf32>
}
