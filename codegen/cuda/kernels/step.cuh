//===- step.cuh - the single-token Mamba-1 decode step ----------*- CUDA -*-===//
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
    float win[K];
#pragma unroll
    for (int j = 0; j < K - 1; ++j)
      win[j] = conv_state[((long long)b * (K - 1) + j) * WIDTH + c];
    win[K - 1] = ssm_ld(x, (long long)b * x_ld + c);
    float acc = 0.0f;
    if constexpr (Cfg::has_conv_bias)
      acc = ssm_ld(conv_bias, c);
#pragma unroll
    for (int k = 0; k < K; ++k)
      acc = fmaf(ssm_ld(conv_weight, c * K + k), win[k], acc);
    ws[b * PER_ROW + c] = ssm_silu(acc);
#pragma unroll
    for (int j = 0; j < K - 1; ++j)
      conv_state_out[((long long)b * (K - 1) + j) * WIDTH + c] = win[j + 1];
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
