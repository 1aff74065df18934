//===- scan.cuh - the fused selective scan (Mamba-1), tiled ------*- CUDA -*-===//
//
// Block (channel block, -, b): THREADS = CHANNELS x GROUPS threads. Lane l
// of group g owns channel c = block * CHANNELS + l and, in each chunk of
// CHUNK = GROUPS * ITEMS steps, the ITEMS consecutive steps starting at
// g * ITEMS. Per chunk:
//
//   stage B[t, :], C[t, :] (and the low-rank dt rows when dt_proj is
//   folded, C::rank > 0) of the chunk's steps in shared memory (f32), and
//   RMS-normalize them there when Jamba's norms are fused (has_*_norm);
//   per step of the thread: Δ = C::delta(dt_proj · dt + bias) (or of the
//   full-width delta), Δ·u;
//   per state tile (STATE_TILE states n at a time):
//     1. each thread composes its steps with the associative operator on
//        (decay, input) pairs, (a1, b1) ∘ (a2, b2) = (a1·a2, a2·b1 + b2),
//        with decay exp(Δ·A[c, n]) and input Δ·u·B[t, n], keeping the
//        per-step pairs in registers; group 0 applies the running state;
//     2. the groups' aggregates go through shared memory (double-buffered,
//        one barrier per tile); each thread folds those of the groups
//        before it into its starting state and replays its steps with FMAs:
//        h = decay·h + input, y += C[t, n]·h;
//     3. the last group keeps the end state as the running state.
//   y = (y + D·u) · silu(z), stored (the skip and gate when present).
//
// Steps at or past the sequence length are identities (decay 1, input 0),
// so the running state after the last chunk is the final state. Every
// exponential is exp2 of Δ·(A·log2 e): one special-function instruction.
//
// Cfg: width, ns, rank (0: delta is full width), channels, groups, items,
// state_tile, threads, has_D, has_z, has_delta_bias, has_state, has_lens,
// has_delta_norm, has_B_norm, has_C_norm, norm_eps, delta(d) (the
// discretization's softplus, or nothing); u_t, delta_t, A_t, B_t, C_t, D_t,
// z_t, delta_bias_t, delta_proj_t, lens_t, delta_norm_t, B_norm_t, C_norm_t,
// out_t (states f32).
//
//===----------------------------------------------------------------------===//

// v[i] = v[i] · rsqrt(mean(v²) + eps) · w[i] for N values.
template <int N, typename W>
__device__ __forceinline__ void ssm_rms_row(float *v, const W *w, float eps) {
  float squares = 0.0f;
  for (int i = 0; i < N; ++i)
    squares = fmaf(v[i], v[i], squares);
  const float scale = rsqrtf(squares / N + eps);
  for (int i = 0; i < N; ++i)
    v[i] *= scale * ssm_ld(w, i);
}

