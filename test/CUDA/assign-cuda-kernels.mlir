// RUN: ssmc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(ssm-assign-cuda-kernels))' | FileCheck %s

// Test: ops that need the same code share a kernel name (the two norms in
// @forward and @decode, whatever their batch and sequence sizes); other
// tiles or another width give another kernel; matrix products, views and
// weight-only ops get none.
// CHECK-LABEL: func.func @forward
// CHECK: ssm.rmsnorm {{.*}}ssm.kernel = "[[NORM:rmsnorm_[0-9a-f]+]]"
// CHECK: ssm.rmsnorm {{.*}}ssm.kernel = "[[NORM256:rmsnorm_[0-9a-f]+]]"
// CHECK: ssm.linear
// CHECK-NOT: ssm.kernel
// CHECK: ssm.split
// CHECK-NOT: ssm.kernel
// CHECK: ssm.exp {{.*}}{ssm.once}
// CHECK-LABEL: func.func @decode
// CHECK: ssm.rmsnorm {{.*}}ssm.kernel = "[[NORM]]"
func.func @forward(%x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %w = ssm.param "w" : tensor<8xf32>
  %n = ssm.rmsnorm %x, %w {ssm.buffers = array<i64: 0>, ssm.columns = array<i64: 0>, ssm.cuda_tiles = {THREADS = 64 : i64}} : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %n2 = ssm.rmsnorm %n, %w {ssm.buffers = array<i64: 1>, ssm.columns = array<i64: 0>, ssm.cuda_tiles = {THREADS = 256 : i64}} : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %p = ssm.param "p" : tensor<8x8xf32>
  %y = ssm.linear %n2, %p {ssm.buffers = array<i64: 0>, ssm.columns = array<i64: 0>} : (tensor<?x?x8xf32>, tensor<8x8xf32>) -> tensor<?x?x8xf32>
  %s:2 = ssm.split %y {sizes = array<i64: 4, 4>, ssm.buffers = array<i64: 0, 0>, ssm.columns = array<i64: 0, 4>} : (tensor<?x?x8xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>)
  %e = ssm.exp %w {ssm.once} : tensor<8xf32>
  return %y : tensor<?x?x8xf32>
}
func.func @decode(%x: tensor<?x1x8xf32>) -> tensor<?x1x8xf32> {
  %w = ssm.param "w" : tensor<8xf32>
  %n = ssm.rmsnorm %x, %w {ssm.buffers = array<i64: 0>, ssm.columns = array<i64: 0>, ssm.cuda_tiles = {THREADS = 64 : i64}} : (tensor<?x1x8xf32>, tensor<8xf32>) -> tensor<?x1x8xf32>
  return %n : tensor<?x1x8xf32>
}

// -----

// Test: an op the CUDA target cannot run is an error at the op.
func.func @forward(%x: tensor<?x?x8xf32>) -> tensor<?x?x4xf32> {
  %p = ssm.param "p" : tensor<4x8xf32>
  %b = ssm.param "b" : tensor<4xf32>
  // expected-error @+1 {{'ssm.linear' has no CUDA implementation yet; compile for --target cpu}}
  %y = ssm.linear %x, %p bias %b : (tensor<?x?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}
