// RUN: ssmc-opt %s | ssmc-opt | FileCheck %s
// RUN: ssmc-opt %s --mlir-print-op-generic | ssmc-opt | FileCheck %s

// CHECK-LABEL: func.func @mamba1_mixer
func.func @mamba1_mixer(%h: tensor<?x?x192xf32>, %conv0: tensor<?x3x384xf32>, %ssm0: tensor<?x384x16xf32>, %lens: tensor<?xi32>)
    -> (tensor<?x?x192xf32>, tensor<?x3x384xf32>, tensor<?x384x16xf32>) {
  // CHECK: ssm.param "backbone.layers.0.mixer.in_proj.weight" : tensor<768x192xf32>
  %w_in = ssm.param "backbone.layers.0.mixer.in_proj.weight" : tensor<768x192xf32>
  %w_conv = ssm.param "backbone.layers.0.mixer.conv1d.weight" : tensor<384x1x4xf32>
  %b_conv = ssm.param "backbone.layers.0.mixer.conv1d.bias" : tensor<384xf32>
  %w_x = ssm.param "backbone.layers.0.mixer.x_proj.weight" : tensor<44x384xf32>
  %w_dt = ssm.param "backbone.layers.0.mixer.dt_proj.weight" : tensor<384x12xf32>
  %b_dt = ssm.param "backbone.layers.0.mixer.dt_proj.bias" : tensor<384xf32>
  %a_log = ssm.param "backbone.layers.0.mixer.A_log" : tensor<384x16xf32>
  %d = ssm.param "backbone.layers.0.mixer.D" : tensor<384xf32>
  %w_out = ssm.param "backbone.layers.0.mixer.out_proj.weight" : tensor<192x384xf32>
  // CHECK: %[[XZ:.*]] = ssm.linear %{{.*}}, %{{.*}} : (tensor<?x?x192xf32>, tensor<768x192xf32>) -> tensor<?x?x768xf32>
  %xz = ssm.linear %h, %w_in : (tensor<?x?x192xf32>, tensor<768x192xf32>) -> tensor<?x?x768xf32>
  // CHECK: ssm.split %[[XZ]] {sizes = array<i64: 384, 384>}
  %x, %z = ssm.split %xz {sizes = array<i64: 384, 384>} : (tensor<?x?x768xf32>) -> (tensor<?x?x384xf32>, tensor<?x?x384xf32>)
  // CHECK: ssm.causal_conv1d %{{.*}}, %{{.*}} bias %{{.*}} state %{{.*}} lens %{{.*}} {silu}
  %xc, %conv1 = ssm.causal_conv1d %x, %w_conv bias %b_conv state %conv0 lens %lens {silu} : (tensor<?x?x384xf32>, tensor<384x1x4xf32>, tensor<384xf32>, tensor<?x3x384xf32>, tensor<?xi32>) -> (tensor<?x?x384xf32>, tensor<?x3x384xf32>)
  %dbc = ssm.linear %xc, %w_x : (tensor<?x?x384xf32>, tensor<44x384xf32>) -> tensor<?x?x44xf32>
  %dtl, %B, %C = ssm.split %dbc {sizes = array<i64: 12, 16, 16>} : (tensor<?x?x44xf32>) -> (tensor<?x?x12xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>)
  // CHECK: ssm.linear %{{.*}}, %{{.*}} bias %{{.*}} :
  %dt = ssm.linear %dtl, %w_dt bias %b_dt : (tensor<?x?x12xf32>, tensor<384x12xf32>, tensor<384xf32>) -> tensor<?x?x384xf32>
  // CHECK: ssm.softplus %{{.*}} : tensor<?x?x384xf32>
  %sp = ssm.softplus %dt : tensor<?x?x384xf32>
  %e = ssm.exp %a_log : tensor<384x16xf32>
  %A = ssm.neg %e : tensor<384x16xf32>
  // CHECK: ssm.selective_scan {{.*}} D %{{.*}} z %{{.*}} state %{{.*}} lens %{{.*}} :
  %y, %ssm1 = ssm.selective_scan %xc, %sp, %A, %B, %C D %d z %z state %ssm0 lens %lens : (tensor<?x?x384xf32>, tensor<?x?x384xf32>, tensor<384x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<384xf32>, tensor<?x?x384xf32>, tensor<?x384x16xf32>, tensor<?xi32>) -> (tensor<?x?x384xf32>, tensor<?x384x16xf32>)
  %out = ssm.linear %y, %w_out : (tensor<?x?x384xf32>, tensor<192x384xf32>) -> tensor<?x?x192xf32>
  return %out, %conv1, %ssm1 : tensor<?x?x192xf32>, tensor<?x3x384xf32>, tensor<?x384x16xf32>
}

// CHECK-LABEL: func.func @fused_scan
func.func @fused_scan(%u: tensor<?x?x384xf32>, %dtl: tensor<?x?x12xf32>, %A: tensor<384x16xf32>, %B: tensor<?x?x16xf32>, %C: tensor<?x?x16xf32>, %w: tensor<384x12xf32>, %b: tensor<384xf32>) -> tensor<?x?x384xf32> {
  // CHECK: ssm.selective_scan {{.*}} delta_bias %{{.*}} delta_proj %{{.*}} {delta_softplus}
  %y, %s = ssm.selective_scan %u, %dtl, %A, %B, %C delta_bias %b delta_proj %w {delta_softplus} : (tensor<?x?x384xf32>, tensor<?x?x12xf32>, tensor<384x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<384xf32>, tensor<384x12xf32>) -> (tensor<?x?x384xf32>, tensor<?x384x16xf32>)
  return %y : tensor<?x?x384xf32>
}

