// RUN: ssmc-opt %s --split-input-file | ssmc-opt --split-input-file | FileCheck %s

// Test: the kernel-level attributes round-trip.
// CHECK-LABEL: func.func @planned
// CHECK-SAME: ssm.buffer_widths = array<i64: 16>
func.func @planned(%x: tensor<?x?x8xf32> {ssm.input = "tokens"}) -> (tensor<?x?x8xf32> {ssm.output = "logits"})
    attributes {ssm.buffer_widths = array<i64: 16>, ssm.model = "m", ssm.config = {d_model = 8 : i64}} {
  // CHECK: ssm.silu %{{.*}} {ssm.buffers = array<i64: 0>, ssm.columns = array<i64: 8>, ssm.cpu_tiles = {chunks_per_thread = 2 : i64, vector_width = 8 : i64}, ssm.cuda_tiles = {THREADS = 64 : i64}, ssm.kernel = "ssm_silu_0"}
  %y = ssm.silu %x {ssm.buffers = array<i64: 0>, ssm.columns = array<i64: 8>, ssm.kernel = "ssm_silu_0", ssm.cuda_tiles = {THREADS = 64 : i64}, ssm.cpu_tiles = {vector_width = 8 : i64, chunks_per_thread = 2 : i64}} : tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}

// -----

// CHECK-LABEL: module attributes {ssm.cpu_vector_width = 8 : i64}
module attributes {ssm.cpu_vector_width = 8 : i64} {
  // CHECK: func.func @ssm_silu_0() attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = batch_blocks, blocks = 3, phases = 2, workspace = 7>}
  func.func @ssm_silu_0() attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = batch_blocks, blocks = 3, phases = 2, workspace = 7>} {
    return
  }
  // CHECK: func.func @ssm_silu_1() attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0, chunks_per_thread = 4, tuned = true>}
  func.func @ssm_silu_1() attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0, chunks_per_thread = 4, tuned = true>} {
    return
  }
}
