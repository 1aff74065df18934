//===- step.cuh - the single-token decode steps (Mamba-1, Mamba-2) -*- CUDA -*-===//
//
// One cooperative launch per layer and token: a persistent grid whose
// threads stride over each phase's work, with grid-wide barriers between
// the phases (workspace row of batch row b: xc [WIDTH], partial dot
// products [ROWS][SEGMENTS], dt/B/C [ROWS], ROWS = RANK + 2 NS; the first
// 64 words of the workspace are the barrier's):
//
//   1. (b, c): conv-state shift, conv, SiLU -> xc; state updated in place
//   2. (b, row, segment): x_proj row · xc over the columns ≡ segment
//      (mod SEGMENTS); consecutive threads read consecutive columns
//   3. (b, row): the partial products summed in a fixed order (the result
//      does not depend on the grid size)
//   4. (b, c): Δ = softplus(dt_proj · dt + bias); per state n
//      h = exp(Δ·A)·h + Δ·xc·B[n], y += C[n]·h; y = (y + D·xc)·silu(z)
//
// Cfg: width, k, ns, rank, rows, threads, segments, has_conv_bias, has_D;
// x_t, z_t, conv_weight_t, x_proj_t, delta_proj_t, delta_bias_t, A_t,
// conv_bias_t, D_t, out_t (states and the workspace are f32).
//
//===----------------------------------------------------------------------===//

// One token of the conv for channel c of batch row b: the window
// conv_state ++ x through the filter, SiLU; the window's last K-1 entries
// become the new conv state (read before written: in place is fine).
template <int K, int WIDTH, bool HAS_BIAS, typename X, typename W, typename B>
__device__ __forceinline__ float ssm_conv_step(const X *__restrict__ x, long long x_ld,
                                               const W *__restrict__ w, const B *__restrict__ bias,
                                               const float *state, float *state_out, int b,
                                               int c) {
  float win[K];
#pragma unroll
  for (int j = 0; j < K - 1; ++j)
    win[j] = state[((long long)b * (K - 1) + j) * WIDTH + c];
  win[K - 1] = ssm_ld(x, (long long)b * x_ld + c);
  float acc = 0.0f;
  if constexpr (HAS_BIAS)
    acc = ssm_ld(bias, c);
#pragma unroll
  for (int k = 0; k < K; ++k)
    acc = fmaf(ssm_ld(w, c * K + k), win[k], acc);
#pragma unroll
  for (int j = 0; j < K - 1; ++j)
    state_out[((long long)b * (K - 1) + j) * WIDTH + c] = win[j + 1];
  return ssm_silu(acc);
}

