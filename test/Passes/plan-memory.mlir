// RUN: ssmc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-plan-memory))' | FileCheck %s

// Test: token-row activations get a buffer and a column; a buffer is reused
// once its values are dead; views (split) stay inside their input's row;
// ops that read only parameters run once; the logits and parameters get no
// buffer.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: attributes {ssm.buffer_widths = array<i64: 12, 8>}
// CHECK: %[[H:.*]] = ssm.embedding {{.*}} {ssm.buffers = array<i64: 0>, ssm.columns = array<i64: 0>}
// CHECK: %[[NA:.*]] = ssm.neg {{.*}} {ssm.once}
// CHECK: ssm.mul %[[H]], %[[NA]] {ssm.buffers = array<i64: 1>, ssm.columns = array<i64: 0>}
// CHECK: ssm.linear {{.*}} {ssm.buffers = array<i64: 0>, ssm.columns = array<i64: 0>}
// CHECK: ssm.split {{.*}}ssm.buffers = array<i64: 0, 0>, ssm.columns = array<i64: 0, 4>}
// CHECK: ssm.silu {{.*}} {ssm.buffers = array<i64: 1>, ssm.columns = array<i64: 0>}
// CHECK: ssm.logits
// CHECK-NOT: ssm.buffers
// CHECK: return
func.func @forward(%tokens: tensor<?x?xi32> {ssm.input = "tokens"}, %lens: tensor<?xi32> {ssm.input = "seq_lens"}) -> (tensor<?x?x16xf32> {ssm.output = "logits"}) {
  %e = ssm.param "embed" : tensor<16x8xf32>
  %h = ssm.embedding %e, %tokens : (tensor<16x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  %a = ssm.param "a" : tensor<8xf32>
  %na = ssm.neg %a : tensor<8xf32>
  %m = ssm.mul %h, %na : tensor<?x?x8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
  %p = ssm.param "proj" : tensor<12x8xf32>
  %y = ssm.linear %m, %p : (tensor<?x?x8xf32>, tensor<12x8xf32>) -> tensor<?x?x12xf32>
  %s:2 = ssm.split %y {axis = 2 : i64, sizes = array<i64: 4, 8>} : (tensor<?x?x12xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x8xf32>)
  %z = ssm.silu %s#1 : tensor<?x?x8xf32>
  %l = ssm.logits %z, %e : (tensor<?x?x8xf32>, tensor<16x8xf32>) -> tensor<?x?x16xf32>
  return %l : tensor<?x?x16xf32>
}
