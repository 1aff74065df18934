// RUN: ssmc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-choose-cuda-tiles))' | FileCheck %s
// RUN: ssmc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-choose-cuda-tiles{shared-memory-kb=16}))' | FileCheck %s --check-prefix=SMALL

// Test: the scan gets channels, groups, items and a state tile that divides
// d_state; with d_state 256 the shared-memory budget shrinks the tile.
// CHECK-LABEL: func.func @scan16
// CHECK: ssm.selective_scan {{.*}}ssm.cuda_tiles = {CHANNELS = 32 : i64, GROUPS = 2 : i64, ITEMS = 8 : i64, STATE_TILE = 4 : i64, THREADS = 64 : i64}
// SMALL-LABEL: func.func @scan16
// SMALL: ssm.cuda_tiles = {CHANNELS = 32 : i64, GROUPS = 2 : i64, ITEMS = 8 : i64, STATE_TILE = 4 : i64, THREADS = 64 : i64}
func.func @scan16(%u: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<?x?x16xf32>, %C: tensor<?x?x16xf32>) -> tensor<?x?x64xf32> {
  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C {delta_softplus} : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x16xf32>)
  return %y : tensor<?x?x64xf32>
}

// -----

// CHECK-LABEL: func.func @scan256
// CHECK: ssm.cuda_tiles = {CHANNELS = 16 : i64, GROUPS = 2 : i64, ITEMS = 2 : i64, STATE_TILE = 4 : i64, THREADS = 32 : i64}
// SMALL-LABEL: func.func @scan256
// SMALL: ssm.cuda_tiles = {CHANNELS = 4 : i64, GROUPS = 1 : i64, ITEMS = 1 : i64, STATE_TILE = 4 : i64, THREADS = 4 : i64}
func.func @scan256(%u: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>, %A: tensor<64x256xf32>, %B: tensor<?x?x256xf32>, %C: tensor<?x?x256xf32>) -> tensor<?x?x64xf32> {
  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C {delta_softplus} : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x256xf32>, tensor<?x?x256xf32>, tensor<?x?x256xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x256xf32>)
  return %y : tensor<?x?x64xf32>
}

// -----

// Test: Mamba-2's scan in f32 runs the recurrent kernel (rows, slices of
// d_state, a chunk that fits); in bf16 the chunked tensor-core kernel,
// whose chunk and then row tile shrink to fit the shared memory.
// CHECK-LABEL: func.func @ssd_f32
// CHECK: ssm.ssd_scan {{.*}}ssm.cuda_tiles = {CHUNK = 8 : i64, ROWS = 32 : i64, SLICE = 16 : i64, THREADS = 256 : i64}
// SMALL-LABEL: func.func @ssd_f32
// SMALL: ssm.cuda_tiles = {CHUNK = 4 : i64, ROWS = 32 : i64, SLICE = 16 : i64, THREADS = 256 : i64}
func.func @ssd_f32(%x: tensor<?x?x256xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x128xf32>, %C: tensor<?x?x128xf32>) -> tensor<?x?x256xf32> {
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %C {groups = 1 : i64, head_dim = 64 : i64, heads = 4 : i64} : (tensor<?x?x256xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x128xf32>, tensor<?x?x128xf32>) -> (tensor<?x?x256xf32>, tensor<?x4x64x128xf32>)
  return %y : tensor<?x?x256xf32>
}

// -----

// CHECK-LABEL: func.func @ssd_bf16
// CHECK: ssm.ssd_scan {{.*}}ssm.cuda_tiles = {CHUNK = 32 : i64, PTILE = 32 : i64, THREADS = 128 : i64}
// SMALL-LABEL: func.func @ssd_bf16
// SMALL: ssm.cuda_tiles = {CHUNK = 16 : i64, PTILE = 16 : i64, THREADS = 128 : i64}
func.func @ssd_bf16(%x: tensor<?x?x256xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x128xbf16>, %C: tensor<?x?x128xbf16>) -> tensor<?x?x256xbf16> {
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %C {groups = 1 : i64, head_dim = 64 : i64, heads = 4 : i64} : (tensor<?x?x256xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x128xbf16>, tensor<?x?x128xbf16>) -> (tensor<?x?x256xbf16>, tensor<?x4x64x128xf32>)
  return %y : tensor<?x?x256xbf16>
}

// -----

