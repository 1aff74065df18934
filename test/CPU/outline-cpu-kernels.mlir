// RUN: ssmc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-plan-memory),ssm-outline-cpu-kernels{vector-width=8})' | FileCheck %s
// RUN: ssmc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-plan-memory),ssm-outline-cpu-kernels{vector-width=4})' | FileCheck %s --check-prefix=VW4

// Test: every op with a CPU kernel is tagged with its kernel function; ops
// with the same signature share one (the two silus); matrix products,
// views and weight-only ops get none; kernel functions take memrefs (token
// rows strided, weights static), then batch, seq, begin, end, phase, and
// say how the runtime runs them.
// CHECK-LABEL: module attributes {ssm.cpu_vector_width = 8 : i64}
// CHECK: ssm.embedding {{.*}}ssm.kernel = "[[EMB:ssm_embedding_[0-9]+]]"
// CHECK: ssm.neg {{.*}}{ssm.once}
// CHECK: ssm.mul {{.*}}ssm.kernel = "[[MUL:ssm_mul_[0-9]+]]"
// CHECK: ssm.linear
// CHECK-NOT: ssm.kernel
// CHECK-SAME: tensor<?x?x12xf32>
// CHECK: ssm.silu {{.*}}ssm.kernel = "[[SILU:ssm_silu_[0-9]+]]"
// CHECK: ssm.silu {{.*}}ssm.kernel = "[[SILU]]"
// CHECK: func.func @[[EMB]](%{{.*}}: memref<16x8xf32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?x8xf32, strided<[?, 1], offset: ?>>, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index) attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0>}
// CHECK: vector.maskedload {{.*}} vector<8xf32>
// CHECK: func.func @[[MUL]](%{{.*}}: memref<?x8xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<8xf32>,
// CHECK: func.func @[[SILU]](
// CHECK-NOT: func.func
// VW4-LABEL: module attributes {ssm.cpu_vector_width = 4 : i64}
// VW4: vector.maskedload {{.*}} vector<4xf32>
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
  %z2 = ssm.silu %z : tensor<?x?x8xf32>
  %l = ssm.logits %z2, %e : (tensor<?x?x8xf32>, tensor<16x8xf32>) -> tensor<?x?x16xf32>
  return %l : tensor<?x?x16xf32>
}