template <typename Cfg>
__device__ __forceinline__ void ssm_mamba_step(
    const typename Cfg::x_t *__restrict__ x, long long x_ld,
    const typename Cfg::z_t *__restrict__ z, long long z_ld,
    const typename Cfg::conv_weight_t *__restrict__ conv_weight, long long, const float *conv_state,
    long long, const typename Cfg::x_proj_t *__restrict__ x_proj, long long,
    const typename Cfg::delta_proj_t *__restrict__ delta_proj, long long,
    const typename Cfg::delta_bias_t *__restrict__ delta_bias, long long,
    const typename Cfg::A_t *__restrict__ A, long long, const float *ssm_state, long long,
    const typename Cfg::conv_bias_t *__restrict__ conv_bias, long long,
    const typename Cfg::D_t *__restrict__ D, long long, typename Cfg::out_t *__restrict__ out,
    long long out_ld, float *conv_state_out, long long, float *ssm_state_out, long long,
    float *__restrict__ workspace, int batch, int seq) {
  constexpr int WIDTH = Cfg::width, K = Cfg::k, NS = Cfg::ns, RANK = Cfg::rank;
  constexpr int ROWS = Cfg::rows, THREADS = Cfg::threads, SEGMENTS = Cfg::segments;
  constexpr float LOG2E = 1.4426950408889634f;
  constexpr long long PER_ROW = WIDTH + ROWS * SEGMENTS + ROWS;
  unsigned *barrier = reinterpret_cast<unsigned *>(workspace);
  float *ws = workspace + 64;
  const long long first = (long long)blockIdx.x * THREADS + threadIdx.x;
  const long long stride = (long long)gridDim.x * THREADS;
  // 1. conv + SiLU
  for (long long i = first; i < (long long)batch * WIDTH; i += stride) {
    const int b = i / WIDTH, c = i % WIDTH;
    ws[b * PER_ROW + c] = ssm_conv_step<K, WIDTH, Cfg::has_conv_bias>(
        x, x_ld, conv_weight, conv_bias, conv_state, conv_state_out, b, c);
  }
  ssm_grid_barrier(barrier);
  // 2. x_proj partial products
  for (long long i = first; i < (long long)batch * ROWS * SEGMENTS; i += stride) {
    const int s = i % SEGMENTS, r = (i / SEGMENTS) % ROWS, b = i / (SEGMENTS * ROWS);
    const float *xc = ws + b * PER_ROW;
    // Four independent sums keep several loads in flight.
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int e = s;
    for (; e + 3 * SEGMENTS < WIDTH; e += 4 * SEGMENTS) {
#pragma unroll
      for (int q = 0; q < 4; ++q)
        acc[q] = fmaf(ssm_ld(x_proj, (long long)r * WIDTH + e + q * SEGMENTS), xc[e + q * SEGMENTS],
                      acc[q]);
    }
    for (; e < WIDTH; e += SEGMENTS)
      acc[0] = fmaf(ssm_ld(x_proj, (long long)r * WIDTH + e), xc[e], acc[0]);
    ws[b * PER_ROW + WIDTH + r * SEGMENTS + s] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  }
  ssm_grid_barrier(barrier);
  // 3. dt, B, C
  for (long long i = first; i < (long long)batch * ROWS; i += stride) {
    const int r = i % ROWS, b = i / ROWS;
    const float *part = ws + b * PER_ROW + WIDTH + r * SEGMENTS;
    float acc = 0.0f;
    for (int s = 0; s < SEGMENTS; ++s)
      acc += part[s];
    ws[b * PER_ROW + WIDTH + ROWS * SEGMENTS + r] = acc;
  }
  ssm_grid_barrier(barrier);
  // 4. the scan step, skip and gate
  for (long long i = first; i < (long long)batch * WIDTH; i += stride) {
    const int b = i / WIDTH, c = i % WIDTH;
    const float *dbc = ws + b * PER_ROW + WIDTH + ROWS * SEGMENTS;
    float dp[4] = {ssm_ld(delta_bias, c), 0.0f, 0.0f, 0.0f};
    int r = 0;
    for (; r + 3 < RANK; r += 4) {
#pragma unroll
      for (int q = 0; q < 4; ++q)
        dp[q] = fmaf(ssm_ld(delta_proj, (long long)c * RANK + r + q), dbc[r + q], dp[q]);
    }
    for (; r < RANK; ++r)
      dp[0] = fmaf(ssm_ld(delta_proj, (long long)c * RANK + r), dbc[r], dp[0]);
    const float d = ssm_softplus((dp[0] + dp[1]) + (dp[2] + dp[3]));
    const float xc = ws[b * PER_ROW + c], dx = d * xc;
    const long long hBase = ((long long)b * WIDTH + c) * NS;
    float y = 0.0f;
    for (int n = 0; n < NS; ++n) {
      const float a = ssm_ld(A, (long long)c * NS + n) * LOG2E;
      const float h = fmaf(exp2f(d * a), ssm_state[hBase + n], dx * dbc[RANK + n]);
      ssm_state_out[hBase + n] = h;
      y = fmaf(dbc[RANK + NS + n], h, y);
    }
    if constexpr (Cfg::has_D)
      y = fmaf(ssm_ld(D, c), xc, y);
    y *= ssm_silu(ssm_ld(z, (long long)b * z_ld + c));
    ssm_st(out, (long long)b * out_ld + c, y);
  }
}

//===----------------------------------------------------------------------===//
// The single-token Mamba-2 decode step (ssm.mamba2_step), launched the same
// way (workspace row of batch row b: xc [CONV] = x ‖ B ‖ C, y [INNER], then
// partial sums of squares [INNER / GROUP][SEGMENTS]):
//
//   1. (b, c): conv-state shift, conv, SiLU -> xc
//   2. (b, h, p): Δ = delta(dt + dt_bias), the state row S[h, p, :] updated,
//      y = S·C + D·x
//   3. (b, group, segment): Σ (y · silu(z))² over the group's features ≡
//      segment (mod SEGMENTS)
//   4. (b, c): the group's partial sums added in a fixed order (the result
//      does not depend on the grid size); y · silu(z) · rsqrt(mean + eps) ·
//      weight
//
// Cfg: conv, k, heads, head_dim, ns, groups, group, threads, segments, eps,
// has_conv_bias, has_D, has_dt_bias, delta(d); xbc_t, dt_t, z_t,
// conv_weight_t, A_t, norm_weight_t, conv_bias_t, D_t, dt_bias_t, out_t.
//===----------------------------------------------------------------------===//

