// RUN: ssmc-opt %s --pass-pipeline='builtin.module(func.func(ssm-plan-memory),ssm-apply-cpu-tuning{db=%S/../Inputs/tuning/test-db.jsonl device=test version=test},ssm-outline-cpu-kernels{vector-width=8})' | FileCheck %s
// RUN: not ssmc-opt %s --pass-pipeline='builtin.module(ssm-apply-cpu-tuning{db=%S/apply-cpu-tuning.mlir device=test})' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not ssmc-opt %s --pass-pipeline='builtin.module(ssm-apply-cpu-tuning{db=%S/../Inputs/tuning/test-db.jsonl device=other})' 2>&1 | FileCheck %s --check-prefix=FOREIGN

// Test: each op with a CPU kernel gets the configuration the database
// chose for its signature and function: in @forward the fastest of the
// largest prefill bucket (4 lanes, 2 chunks per thread; a faster one a run
// rejected, a smaller bucket and another version's records do not count),
// in @decode the default (the other is only 1% faster). Ops the database
// has nothing for keep the defaults; ops with different tiles get
// different kernels, marked tuned.
// CHECK-LABEL: func.func @forward
// CHECK: ssm.embedding
// CHECK-NOT: ssm.cpu_tiles
// CHECK-SAME: ssm.kernel = "[[EMB:ssm_embedding_[0-9]+]]"
// CHECK: ssm.silu {{.*}}ssm.cpu_tiles = {chunks_per_thread = 2 : i64, vector_width = 4 : i64}, ssm.kernel = "[[PRE:ssm_silu_[0-9]+]]"
// CHECK-LABEL: func.func @decode
// CHECK: ssm.embedding {{.*}}ssm.kernel = "[[EMB]]"
// CHECK: ssm.silu {{.*}}ssm.cpu_tiles = {chunks_per_thread = 1 : i64, vector_width = 8 : i64}, ssm.kernel = "[[DEC:ssm_silu_[0-9]+]]"
// CHECK: func.func @[[EMB]]({{.*}}) attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0>}
// CHECK: func.func @[[PRE]]({{.*}}) attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0, chunks_per_thread = 2, tuned = true>}
// CHECK: vector.maskedload {{.*}} vector<4xf32>
// CHECK: func.func @[[DEC]]({{.*}}) attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0, tuned = true>}
// CHECK: vector.maskedload {{.*}} vector<8xf32>

// Test: a file that is not a tuning database, or one for another device,
// is an error naming it.
// BAD: error: {{.*}}apply-cpu-tuning.mlir:1:1: unexpected character '/'
// FOREIGN: error: {{.*}}test-db.jsonl:1: the database is for another device (cpu: key=test), not this one (cpu: key=other)
func.func @forward(%tokens: tensor<?x?xi32> {ssm.input = "tokens"}, %lens: tensor<?xi32> {ssm.input = "seq_lens"}) -> (tensor<?x?x8xf32> {ssm.output = "logits"}) {
  %e = ssm.param "embed" : tensor<16x8xf32>
  %h = ssm.embedding %e, %tokens : (tensor<16x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  %y = ssm.silu %h : tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}
func.func @decode(%tokens: tensor<?x?xi32> {ssm.input = "tokens"}, %lens: tensor<?xi32> {ssm.input = "seq_lens"}) -> (tensor<?x?x8xf32> {ssm.output = "logits"}) {
  %e = ssm.param "embed" : tensor<16x8xf32>
  %h = ssm.embedding %e, %tokens : (tensor<16x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  %y = ssm.silu %h : tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}
