//===- moe.cuh - sparse mixture of SwiGLU experts, token by token -*- CUDA -*-===//
//
// ssm.moe as one kernel run in phases (the `phase` argument), which the
// runtime launches in order on the same stream. Token by token (decode,
// short prompts): 0, 1, 2, 3.
//
//   0 route   block of WARPS warps, warp per token row r: the router's
//             logits x_r · router[e] in f32 (f32 router), their softmax, the
//             top_k experts (the larger probability first, the lower index
//             on a tie) and their probabilities, renormalized over the k
//             when Cfg::renormalize. Assignment a = r · top_k + j: sel[a]
//             (-1 past a sequence's length) and wts[a].
//   1 up      block (a, tile of WARPS rows of the inner dimension): warp
//             row i: H[a][i] = silu(gate_e[i] · x_r) · (up_e[i] · x_r).
//   2 down    block (a, tile of WARPS rows of the width): warp row d:
//             Y[a][d] = down_e[d] · H[a].
//   3 combine block per token row: out[r] = Σ_j wts[r·k + j] · Y[r·k + j]
//             (zeros past a sequence's length), in a fixed order.
//
// Grouped by expert (longer prompts: each expert's tokens are one matrix
// product, run by cuBLAS between the phases): 0, then
//
//   4 zero    one block: counts[e] = 0.
//   5 count   thread per assignment: pos[a] = its place among its expert's.
//   6 gather  block per assignment: dst[a] = offset(e) + pos[a] (offset:
//             the counts of the experts before e), Xg[dst[a]] = x_r.
//             [runtime: per expert e, G = Xg_e · gate_eᵀ, U = Xg_e · up_eᵀ]
//   7 swiglu  block per assignment: Hg[dst[a]] = silu(G) · U (in T).
//             [runtime: Yg_e = Hg_e · down_eᵀ]
//   8 combine block per token row: out[r] = Σ_j wts · Yg[dst[r·k + j]].
//
// Only the chosen experts' weights are read: in decode, the bytes the
// active experts hold. |experts| is the runtime's table of weight addresses
// (gate, up, down per expert); |scratch| holds, for A = batch · seq · top_k
// assignments, in 4-byte slots (GpuFunction::moeLayout mirrors this):
// sel [A] (int), wts [A], H or G [A][inner], Y or Yg [A][width], U
// [A][inner], Hg [A][inner] (T), Xg [A][width] (T), pos [A], dst [A] (int),
// counts [num_experts] (int).
//
// Cfg: T (x, result), w_t (expert weights), num_experts, top_k, width,
// inner, threads, renormalize.
//
//===----------------------------------------------------------------------===//

// The sums over the warp of a and b, in every lane, through |red| (64
// floats of the warp's shared memory): two warp barriers, where shuffles
// would take five per sum.
__device__ __forceinline__ void ssm_warp_sums(float &a, float &b, float *red) {
  const int lane = threadIdx.x % 32;
  red[lane] = a;
  red[32 + lane] = b;
  __syncwarp();
  a = b = 0.0f;
  for (int j = 0; j < 32; ++j) {
    a += red[j];
    b += red[32 + j];
  }
  __syncwarp();
}

// This lane's part of a · b over n elements (lane, lane + 32, ...).
template <typename A, typename B>
__device__ __forceinline__ float ssm_lane_dot(const A *a, const B *b, int n) {
  float s = 0.0f;
  for (int i = threadIdx.x % 32; i < n; i += 32)
    s += ssm_to_float(a[i]) * ssm_to_float(b[i]);
  return s;
}