// Test: row kernels get about eight values per thread; the conv a time
// block that covers its history.
// CHECK-LABEL: func.func @rows
// CHECK: ssm.rmsnorm {{.*}}ssm.cuda_tiles = {THREADS = 256 : i64}
// CHECK: ssm.causal_conv1d {{.*}}ssm.cuda_tiles = {CHANNELS = 128 : i64, TIME = 64 : i64}
func.func @rows(%x: tensor<?x?x2048xf32>, %w: tensor<2048xf32>, %cw: tensor<2048x1x4xf32>) -> tensor<?x?x2048xf32> {
  %n = ssm.rmsnorm %x, %w : (tensor<?x?x2048xf32>, tensor<2048xf32>) -> tensor<?x?x2048xf32>
  %c, %s = ssm.causal_conv1d %n, %cw {silu} : (tensor<?x?x2048xf32>, tensor<2048x1x4xf32>) -> (tensor<?x?x2048xf32>, tensor<?x3x2048xf32>)
  return %c : tensor<?x?x2048xf32>
}

// -----

// Test: attention. A 16-bit prefill whose head_dim fits takes the
// tensor-core kernel's 64-query tiles; fp32 and odd head sizes take the
// row kernel with about 16 query rows per block (8 tokens x 2 query heads
// per KV head); decode takes one token and up to 16 key slices.
// CHECK-LABEL: func.func @attention_prefill_bf16
// CHECK: ssm.attention {{.*}}ssm.cuda_tiles = {QTOK = 64 : i64, SPLITS = 1 : i64, THREADS = 128 : i64}
func.func @attention_prefill_bf16(%q: tensor<?x?x64xbf16>, %k: tensor<?x?x32xbf16>, %v: tensor<?x?x32xbf16>) -> tensor<?x?x64xbf16> {
  %o, %kc, %vc = ssm.attention %q, %k, %v {heads = 4 : i64, head_dim = 16 : i64, kv_heads = 2 : i64} : (tensor<?x?x64xbf16>, tensor<?x?x32xbf16>, tensor<?x?x32xbf16>) -> (tensor<?x?x64xbf16>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>)
  return %o : tensor<?x?x64xbf16>
}

// -----

// CHECK-LABEL: func.func @attention_prefill_f32
// CHECK: ssm.attention {{.*}}ssm.cuda_tiles = {QTOK = 8 : i64, SPLITS = 1 : i64, THREADS = 128 : i64}
func.func @attention_prefill_f32(%q: tensor<?x?x64xf32>, %k: tensor<?x?x32xf32>, %v: tensor<?x?x32xf32>) -> tensor<?x?x64xf32> {
  %o, %kc, %vc = ssm.attention %q, %k, %v {heads = 4 : i64, head_dim = 16 : i64, kv_heads = 2 : i64} : (tensor<?x?x64xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) -> (tensor<?x?x64xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>)
  return %o : tensor<?x?x64xf32>
}

// -----

// CHECK-LABEL: func.func @attention_odd_head_bf16
// CHECK: ssm.attention {{.*}}ssm.cuda_tiles = {QTOK = 8 : i64, SPLITS = 1 : i64, THREADS = 128 : i64}
func.func @attention_odd_head_bf16(%q: tensor<?x?x96xbf16>, %k: tensor<?x?x48xbf16>, %v: tensor<?x?x48xbf16>) -> tensor<?x?x96xbf16> {
  %o, %kc, %vc = ssm.attention %q, %k, %v {heads = 4 : i64, head_dim = 24 : i64, kv_heads = 2 : i64} : (tensor<?x?x96xbf16>, tensor<?x?x48xbf16>, tensor<?x?x48xbf16>) -> (tensor<?x?x96xbf16>, tensor<?x2x?x24xf32>, tensor<?x2x?x24xf32>)
  return %o : tensor<?x?x96xbf16>
}

// -----

// CHECK-LABEL: func.func @attention_decode_bf16
// CHECK: ssm.attention {{.*}}ssm.cuda_tiles = {QTOK = 1 : i64, SPLITS = 16 : i64, THREADS = 64 : i64}
func.func @attention_decode_bf16(%q: tensor<?x1x64xbf16>, %k: tensor<?x1x32xbf16>, %v: tensor<?x1x32xbf16>) -> tensor<?x1x64xbf16> {
  %o, %kc, %vc = ssm.attention %q, %k, %v {heads = 4 : i64, head_dim = 16 : i64, kv_heads = 2 : i64} : (tensor<?x1x64xbf16>, tensor<?x1x32xbf16>, tensor<?x1x32xbf16>) -> (tensor<?x1x64xbf16>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>)
  return %o : tensor<?x1x64xbf16>
}
