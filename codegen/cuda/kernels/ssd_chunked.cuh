//===- ssd_chunked.cuh - Mamba-2's SSD, chunked form on tensor cores -*- CUDA -*-===//
//
// Block (head h · row tile, -, b): THREADS threads (THREADS / 32 warps) own
// rows p0 = tile * PTILE .. p0 + PTILE of the head's [head_dim, NS] state,
// kept in registers as m16n8 accumulator tiles (warp w holds tiles w,
// w + WARPS, ...). Time goes in chunks of CHUNK = L steps; per chunk, with
// Δ_t = Cfg::delta(dt[t, h] + dt_bias[h]) and cum_t = Σ_{s <= t} Δ_s · A[h]
// within the chunk:
//
//   stage C, B (L × NS), x (L × PTILE) and the state in shared memory as the
//   16-bit input type T (x's type), and Δ and cum in f32;
//   M = (C · Bᵀ) ∘ Λ, Λ[t][s] = exp(cum_t - cum_s) · Δ_s for s <= t, else 0
//                                                   (tensor cores, K = NS)
//   y = exp(cum_t) · (C · Sᵀ) + M · x               (tensor cores, K = NS, L)
//       + D · x, · silu(z), stored;
//   S = exp(cum_{L-1}) · S + (x ∘ w)ᵀ · B,  w_s = Δ_s · exp(cum_{L-1} - cum_s)
//                                                   (tensor cores, K = L)
//
// This is the state-space dual's chunked form with the state passed across
// chunks inside the block (mamba_ssm's chunk-cumsum, chunk-state,
// state-passing and chunk-scan kernels as one). Products take 16-bit inputs
// and accumulate in f32; the state stays f32 in registers and is rounded to
// T only as an operand of C · Sᵀ. Steps past a sequence's length have
// Δ = 0 (the state does not move) and output zeros. Needs sm_80.
//
// Cfg: heads, head_dim, ns, groups, ptile, chunk, threads, has_D, has_z,
// has_dt_bias, has_state, has_lens, delta(d); x_t (ssm_bf16 or ssm_f16),
// dt_t, A_t, B_t, C_t, D_t, z_t, dt_bias_t, lens_t, out_t (states f32).
//
//===----------------------------------------------------------------------===//