// CHECK-LABEL: func.func @mamba2_core
func.func @mamba2_core(%x: tensor<?x?x1536xf32>, %dt: tensor<?x?x24xf32>, %A: tensor<24xf32>, %B: tensor<?x?x128xf32>, %C: tensor<?x?x128xf32>, %D: tensor<24xf32>, %db: tensor<24xf32>, %z: tensor<?x?x1536xf32>, %w: tensor<1536xf32>) -> tensor<?x?x1536xf32> {
  // CHECK: ssm.ssd_scan {{.*}} {dt_softplus, groups = 1 : i64, head_dim = 64 : i64, heads = 24 : i64}
  %y, %s = ssm.ssd_scan %x, %dt, %A, %B, %C D %D dt_bias %db {chunk_size = 256 : i64, dt_softplus, groups = 1 : i64, head_dim = 64 : i64, heads = 24 : i64} : (tensor<?x?x1536xf32>, tensor<?x?x24xf32>, tensor<24xf32>, tensor<?x?x128xf32>, tensor<?x?x128xf32>, tensor<24xf32>, tensor<24xf32>) -> (tensor<?x?x1536xf32>, tensor<?x24x64x128xf32>)
  // CHECK: ssm.gated_rmsnorm
  %n = ssm.gated_rmsnorm %y, %z, %w {group_size = 1536 : i64} : (tensor<?x?x1536xf32>, tensor<?x?x1536xf32>, tensor<1536xf32>) -> tensor<?x?x1536xf32>
  return %n : tensor<?x?x1536xf32>
}

// CHECK-LABEL: func.func @jamba_parts
func.func @jamba_parts(%ids: tensor<?x?xi32>, %q: tensor<?x?x256xf32>, %k: tensor<?x?x64xf32>, %v: tensor<?x?x64xf32>, %kc: tensor<?x1x?x64xf32>, %vc: tensor<?x1x?x64xf32>, %x: tensor<?x?x8xf32>, %r: tensor<2x8xf32>, %g: tensor<16x8xf32>, %u: tensor<16x8xf32>, %d: tensor<8x16xf32>, %w8: tensor<8xf32>) -> tensor<?x?x8xf32> {
  %emb = ssm.param "model.embed_tokens.weight" : tensor<100x8xf32>
  // CHECK: ssm.embedding
  %h = ssm.embedding %emb, %ids : (tensor<100x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  // CHECK: ssm.attention %{{.*}}, %{{.*}}, %{{.*}} cache(%{{.*}}, %{{.*}})
  %o, %kc2, %vc2 = ssm.attention %q, %k, %v cache(%kc, %vc) {heads = 4 : i64, head_dim = 64 : i64, kv_heads = 1 : i64} : (tensor<?x?x256xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x1x?x64xf32>, tensor<?x1x?x64xf32>) -> (tensor<?x?x256xf32>, tensor<?x1x?x64xf32>, tensor<?x1x?x64xf32>)
  // CHECK: ssm.moe
  %m = ssm.moe %x, %r, %g, %u, %d, %g, %u, %d {top_k = 2 : i64} : (tensor<?x?x8xf32>, tensor<2x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
  %s = ssm.add %m, %h : tensor<?x?x8xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  %n, %sum = ssm.add_rmsnorm %s, %h, %w8 : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>)
  return %n : tensor<?x?x8xf32>
}

// CHECK-LABEL: func.func @mamba2_step
// CHECK: ssm.mamba2_step %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} conv_bias %{{.*}} D %{{.*}} dt_bias %{{.*}} {dt_min = 1.000000e-03 : f64, dt_softplus, group_size = 16 : i64, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64}
func.func @mamba2_step(%xbc: tensor<?x1x56xf32>, %dt: tensor<?x1x4xf32>, %z: tensor<?x1x32xf32>, %cw: tensor<56x1x4xf32>, %cs: tensor<?x3x56xf32>, %A: tensor<4xf32>, %s: tensor<?x4x8x6xf32>, %nw: tensor<32xf32>, %cb: tensor<56xf32>, %D: tensor<4xf32>, %db: tensor<4xf32>) -> tensor<?x1x32xf32> {
  %y, %cs2, %s2 = ssm.mamba2_step %xbc, %dt, %z, %cw, %cs, %A, %s, %nw conv_bias %cb D %D dt_bias %db {dt_min = 0.001 : f64, dt_softplus, group_size = 16 : i64, groups = 2 : i64, head_dim = 8 : i64, heads = 4 : i64} : (tensor<?x1x56xf32>, tensor<?x1x4xf32>, tensor<?x1x32xf32>, tensor<56x1x4xf32>, tensor<?x3x56xf32>, tensor<4xf32>, tensor<?x4x8x6xf32>, tensor<32xf32>, tensor<56xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x1x32xf32>, tensor<?x3x56xf32>, tensor<?x4x8x6xf32>)
  return %y : tensor<?x1x32xf32>
}
