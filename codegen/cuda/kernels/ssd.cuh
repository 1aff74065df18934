//===- ssd.cuh - Mamba-2's state-space dual scan, recurrent form -*- CUDA -*-===//
//
// Block (head h · row tile, -, b): THREADS = ROWS x SLICES threads. Thread
// (r, s) owns row p = tile * ROWS + r of the head's [head_dim, NS] state,
// columns [s * SLICE, s * SLICE + SLICE), in registers. Time goes in chunks
// of CHUNK steps; per chunk:
//
//   stage B[t, group], C[t, group] in shared memory (f32), and per step
//   Δ = Cfg::delta(dt[t, h] + dt_bias[h]) (softplus and clamp as fused) and
//   the decay exp(Δ · A[h]);
//   each thread runs the chunk's steps on its slice,
//     S[p, n] = decay · S[p, n] + Δ · x[t, p] · B[t, n],
//   and leaves its part of Σ_n S[p, n] · C[t, n] in shared memory;
//   the parts are summed per (t, p): y = Σ + D · x, · silu(z), stored.
//
// This is the recurrent form (the same multiply-adds per token as the
// chunked matmul form, on CUDA cores); steps past a sequence's length are
// not run and their outputs are zeros.
//
// Cfg: heads, head_dim, ns, groups, rows, slice, slices, chunk, threads,
// has_D, has_z, has_dt_bias, has_state, has_lens, delta(d); x_t, dt_t, A_t,
// B_t, C_t, D_t, z_t, dt_bias_t, lens_t, out_t (states f32).
//
//===----------------------------------------------------------------------===//

template <typename Cfg>
__device__ __forceinline__ void ssm_ssd_scan(
    const typename Cfg::x_t *__restrict__ x, long long x_ld,
    const typename Cfg::dt_t *__restrict__ dt, long long dt_ld,
    const typename Cfg::A_t *__restrict__ A, long long, const typename Cfg::B_t *__restrict__ B,
    long long B_ld, const typename Cfg::C_t *__restrict__ C, long long C_ld,
    const typename Cfg::D_t *__restrict__ D, long long, const typename Cfg::z_t *__restrict__ z,
    long long z_ld, const typename Cfg::dt_bias_t *__restrict__ dt_bias, long long,
    const float *state, long long, const typename Cfg::lens_t *__restrict__ lens, long long,
    typename Cfg::out_t *__restrict__ out, long long out_ld, float *final_state, long long,
    int batch, int seq) {
  constexpr int P = Cfg::head_dim, NS = Cfg::ns, ROWS = Cfg::rows, SLICE = Cfg::slice;
  constexpr int SLICES = Cfg::slices, CHUNK = Cfg::chunk, THREADS = Cfg::threads;
  static_assert(SLICES * SLICE >= NS && (SLICES - 1) * SLICE < NS, "SLICES = ceil(NS / SLICE)");
  static_assert(THREADS == ROWS * SLICES, "THREADS must be ROWS * SLICES");
  constexpr int ROW_TILES = (P + ROWS - 1) / ROWS;
  __shared__ float sB[CHUNK][NS], sC[CHUNK][NS];
  __shared__ float sDt[CHUNK], sDecay[CHUNK];
  __shared__ float sPart[CHUNK][ROWS][SLICES];
  const int h = blockIdx.x / ROW_TILES, tile = blockIdx.x % ROW_TILES;
  if (h >= Cfg::heads) // a grid sized for larger ROWS (a -D override)
    return;
  const int r = threadIdx.x / SLICES, s = threadIdx.x % SLICES;
  const int p = tile * ROWS + r;
  const bool active = p < P;
  const int pc = active ? p : P - 1; // inactive rows compute a copy, store nothing
  const int n0 = s * SLICE;
  const int group = h / (Cfg::heads / Cfg::groups);
  const int b = blockIdx.z;
  int len = seq;
  if constexpr (Cfg::has_lens)
    len = min(max((int)lens[b], 0), seq);
  const long long rowBase = (long long)b * seq;
  const long long stateBase = (((long long)b * Cfg::heads + h) * P + pc) * NS;

  float hs[SLICE];
#pragma unroll
  for (int k = 0; k < SLICE; ++k) {
    hs[k] = 0.0f;
    if constexpr (Cfg::has_state)
      if (n0 + k < NS)
        hs[k] = state[stateBase + n0 + k];
  }
  const float aHead = ssm_ld(A, h);
  float bias = 0.0f, dHead = 0.0f;
  if constexpr (Cfg::has_dt_bias)
    bias = ssm_ld(dt_bias, h);
  if constexpr (Cfg::has_D)
    dHead = ssm_ld(D, h);

  for (int t0 = 0; t0 < len; t0 += CHUNK) {
    const int steps = min(CHUNK, len - t0);
    for (int i = threadIdx.x; i < steps * NS; i += THREADS) {
      const int tt = i / NS, n = i % NS;
      const long long row = rowBase + t0 + tt;
      sB[tt][n] = ssm_ld(B, row * B_ld + (long long)group * NS + n);
      sC[tt][n] = ssm_ld(C, row * C_ld + (long long)group * NS + n);
    }
    if ((int)threadIdx.x < steps) {
      const float d = Cfg::delta(ssm_ld(dt, (rowBase + t0 + threadIdx.x) * dt_ld + h) + bias);
      sDt[threadIdx.x] = d;
      sDecay[threadIdx.x] = __expf(d * aHead);
    }
    __syncthreads();
    for (int tt = 0; tt < steps; ++tt) {
      const float xv = ssm_ld(x, (rowBase + t0 + tt) * x_ld + (long long)h * P + pc);
      const float a = sDecay[tt], dx = sDt[tt] * xv;
      float acc = 0.0f;
#pragma unroll
      for (int k = 0; k < SLICE; ++k)
        if (n0 + k < NS) {
          hs[k] = a * hs[k] + dx * sB[tt][n0 + k];
          acc += hs[k] * sC[tt][n0 + k];
        }
      sPart[tt][r][s] = acc;
    }
    __syncthreads();
    for (int i = threadIdx.x; i < steps * ROWS; i += THREADS) {
      const int tt = i / ROWS, pp = tile * ROWS + i % ROWS;
      if (pp >= P)
        continue;
      float y = 0.0f;
#pragma unroll
      for (int k = 0; k < SLICES; ++k)
        y += sPart[tt][i % ROWS][k];
      const long long row = rowBase + t0 + tt, c = (long long)h * P + pp;
      if constexpr (Cfg::has_D)
        y += dHead * ssm_ld(x, row * x_ld + c);
      if constexpr (Cfg::has_z)
        y *= ssm_silu(ssm_ld(z, row * z_ld + c));
      ssm_st(out, row * out_ld + c, y);
    }
    __syncthreads();
  }
  // Padding steps of a shorter sequence produce zeros.
  for (int i = threadIdx.x; i < (seq - len) * ROWS; i += THREADS) {
    const int pp = tile * ROWS + i % ROWS;
    if (pp < P)
      ssm_st(out, (rowBase + len + i / ROWS) * out_ld + (long long)h * P + pp, 0.0f);
  }
  if (active)
#pragma unroll
    for (int k = 0; k < SLICE; ++k)
      if (n0 + k < NS)
        final_state[stateBase + n0 + k] = hs[k];
}