template <typename Cfg>
__device__ __forceinline__ void ssm_ssd_chunked(
    const typename Cfg::x_t *__restrict__ x, long long x_ld,
    const typename Cfg::dt_t *__restrict__ dt, long long dt_ld,
    const typename Cfg::A_t *__restrict__ A, long long, const typename Cfg::B_t *__restrict__ B,
    long long B_ld, const typename Cfg::C_t *__restrict__ C, long long C_ld,
    const typename Cfg::D_t *__restrict__ D, long long, const typename Cfg::z_t *__restrict__ z,
    long long z_ld, const typename Cfg::dt_bias_t *__restrict__ dt_bias, long long,
    const float *state, long long, const typename Cfg::lens_t *__restrict__ lens, long long,
    typename Cfg::out_t *__restrict__ out, long long out_ld, float *final_state, long long,
    int batch, int seq) {
  using T = typename Cfg::x_t;
  constexpr int P = Cfg::head_dim, NS = Cfg::ns, PT = Cfg::ptile, L = Cfg::chunk;
  constexpr int THREADS = Cfg::threads, WARPS = THREADS / 32;
  constexpr int NP = (NS + 15) / 16 * 16; // d_state padded to the MMA's K
  static_assert(PT % 16 == 0 && L % 16 == 0 && THREADS % 32 == 0,
                "PTILE and CHUNK are multiples of 16, THREADS of 32");
  constexpr int ROW_TILES = (P + PT - 1) / PT;
  constexpr int S_TILES = (PT / 16) * (NP / 8), S_PER_WARP = (S_TILES + WARPS - 1) / WARPS;
  __shared__ unsigned short sC[L][NP], sB[L][NP], sX[L][PT], sXw[L][PT], sM[L][L], sS[PT][NP];
  __shared__ float sDt[L], sCum[L];
  const int h = blockIdx.x / ROW_TILES, tile = blockIdx.x % ROW_TILES;
  if (h >= Cfg::heads) // a grid sized for a larger PTILE (a -D override)
    return;
  const int warp = threadIdx.x / 32;
  const int p0 = tile * PT;
  const int group = h / (Cfg::heads / Cfg::groups);
  const int b = blockIdx.z;
  int len = seq;
  if constexpr (Cfg::has_lens)
    len = min(max((int)lens[b], 0), seq);
  const long long rowBase = (long long)b * seq;
  const long long stateBase = ((long long)b * Cfg::heads + h) * P * NS;
  auto toT = [](float v) { return ssm_from_float<T>(v).bits; };
  auto fromT = [](unsigned short bits) {
    T v;
    v.bits = bits;
    return ssm_to_float(v);
  };

  // The state: tile st = warp + j * WARPS is rows 16 * (st / (NP / 8)),
  // columns 8 * (st % (NP / 8)) of the block's [PT, NP] part; element i of
  // a tile is at (stRow, stCol) in it.
  auto stRow = [](int st, int i) { return 16 * (st / (NP / 8)) + ssm_mma_row(i); };
  auto stCol = [](int st, int i) { return 8 * (st % (NP / 8)) + ssm_mma_col(i); };
  float S[S_PER_WARP][4];
#pragma unroll
  for (int j = 0; j < S_PER_WARP; ++j) {
    const int st = warp + j * WARPS;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int p = p0 + stRow(st, i), n = stCol(st, i);
      S[j][i] = 0.0f;
      if constexpr (Cfg::has_state)
        if (st < S_TILES && p < P && n < NS)
          S[j][i] = state[stateBase + (long long)p * NS + n];
    }
  }
  const float aHead = ssm_ld(A, h);
  float bias = 0.0f, dHead = 0.0f;
  if constexpr (Cfg::has_dt_bias)
    bias = ssm_ld(dt_bias, h);
  if constexpr (Cfg::has_D)
    dHead = ssm_ld(D, h);

  for (int t0 = 0; t0 < len; t0 += L) {
    const int steps = min(L, len - t0);
    for (int i = threadIdx.x; i < L * NP; i += THREADS) {
      const int tt = i / NP, n = i % NP;
      float bv = 0.0f, cv = 0.0f;
      if (tt < steps && n < NS) {
        const long long row = rowBase + t0 + tt;
        bv = ssm_ld(B, row * B_ld + (long long)group * NS + n);
        cv = ssm_ld(C, row * C_ld + (long long)group * NS + n);
      }
      sB[tt][n] = toT(bv);
      sC[tt][n] = toT(cv);
    }
    for (int i = threadIdx.x; i < L * PT; i += THREADS) {
      const int tt = i / PT, pp = i % PT;
      float xv = 0.0f;
      if (tt < steps && p0 + pp < P)
        xv = ssm_ld(x, (rowBase + t0 + tt) * x_ld + (long long)h * P + p0 + pp);
      sX[tt][pp] = toT(xv);
    }
#pragma unroll
    for (int j = 0; j < S_PER_WARP; ++j) {
      const int st = warp + j * WARPS;
      if (st < S_TILES)
#pragma unroll
        for (int i = 0; i < 4; ++i)
          sS[stRow(st, i)][stCol(st, i)] = toT(S[j][i]);
    }
    if ((int)threadIdx.x < L) {
      float d = 0.0f;
      if ((int)threadIdx.x < steps)
        d = Cfg::delta(ssm_ld(dt, (rowBase + t0 + threadIdx.x) * dt_ld + h) + bias);
      sDt[threadIdx.x] = d;
      sCum[threadIdx.x] = d * aHead;
    }
    __syncthreads();
    if (threadIdx.x == 0)
      for (int tt = 1; tt < L; ++tt)
        sCum[tt] += sCum[tt - 1];
    __syncthreads();
    const float cumEnd = sCum[L - 1];
    for (int i = threadIdx.x; i < L * PT; i += THREADS) {
      const int tt = i / PT, pp = i % PT;
      sXw[tt][pp] = toT(fromT(sX[tt][pp]) * sDt[tt] * __expf(cumEnd - sCum[tt]));
    }
    // M, one 16×8 tile per warp at a time; tiles above the diagonal are 0.
    for (int mt = warp; mt < (L / 16) * (L / 8); mt += WARPS) {
      const int mi = mt / (L / 8), ni = mt % (L / 8);
      float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      if (8 * ni < 16 * (mi + 1))
        ssm_mma_tile<T>(acc, &sC[16 * mi][0], NP, 1, &sB[8 * ni][0], 1, NP, NP);
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int t = 16 * mi + ssm_mma_row(i), s = 8 * ni + ssm_mma_col(i);
        sM[t][s] = toT(s <= t ? acc[i] * __expf(sCum[t] - sCum[s]) * sDt[s] : 0.0f);
      }
    }
    __syncthreads();
    // y for this chunk's rows, one 16×8 tile per warp at a time.
    for (int yt = warp; yt < (L / 16) * (PT / 8); yt += WARPS) {
      const int mi = yt / (PT / 8), ni = yt % (PT / 8);
      float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      ssm_mma_tile<T>(acc, &sC[16 * mi][0], NP, 1, &sS[8 * ni][0], 1, NP, NP);
#pragma unroll
      for (int i = 0; i < 4; ++i)
        acc[i] *= __expf(sCum[16 * mi + ssm_mma_row(i)]);
      // Causal: columns s past the tile's last row are 0 in M.
      ssm_mma_tile<T>(acc, &sM[16 * mi][0], L, 1, &sX[0][8 * ni], PT, 1, 16 * (mi + 1));
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int t = 16 * mi + ssm_mma_row(i), pp = 8 * ni + ssm_mma_col(i);
        if (t >= steps || p0 + pp >= P)
          continue;
        const long long row = rowBase + t0 + t, c = (long long)h * P + p0 + pp;
        float y = acc[i];
        if constexpr (Cfg::has_D)
          y += dHead * fromT(sX[t][pp]);
        if constexpr (Cfg::has_z)
          y *= ssm_silu(ssm_ld(z, row * z_ld + c));
        ssm_st(out, row * out_ld + c, y);
      }
    }
    // The state at the chunk's end.
    const float decay = __expf(cumEnd);
#pragma unroll
    for (int j = 0; j < S_PER_WARP; ++j) {
      const int st = warp + j * WARPS;
      if (st >= S_TILES)
        continue;
      const int mi = st / (NP / 8), ni = st % (NP / 8);
#pragma unroll
      for (int i = 0; i < 4; ++i)
        S[j][i] *= decay;
      ssm_mma_tile<T>(S[j], &sXw[0][16 * mi], 1, PT, &sB[0][8 * ni], NP, 1, L);
    }
    __syncthreads();
  }
  // Padding steps of a shorter sequence produce zeros.
  for (int i = threadIdx.x; i < (seq - len) * PT; i += THREADS) {
    const int pp = i % PT;
    if (p0 + pp < P)
      ssm_st(out, (rowBase + len + i / PT) * out_ld + (long long)h * P + p0 + pp, 0.0f);
  }
#pragma unroll
  for (int j = 0; j < S_PER_WARP; ++j) {
    const int st = warp + j * WARPS;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int p = p0 + stRow(st, i), n = stCol(st, i);
      if (st < S_TILES && p < P && n < NS)
        final_state[stateBase + (long long)p * NS + n] = S[j][i];
    }
  }
}
