// RUN: ssmc-opt %s --split-input-file | ssmc-opt --pass-pipeline='builtin.module(func.func(ssm-plan-memory),ssm-outline-cpu-kernels{vector-width=8})' | FileCheck %s
// RUN: ssmc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(ssm-plan-memory),ssm-outline-cpu-kernels{vector-width=8 reference-fallback=false})'

// Test: an op without a CPU kernel is marked for the reference interpreter,
// or, without the fallback, is an error at the op.
// CHECK-LABEL: func.func @forward
// CHECK: ssm.gated_rmsnorm {{.*}}ssm.reference
func.func @forward(%x: tensor<?x?x8xf32>, %z: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %w = ssm.param "w" : tensor<8xf32>
  // expected-error @+1 {{'ssm.gated_rmsnorm' has no CPU kernel (it would run in the float64 reference interpreter)}}
  %y = ssm.gated_rmsnorm %x, %z, %w {group_size = 4 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}