template <typename Cfg>
__device__ __forceinline__ void ssm_mamba2_step(
    const typename Cfg::xbc_t *__restrict__ xbc, long long xbc_ld,
    const typename Cfg::dt_t *__restrict__ dt, long long dt_ld,
    const typename Cfg::z_t *__restrict__ z, long long z_ld,
    const typename Cfg::conv_weight_t *__restrict__ conv_weight, long long, const float *conv_state,
    long long, const typename Cfg::A_t *__restrict__ A, long long, const float *ssm_state, long long,
    const typename Cfg::norm_weight_t *__restrict__ norm_weight, long long,
    const typename Cfg::conv_bias_t *__restrict__ conv_bias, long long,
    const typename Cfg::D_t *__restrict__ D, long long,
    const typename Cfg::dt_bias_t *__restrict__ dt_bias, long long,
    typename Cfg::out_t *__restrict__ out, long long out_ld, float *conv_state_out, long long,
    float *ssm_state_out, long long, float *__restrict__ workspace, int batch, int seq) {
  constexpr int CONV = Cfg::conv, K = Cfg::k, NS = Cfg::ns, P = Cfg::head_dim;
  constexpr int HEADS = Cfg::heads, INNER = HEADS * P, GROUP = Cfg::group;
  constexpr int THREADS = Cfg::threads, SEGMENTS = Cfg::segments, NORMS = INNER / GROUP;
  constexpr long long PER_ROW = CONV + INNER + NORMS * SEGMENTS;
  unsigned *barrier = reinterpret_cast<unsigned *>(workspace);
  float *ws = workspace + 64;
  const long long first = (long long)blockIdx.x * THREADS + threadIdx.x;
  const long long stride = (long long)gridDim.x * THREADS;
  // 1. conv + SiLU over x ‖ B ‖ C
  for (long long i = first; i < (long long)batch * CONV; i += stride) {
    const int b = i / CONV, c = i % CONV;
    ws[b * PER_ROW + c] = ssm_conv_step<K, CONV, Cfg::has_conv_bias>(
        xbc, xbc_ld, conv_weight, conv_bias, conv_state, conv_state_out, b, c);
  }
  ssm_grid_barrier(barrier);
  // 2. one state row per thread
  for (long long i = first; i < (long long)batch * INNER; i += stride) {
    const int b = i / INNER, hp = i % INNER, h = hp / P;
    float d = ssm_ld(dt, (long long)b * dt_ld + h);
    if constexpr (Cfg::has_dt_bias)
      d += ssm_ld(dt_bias, h);
    d = Cfg::delta(d);
    const float a = __expf(d * ssm_ld(A, h));
    const float *xc = ws + b * PER_ROW;
    const float *Bg = xc + INNER + (h / (HEADS / Cfg::groups)) * NS;
    const float *Cg = Bg + Cfg::groups * NS;
    const float xv = xc[hp], dx = d * xv;
    const long long sBase = ((long long)b * INNER + hp) * NS;
    float y = 0.0f;
    for (int n = 0; n < NS; ++n) {
      const float s = fmaf(a, ssm_state[sBase + n], dx * Bg[n]);
      ssm_state_out[sBase + n] = s;
      y = fmaf(Cg[n], s, y);
    }
    if constexpr (Cfg::has_D)
      y = fmaf(ssm_ld(D, h), xv, y);
    ws[b * PER_ROW + CONV + hp] = y;
  }
  ssm_grid_barrier(barrier);
  // 3. partial sums of squares of the gated y
  for (long long i = first; i < (long long)batch * NORMS * SEGMENTS; i += stride) {
    const int s = i % SEGMENTS, g = (i / SEGMENTS) % NORMS, b = i / (SEGMENTS * NORMS);
    const float *y = ws + b * PER_ROW + CONV;
    float squares = 0.0f;
    for (int c = g * GROUP + s; c < (g + 1) * GROUP; c += SEGMENTS) {
      const float v = y[c] * ssm_silu(ssm_ld(z, (long long)b * z_ld + c));
      squares = fmaf(v, v, squares);
    }
    ws[b * PER_ROW + CONV + INNER + g * SEGMENTS + s] = squares;
  }
  ssm_grid_barrier(barrier);
  // 4. the gated RMSNorm
  for (long long i = first; i < (long long)batch * INNER; i += stride) {
    const int b = i / INNER, c = i % INNER;
    const float *part = ws + b * PER_ROW + CONV + INNER + (c / GROUP) * SEGMENTS;
    float squares = 0.0f;
    for (int s = 0; s < SEGMENTS; ++s)
      squares += part[s];
    const float v = ws[b * PER_ROW + CONV + c] * ssm_silu(ssm_ld(z, (long long)b * z_ld + c));
    ssm_st(out, (long long)b * out_ld + c,
           v * rsqrtf(squares / GROUP + Cfg::eps) * ssm_ld(norm_weight, c));
  }
}
