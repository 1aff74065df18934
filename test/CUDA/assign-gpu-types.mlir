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

// -----

// Test: the experts' matrices take the compute dtype, the router stays f32.
// CHECK-LABEL: func.func @moe
// CHECK: ssm.moe {{.*}} : (tensor<?x?x8xbf16>, tensor<2x8xf32>, tensor<16x8xbf16>, tensor<16x8xbf16>, tensor<8x16xbf16>, tensor<16x8xbf16>, tensor<16x8xbf16>, tensor<8x16xbf16>) -> tensor<?x?x8xbf16>
func.func @moe(%tokens: tensor<?x?xi32> {ssm.input = "tokens"}) -> tensor<?x?x16xf32> {
  %e = ssm.param "embed" : tensor<16x8xf32>
  %h = ssm.embedding %e, %tokens : (tensor<16x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  %w = ssm.param "norm" : tensor<8xf32>
  %n = ssm.rmsnorm %h, %w : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %r = ssm.param "router" : tensor<2x8xf32>
  %g0 = ssm.param "g0" : tensor<16x8xf32>
  %u0 = ssm.param "u0" : tensor<16x8xf32>
  %d0 = ssm.param "d0" : tensor<8x16xf32>
  %g1 = ssm.param "g1" : tensor<16x8xf32>
  %u1 = ssm.param "u1" : tensor<16x8xf32>
  %d1 = ssm.param "d1" : tensor<8x16xf32>
  %y = ssm.moe %n, %r, %g0, %u0, %d0, %g1, %u1, %d1 {top_k = 1 : i64} : (tensor<?x?x8xf32>, tensor<2x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
  %l = ssm.logits %y, %e : (tensor<?x?x8xf32>, tensor<16x8xf32>) -> tensor<?x?x16xf32>
  return %l : tensor<?x?x16xf32>
}