template <typename Cfg>
__device__ __forceinline__ void ssm_moe(int phase, const typename Cfg::T *__restrict__ x,
                                        long long x_ld, const float *__restrict__ router,
                                        const typename Cfg::w_t *const *__restrict__ experts,
                                        float *__restrict__ scratch, const int *__restrict__ lens,
                                        typename Cfg::T *__restrict__ out, long long out_ld,
                                        int batch, int seq) {
  using W = typename Cfg::w_t;
  constexpr int E = Cfg::num_experts, K = Cfg::top_k, D = Cfg::width, I = Cfg::inner;
  constexpr int WARPS = Cfg::threads / 32;
  static_assert(E <= 1024 && K >= 1 && K <= E, "1 <= top_k <= num_experts <= 1024");
  using T = typename Cfg::T;
  const long long rows = (long long)batch * seq, assignments = rows * K;
  int *sel = reinterpret_cast<int *>(scratch);
  float *wts = scratch + assignments;
  float *H = wts + assignments;
  float *Y = H + assignments * I;
  float *U = Y + assignments * D;
  T *Hg = reinterpret_cast<T *>(U + assignments * I);
  T *Xg = reinterpret_cast<T *>(U + 2 * assignments * I);
  int *pos = reinterpret_cast<int *>(U + 2 * assignments * I + assignments * D);
  int *dst = pos + assignments;
  int *counts = dst + assignments;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __shared__ float sRed[WARPS][64];

  if (phase == 0) {
    __shared__ float sP[WARPS][E];
    const long long r = (long long)blockIdx.x * WARPS + warp;
    if (r >= rows) // warp-uniform
      return;
    const int t = (int)(r % seq);
    if (t >= min(max(lens[r / seq], 0), seq)) {
      for (int j = lane; j < K; j += 32) {
        sel[r * K + j] = -1;
        wts[r * K + j] = 0.0f;
      }
      return;
    }
    const typename Cfg::T *xr = x + r * x_ld;
    float mx = ssm_neg_inf();
    for (int e = 0; e < E; e += 2) {
      float l0 = ssm_lane_dot(router + (long long)e * D, xr, D);
      float l1 = e + 1 < E ? ssm_lane_dot(router + (long long)(e + 1) * D, xr, D) : 0.0f;
      ssm_warp_sums(l0, l1, sRed[warp]);
      if (lane == 0) {
        sP[warp][e] = l0;
        if (e + 1 < E)
          sP[warp][e + 1] = l1;
      }
      mx = fmaxf(mx, e + 1 < E ? fmaxf(l0, l1) : l0);
    }
    __syncwarp();
    if (lane == 0) {
      float sum = 0.0f;
      for (int e = 0; e < E; ++e) {
        sP[warp][e] = __expf(sP[warp][e] - mx);
        sum += sP[warp][e];
      }
      // Top-k by repeated selection (k is small); chosen entries become -1.
      float chosen[K];
      int which[K];
      float total = 0.0f;
      for (int j = 0; j < K; ++j) {
        int best = 0;
        for (int e = 1; e < E; ++e)
          if (sP[warp][e] > sP[warp][best])
            best = e;
        which[j] = best;
        chosen[j] = sP[warp][best] / sum;
        total += chosen[j];
        sP[warp][best] = -1.0f;
      }
      for (int j = 0; j < K; ++j) {
        sel[r * K + j] = which[j];
        wts[r * K + j] = Cfg::renormalize ? chosen[j] / total : chosen[j];
      }
    }
    return;
  }

  if (phase == 1 || phase == 2) {
    const long long a = blockIdx.x;
    const int e = sel[a];
    const int row = blockIdx.y * WARPS + warp;
    if (e < 0 || row >= (phase == 1 ? I : D))
      return;
    if (phase == 1) {
      const typename Cfg::T *xr = x + (a / K) * x_ld;
      float g = ssm_lane_dot(experts[3 * e] + (long long)row * D, xr, D);
      float u = ssm_lane_dot(experts[3 * e + 1] + (long long)row * D, xr, D);
      ssm_warp_sums(g, u, sRed[warp]);
      if (lane == 0)
        H[a * I + row] = ssm_silu(g) * u;
    } else {
      float y = ssm_lane_dot(experts[3 * e + 2] + (long long)row * I, H + a * I, I);
      float unused = 0.0f;
      ssm_warp_sums(y, unused, sRed[warp]);
      if (lane == 0)
        Y[a * D + row] = y;
    }
    return;
  }

  if (phase == 4) {
    for (int e = threadIdx.x; e < E; e += Cfg::threads)
      counts[e] = 0;
    return;
  }
  if (phase == 5) {
    const long long a = (long long)blockIdx.x * Cfg::threads + threadIdx.x;
    if (a < assignments && sel[a] >= 0)
      pos[a] = atomicAdd(&counts[sel[a]], 1);
    return;
  }
  if (phase == 6 || phase == 7) {
    const long long a = blockIdx.x;
    const int e = sel[a];
    if (e < 0)
      return;
    if (phase == 6) {
      int offset = 0;
      for (int f = 0; f < e; ++f)
        offset += counts[f];
      const long long to = offset + pos[a];
      if (threadIdx.x == 0)
        dst[a] = (int)to;
      for (int d = threadIdx.x; d < D; d += Cfg::threads)
        Xg[to * D + d] = x[(a / K) * x_ld + d];
    } else {
      const long long at = dst[a];
      for (int i = threadIdx.x; i < I; i += Cfg::threads)
        Hg[at * I + i] = ssm_from_float<T>(ssm_silu(H[at * I + i]) * U[at * I + i]);
    }
    return;
  }

  // phase 3 (token by token) or 8 (grouped)
  const long long r = blockIdx.x;
  for (int d = threadIdx.x; d < D; d += Cfg::threads) {
    float v = 0.0f;
    for (int j = 0; j < K; ++j)
      if (sel[r * K + j] >= 0)
        v += wts[r * K + j] *
             (phase == 3 ? Y[(r * K + j) * D + d] : Y[(long long)dst[r * K + j] * D + d]);
    ssm_st(out, r * out_ld + d, v);
  }
}