template <typename Cfg>
__device__ __forceinline__ void ssm_selective_scan(
    const typename Cfg::u_t *__restrict__ u, long long u_ld,
    const typename Cfg::delta_t *__restrict__ delta, long long delta_ld,
    const typename Cfg::A_t *__restrict__ A, long long, const typename Cfg::B_t *__restrict__ B,
    long long B_ld, const typename Cfg::C_t *__restrict__ C, long long C_ld,
    const typename Cfg::D_t *__restrict__ D, long long, const typename Cfg::z_t *__restrict__ z,
    long long z_ld, const typename Cfg::delta_bias_t *__restrict__ delta_bias, long long,
    const typename Cfg::delta_proj_t *__restrict__ delta_proj, long long, const float *state,
    long long, const typename Cfg::lens_t *__restrict__ lens, long long,
    const typename Cfg::delta_norm_t *__restrict__ delta_norm, long long,
    const typename Cfg::B_norm_t *__restrict__ B_norm, long long,
    const typename Cfg::C_norm_t *__restrict__ C_norm, long long,
    typename Cfg::out_t *__restrict__ out, long long out_ld, float *final_state, long long,
    int batch, int seq) {
  constexpr int WIDTH = Cfg::width, NS = Cfg::ns, RANK = Cfg::rank;
  constexpr int CHANNELS = Cfg::channels, GROUPS = Cfg::groups, ITEMS = Cfg::items;
  constexpr int STATE_TILE = Cfg::state_tile, THREADS = Cfg::threads;
  static_assert(THREADS == CHANNELS * GROUPS, "THREADS must be CHANNELS * GROUPS");
  static_assert(NS % STATE_TILE == 0, "STATE_TILE must divide the state size");
  constexpr int CHUNK = GROUPS * ITEMS;
  constexpr float LOG2E = 1.4426950408889634f;
  alignas(16) __shared__ float sB[CHUNK][NS];
  alignas(16) __shared__ float sC[CHUNK][NS];
  __shared__ float sH[NS][CHANNELS];
  __shared__ float sA[NS][CHANNELS]; // A · log2(e), read once
  __shared__ float sP[2][STATE_TILE][GROUPS][CHANNELS], sS[2][STATE_TILE][GROUPS][CHANNELS];
  __shared__ float sDt[RANK > 0 ? CHUNK : 1][RANK > 0 ? RANK : 1];
  const int lane = threadIdx.x % CHANNELS, g = threadIdx.x / CHANNELS;
  const int c = blockIdx.x * CHANNELS + lane;
  const bool active = c < WIDTH;
  const int cc = active ? c : WIDTH - 1; // inactive lanes compute a copy, store nothing
  const int b = blockIdx.z;
  int len = seq;
  if constexpr (Cfg::has_lens)
    len = lens[b];
  const long long rowBase = (long long)b * seq;
  for (int n = g; n < NS; n += GROUPS)
    sA[n][lane] = ssm_ld(A, (long long)cc * NS + n) * LOG2E;
  for (int n = g; n < NS; n += GROUPS) {
    float h = 0.0f;
    if constexpr (Cfg::has_state)
      h = state[((long long)b * WIDTH + cc) * NS + n];
    sH[n][lane] = h;
  }
  float dtBias = 0.0f;
  if constexpr (Cfg::has_delta_bias)
    dtBias = ssm_ld(delta_bias, cc);
  // B and C of the next chunk are fetched into registers while this one
  // is computed, and stored to shared memory at the next chunk's start.
  constexpr int BC_PER = (CHUNK * NS + THREADS - 1) / THREADS;
  float nextB[BC_PER], nextC[BC_PER];
#pragma unroll
  for (int q = 0; q < BC_PER; ++q) {
    const int i = threadIdx.x + q * THREADS, tt = i / NS, n = i % NS, t = tt;
    const bool in = i < CHUNK * NS && t < len;
    nextB[q] = in ? ssm_ld(B, (rowBase + t) * B_ld + n) : 0.0f;
    nextC[q] = in ? ssm_ld(C, (rowBase + t) * C_ld + n) : 0.0f;
  }
  for (int t0 = 0; t0 < len; t0 += CHUNK) {
    // This thread's inputs, issued before the barriers they do not need.
    float dt[ITEMS], du[ITEMS], y[ITEMS], uv[ITEMS], zv[ITEMS];
#pragma unroll
    for (int i = 0; i < ITEMS; ++i) {
      const int t = t0 + g * ITEMS + i;
      const bool in = t < len;
      uv[i] = in ? ssm_ld(u, (rowBase + t) * u_ld + cc) : 0.0f;
      if constexpr (RANK > 0)
        dt[i] = dtBias;
      else
        dt[i] = in ? ssm_ld(delta, (rowBase + t) * delta_ld + cc) + dtBias : 0.0f;
      zv[i] = 0.0f;
      if constexpr (Cfg::has_z)
        zv[i] = in ? ssm_ld(z, (rowBase + t) * z_ld + cc) : 0.0f;
    }
    __syncthreads(); // the previous chunk is done with the tiles
#pragma unroll
    for (int q = 0; q < BC_PER; ++q) {
      const int i = threadIdx.x + q * THREADS;
      if (i < CHUNK * NS) {
        sB[i / NS][i % NS] = nextB[q];
        sC[i / NS][i % NS] = nextC[q];
      }
    }
    // Braces around every `if constexpr` loop: NVRTC (13.0) fails with
    // 'expected a "}"' when a discarded unbraced one precedes a #pragma.
    if constexpr (RANK > 0) {
      for (int i = threadIdx.x; i < CHUNK * RANK; i += THREADS) {
        const int tt = i / RANK, r = i % RANK, t = t0 + tt;
        sDt[tt][r] = t < len ? ssm_ld(delta, (rowBase + t) * delta_ld + r) : 0.0f;
      }
    }
    __syncthreads();
    if constexpr (Cfg::has_delta_norm || Cfg::has_B_norm || Cfg::has_C_norm) {
      // A thread per staged row: rsqrt(mean(row²) + eps) · weight, in place
      // (rows past the end are zeros and stay zeros).
      for (int tt = threadIdx.x; tt < CHUNK; tt += THREADS) {
        if constexpr (Cfg::has_B_norm)
          ssm_rms_row<NS>(sB[tt], B_norm, Cfg::norm_eps);
        if constexpr (Cfg::has_C_norm)
          ssm_rms_row<NS>(sC[tt], C_norm, Cfg::norm_eps);
        if constexpr (Cfg::has_delta_norm && RANK > 0)
          ssm_rms_row<RANK>(sDt[tt], delta_norm, Cfg::norm_eps);
      }
      __syncthreads();
    }
#pragma unroll
    for (int q = 0; q < BC_PER; ++q) {
      const int i = threadIdx.x + q * THREADS, tt = i / NS, n = i % NS, t = t0 + CHUNK + tt;
      const bool in = i < CHUNK * NS && t < len;
      nextB[q] = in ? ssm_ld(B, (rowBase + t) * B_ld + n) : 0.0f;
      nextC[q] = in ? ssm_ld(C, (rowBase + t) * C_ld + n) : 0.0f;
    }
    if constexpr (RANK > 0) {
      for (int r = 0; r < RANK; ++r) {
        const float wr = ssm_ld(delta_proj, (long long)cc * RANK + r);
#pragma unroll
        for (int i = 0; i < ITEMS; ++i)
          dt[i] = fmaf(sDt[g * ITEMS + i][r], wr, dt[i]);
      }
    }
#pragma unroll
    for (int i = 0; i < ITEMS; ++i) {
      const int t = t0 + g * ITEMS + i;
      float d = 0.0f;
      if (t < len)
        d = Cfg::delta(dt[i]);
      dt[i] = d; // 0 past the end: decay 1, input 0
      du[i] = d * uv[i];
      y[i] = 0.0f;
    }
    for (int n0 = 0; n0 < NS; n0 += STATE_TILE) {
      const int par = (n0 / STATE_TILE) & 1;
      float decay[STATE_TILE][ITEMS], input[STATE_TILE][ITEMS], a[STATE_TILE];
      float P[STATE_TILE], S[STATE_TILE], h0[STATE_TILE];
#pragma unroll
      for (int j = 0; j < STATE_TILE; ++j) {
        a[j] = sA[n0 + j][lane];
        P[j] = 1.0f;
        S[j] = 0.0f;
      }
      // 1. this thread's steps composed; B read as one vector per step
#pragma unroll
      for (int i = 0; i < ITEMS; ++i) {
        const ssm_floats<STATE_TILE> bv =
            *reinterpret_cast<const ssm_floats<STATE_TILE> *>(&sB[g * ITEMS + i][n0]);
#pragma unroll
        for (int j = 0; j < STATE_TILE; ++j) {
          decay[j][i] = exp2f(dt[i] * a[j]);
          input[j][i] = du[i] * bv.v[j];
          P[j] *= decay[j][i];
          S[j] = fmaf(decay[j][i], S[j], input[j][i]);
        }
      }
#pragma unroll
      for (int j = 0; j < STATE_TILE; ++j) {
        h0[j] = 0.0f;
        if (g == 0) {
          h0[j] = sH[n0 + j][lane];
          S[j] = fmaf(P[j], h0[j], S[j]);
        }
        if (GROUPS > 1) {
          sP[par][j][g][lane] = P[j];
          sS[par][j][g][lane] = S[j];
        }
      }
      if (GROUPS > 1) // one group: no aggregates to exchange
        __syncthreads();
      // 2. the starting state from the groups before, then the steps
      float h[STATE_TILE];
#pragma unroll
      for (int j = 0; j < STATE_TILE; ++j) {
        h[j] = g == 0 ? h0[j] : sS[par][j][0][lane];
        for (int k = 1; k < g; ++k)
          h[j] = fmaf(sP[par][j][k][lane], h[j], sS[par][j][k][lane]);
      }
#pragma unroll
      for (int i = 0; i < ITEMS; ++i) {
        const ssm_floats<STATE_TILE> cv =
            *reinterpret_cast<const ssm_floats<STATE_TILE> *>(&sC[g * ITEMS + i][n0]);
#pragma unroll
        for (int j = 0; j < STATE_TILE; ++j) {
          h[j] = fmaf(decay[j][i], h[j], input[j][i]);
          y[i] = fmaf(cv.v[j], h[j], y[i]);
        }
      }
      // 3. the last group's end state carries into the next chunk
      if (g == GROUPS - 1)
#pragma unroll
        for (int j = 0; j < STATE_TILE; ++j)
          sH[n0 + j][lane] = h[j];
    }
#pragma unroll
    for (int i = 0; i < ITEMS; ++i) {
      const int t = t0 + g * ITEMS + i;
      if (active && t < len) {
        float v = y[i];
        if constexpr (Cfg::has_D)
          v = fmaf(ssm_ld(D, c), uv[i], v);
        if constexpr (Cfg::has_z)
          v *= ssm_silu(zv[i]);
        ssm_st(out, (rowBase + t) * out_ld + c, v);
      }
    }
  }
  __syncthreads();
  if (active)
    for (int n = g; n < NS; n += GROUPS)
      final_state[((long long)b * WIDTH + c) * NS + n] = sH[n][lane];
}
