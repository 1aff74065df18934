// RUN: ssmc-opt %s --split-input-file | ssmc-opt --pass-pipeline='builtin.module(func.func(ssm-plan-memory),ssm-outline-cpu-kernels{vector-width=8})' | FileCheck %s
// RUN: ssmc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(ssm-plan-memory),ssm-outline-cpu-kernels{vector-width=8 reference-fallback=false})'

// Test: an op without a CPU kernel is marked for the reference interpreter,
// or, without the fallback, is an error at the op.
// CHECK-LABEL: func.func @forward
// CHECK: ssm.selective_scan {{.*}}ssm.reference
// Two groups of 10 channels: a channel block of 8 would straddle them.
func.func @forward(%u: tensor<?x?x20xf32>, %dt: tensor<?x?x20xf32>, %B: tensor<?x?x6xf32>, %C: tensor<?x?x6xf32>) -> tensor<?x?x20xf32> {
  %A = ssm.param "A" : tensor<20x3xf32>
  // expected-error @+1 {{'ssm.selective_scan' has no CPU kernel (it would run in the float64 reference interpreter)}}
  %y, %s = ssm.selective_scan %u, %dt, %A, %B, %C {groups = 2 : i64} : (tensor<?x?x20xf32>, tensor<?x?x20xf32>, tensor<20x3xf32>, tensor<?x?x6xf32>, tensor<?x?x6xf32>) -> (tensor<?x?x20xf32>, tensor<?x20x3xf32>)
  return %y : tensor<?x?x20xf32>
}
