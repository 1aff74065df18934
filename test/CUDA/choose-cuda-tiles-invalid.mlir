// RUN: ssmc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(ssm-choose-cuda-tiles))'

// Test: a d_state whose B, C and state tiles cannot fit the shared memory
// even at the chunked SSD kernel's smallest tiles is an error at the op.
func.func @ssd_too_wide(%x: tensor<?x?x256xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1024xbf16>, %C: tensor<?x?x1024xbf16>) -> tensor<?x?x256xbf16> {
  // expected-error @+1 {{d_state 1024 needs 99968 bytes of shared memory in the chunked SSD kernel even with 16-row, 16-step tiles; the limit is 49152}}
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %C {groups = 1 : i64, head_dim = 64 : i64, heads = 4 : i64} : (tensor<?x?x256xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1024xbf16>, tensor<?x?x1024xbf16>) -> (tensor<?x?x256xbf16>, tensor<?x4x64x1024xf32>)
  return %y : tensor<?x?x256xbf16>
}

// -----

// 64 query heads per KV head of 256: the row kernel's block of one token
// does not fit in 48 KiB of shared memory.
func.func @attention_group_too_large(%q: tensor<?x1x16384xf32>, %k: tensor<?x1x256xf32>, %v: tensor<?x1x256xf32>) -> tensor<?x1x16384xf32> {
  // expected-error @+1 {{64 query heads per KV head of 256 need 114820 bytes of shared memory in the attention kernel; the limit is 49152}}
  %o, %kc, %vc = ssm.attention %q, %k, %v {heads = 64 : i64, head_dim = 256 : i64, kv_heads = 1 : i64} : (tensor<?x1x16384xf32>, tensor<?x1x256xf32>, tensor<?x1x256xf32>) -> (tensor<?x1x16384xf32>, tensor<?x1x?x256xf32>, tensor<?x1x?x256xf32>)
  return %o : tensor<?x1x16384xf32>
}
