//===- attention.cuh - causal grouped-query attention over KV caches -*- CUDA -*-===//
//
// The query rows of a batch of sequences against their KV caches: token-
// major rows [cached + len, kv_heads · head_dim] at keys[b] and values[b],
// with room for this call's rows. Keys before cached[b] come from the
// cache, this call's from the k and v activations, which the blocks also
// append to the cache (each block the rows of its own tokens and KV head,
// so no block reads what another writes). Query t of sequence b sits at
// position cached[b] + t and sees keys 0 .. that position (all cached + len
// keys when not causal); query head h reads KV head h / (heads / kv_heads). An online softmax keeps a running maximum m
// and sum l per query, rescaled as each tile of keys comes in, so no [T, T]
// score matrix ever exists. Query rows past a sequence's length (and
// before seq) are written as zeros.
//
// ssm_attention_mma (16-bit T, head_dim a multiple of 16 up to 128, sm_80):
//   block (head, 64-query tile, b) of 4 warps, warp w owning 16
//   queries with their Q fragments in registers; per tile of 64 keys
//   staged in shared memory, S = Q·Kᵀ and O += P·V on tensor cores (P
//   rounded to T), f32 accumulation, scale applied to S in f32.
// ssm_attention_rows (any T and head_dim; decode, f32 and the rest):
//   block (kv head, QTOK-token tile + tiles · split, b): the QTOK tokens × GROUP
//   query heads that share the KV head are the block's rows, spread over
//   its warps; per tile of 32 keys staged in shared memory, lane j scores
//   key j against each row, and lane c owns output columns c, c + 32, ...
//   of P·V. With more than one split, each takes a slice of the keys and
//   writes (m, l, unnormalized O) to the workspace; the last split of a
//   block's rows to finish (an atomic count) merges the slices
//   (flash-decoding: a long cache is spread over many blocks). Workspace
//   after the 64 words every kernel's starts with: a counter per (b, kv
//   head, tile), then (D + 2) floats per (token row, head, split).
//
// Cfg: T, heads, kv_heads, head_dim, threads, causal, scale; qtok (rows).
//
//===----------------------------------------------------------------------===//

// Key (or value) row j of sequence b's KV head at column d: the cache's
// before |past|, this call's activation row after.
template <typename T>
__device__ __forceinline__ const T *ssm_kv_row(const T *cache, const T *act, long long act_ld,
                                               long long j, long long past, int b, int seq,
                                               int kvCol, int width) {
  return j < past ? cache + j * width + kvCol : act + ((long long)b * seq + j - past) * act_ld + kvCol;
}

// Appends tokens [t0, t0 + count) of sequence b (those before len) to its
// caches, columns [kvCol, kvCol + D).
template <typename T, int D, int THREADS>
__device__ __forceinline__ void ssm_kv_append(T *kc, T *vc, const T *k, long long k_ld, const T *v,
                                              long long v_ld, int b, int seq, long long past,
                                              int t0, int count, int len, int kvCol, int width) {
  for (int i = threadIdx.x; i < count * D; i += THREADS) {
    const int t = t0 + i / D, d = i % D;
    if (t < len) {
      const long long row = (long long)b * seq + t;
      kc[(past + t) * width + kvCol + d] = k[row * k_ld + kvCol + d];
      vc[(past + t) * width + kvCol + d] = v[row * v_ld + kvCol + d];
    }
  }
}

// What a block of queries [t0, t0 + count) of sequence b sees: the
// sequence's tokens this call (len), those already cached (past), the
// block's query rows before len (qrows) and the end of the keys they attend
// to (kEnd: causal, up to the last query's position; else all).
struct SsmAttentionSpan {
  int len, qrows;
  long long past, kEnd;
};
template <bool CAUSAL>
__device__ __forceinline__ SsmAttentionSpan ssm_attention_span(const int *cached, const int *lens,
                                                               int b, int seq, int t0, int count) {
  SsmAttentionSpan s;
  s.len = min(max(lens[b], 0), seq);
  s.past = cached[b];
  s.qrows = max(0, min(count, s.len - t0));
  s.kEnd = s.qrows == 0 ? 0 : CAUSAL ? s.past + t0 + s.qrows : s.past + s.len;
  return s;
}

template <typename Cfg>
__device__ __forceinline__ void ssm_attention_mma(
    const typename Cfg::T *__restrict__ q, long long q_ld, const typename Cfg::T *__restrict__ k,
    long long k_ld, const typename Cfg::T *__restrict__ v, long long v_ld,
    typename Cfg::T *const *__restrict__ keys, typename Cfg::T *const *__restrict__ values,
    const int *__restrict__ cached, const int *__restrict__ lens, typename Cfg::T *__restrict__ out,
    long long out_ld, int batch, int seq) {
  using T = typename Cfg::T;
  constexpr int D = Cfg::head_dim, G = Cfg::heads / Cfg::kv_heads, KW = Cfg::kv_heads * D;
  constexpr int WARPS = 4, QT = 16 * WARPS, KT = 64, KS = D + 8, PS = KT + 8;
  static_assert(D % 16 == 0 && D <= 128 && Cfg::threads == 32 * WARPS && Cfg::qtok == QT,
                "head_dim a multiple of 16 up to 128, 128 threads, 64 queries");
  __shared__ unsigned short sK[KT][KS], sV[KT][KS], sP[WARPS][16][PS];
  const int h = blockIdx.x, t0 = blockIdx.y * QT, b = blockIdx.z;
  const int kvh = h / G, warp = threadIdx.x / 32, wt0 = t0 + 16 * warp;
  const SsmAttentionSpan span = ssm_attention_span<Cfg::causal>(cached, lens, b, seq, t0, QT);
  const int len = span.len;
  const long long past = span.past, kEnd = span.kEnd;
  if (h % G == 0)
    ssm_kv_append<T, D, Cfg::threads>(keys[b], values[b], k, k_ld, v, v_ld, b, seq, past, t0, QT,
                                      len, kvh * D, KW);

  // Q through shared memory (zero past the sequence), then into fragments.
  for (int i = threadIdx.x; i < QT * D; i += Cfg::threads) {
    const int r = i / D, d = i % D;
    sK[r][d] = t0 + r < len ? q[((long long)b * seq + t0 + r) * q_ld + (long long)h * D + d].bits
                            : (unsigned short)0;
  }
  __syncthreads();
  unsigned qf[D / 16][4];
#pragma unroll
  for (int k = 0; k < D / 16; ++k)
    ssm_mma_a(qf[k], &sK[16 * warp][16 * k], KS, 1);

  float o[D / 8][4], m[2] = {ssm_neg_inf(), ssm_neg_inf()}, l[2] = {0.0f, 0.0f};
#pragma unroll
  for (int n = 0; n < D / 8; ++n)
    o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.0f;
  // The warp's last query position: key tiles past it are skipped.
  const long long warpLast = past + min(wt0 + 15, len - 1);
  const bool warpRows = wt0 < len;

  for (long long k0 = 0; k0 < kEnd; k0 += KT) {
    __syncthreads();
    for (int i = threadIdx.x; i < KT * D; i += Cfg::threads) {
      const int j = i / D, d = i % D;
      const bool in = k0 + j < kEnd;
      sK[j][d] = in ? ssm_kv_row(keys[b], k, k_ld, k0 + j, past, b, seq, kvh * D, KW)[d].bits
                    : (unsigned short)0;
      sV[j][d] = in ? ssm_kv_row(values[b], v, v_ld, k0 + j, past, b, seq, kvh * D, KW)[d].bits
                    : (unsigned short)0;
    }
    __syncthreads();
    if (!warpRows || (Cfg::causal && k0 > warpLast))
      continue; // warp-uniform
    float s[KT / 8][4];
#pragma unroll
    for (int n = 0; n < KT / 8; ++n) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.0f;
#pragma unroll
      for (int k = 0; k < D / 16; ++k) {
        unsigned fb[2];
        ssm_mma_b(fb, &sK[8 * n][16 * k], 1, KS);
        ssm_mma16816<T>(s[n], qf[k], fb);
      }
    }
    float mx[2] = {ssm_neg_inf(), ssm_neg_inf()};
#pragma unroll
    for (int n = 0; n < KT / 8; ++n)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const long long key = k0 + 8 * n + ssm_mma_col(i);
        const int t = wt0 + ssm_mma_row(i);
        const bool seen = key < kEnd && t < len && (!Cfg::causal || key <= past + t);
        s[n][i] = seen ? s[n][i] * Cfg::scale : ssm_neg_inf();
        mx[i / 2] = fmaxf(mx[i / 2], s[n][i]);
      }
    float corr[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      // The four lanes of a quad hold a row's 64 scores between them.
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
      const float mNew = fmaxf(m[r], mx[r]);
      corr[r] = mNew == ssm_neg_inf() ? 1.0f : __expf(m[r] - mNew);
      m[r] = mNew;
      l[r] *= corr[r];
    }
#pragma unroll
    for (int n = 0; n < KT / 8; ++n)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float p = s[n][i] == ssm_neg_inf() ? 0.0f : __expf(s[n][i] - m[i / 2]);
        l[i / 2] += p;
        sP[warp][ssm_mma_row(i)][8 * n + ssm_mma_col(i)] = ssm_from_float<T>(p).bits;
      }
#pragma unroll
    for (int n = 0; n < D / 8; ++n)
#pragma unroll
      for (int i = 0; i < 4; ++i)
        o[n][i] *= corr[i / 2];
    __syncwarp();
#pragma unroll
    for (int n = 0; n < D / 8; ++n)
#pragma unroll
      for (int k = 0; k < KT / 16; ++k) {
        unsigned fa[4], fb[2];
        ssm_mma_a(fa, &sP[warp][0][16 * k], PS, 1);
        ssm_mma_b(fb, &sV[16 * k][8 * n], KS, 1);
        ssm_mma16816<T>(o[n], fa, fb);
      }
    __syncwarp();
  }
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 1);
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 2);
  }
#pragma unroll
  for (int n = 0; n < D / 8; ++n)
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int t = wt0 + ssm_mma_row(i);
      if (t < seq) {
        const float v = t < len && l[i / 2] > 0.0f ? o[n][i] / l[i / 2] : 0.0f;
        ssm_st(out, ((long long)b * seq + t) * out_ld + (long long)h * D + 8 * n + ssm_mma_col(i),
               v);
      }
    }
}

template <typename Cfg>
__device__ __forceinline__ void ssm_attention_rows(
    const typename Cfg::T *__restrict__ q, long long q_ld, const typename Cfg::T *__restrict__ k,
    long long k_ld, const typename Cfg::T *__restrict__ v, long long v_ld,
    typename Cfg::T *const *__restrict__ keys, typename Cfg::T *const *__restrict__ values,
    const int *__restrict__ cached, const int *__restrict__ lens, typename Cfg::T *__restrict__ out,
    long long out_ld, float *__restrict__ workspace, int batch, int seq) {
  constexpr int D = Cfg::head_dim, G = Cfg::heads / Cfg::kv_heads, KW = Cfg::kv_heads * D;
  constexpr int QTOK = Cfg::qtok, ROWS = QTOK * G, WARPS = Cfg::threads / 32;
  constexpr int R = (ROWS + WARPS - 1) / WARPS, KT = 32, DL = (D + 31) / 32;
  __shared__ float sQ[ROWS][D], sK[KT][D + 1], sS[WARPS][R][KT], sP[WARPS][R][KT];
  const int qTiles = (seq + QTOK - 1) / QTOK, splits = gridDim.y / qTiles;
  const int kvh = blockIdx.x, tile = blockIdx.y % qTiles, split = blockIdx.y / qTiles;
  const int t0 = tile * QTOK, b = blockIdx.z;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const SsmAttentionSpan span = ssm_attention_span<Cfg::causal>(cached, lens, b, seq, t0, QTOK);
  const int len = span.len;
  const long long past = span.past, kEnd = span.kEnd;
  // This split's slice of the keys, whole tiles.
  const long long slice = ((kEnd + splits - 1) / splits + KT - 1) / KT * KT;
  const long long kBegin = min(kEnd, (long long)split * slice);
  const long long kStop = min(kEnd, kBegin + slice);
  if (split == 0)
    ssm_kv_append<typename Cfg::T, D, Cfg::threads>(keys[b], values[b], k, k_ld, v, v_ld, b, seq,
                                                    past, t0, QTOK, len, kvh * D, KW);

  // Row r: token t0 + r / G, query head kvh · G + r % G (scaled here).
  for (int i = threadIdx.x; i < ROWS * D; i += Cfg::threads) {
    const int r = i / D, d = i % D, t = t0 + r / G, h = kvh * G + r % G;
    sQ[r][d] = t < len ? ssm_ld(q, ((long long)b * seq + t) * q_ld + (long long)h * D + d) * Cfg::scale
                       : 0.0f;
  }
  float m[R], l[R], o[R][DL];
#pragma unroll
  for (int i = 0; i < R; ++i) {
    m[i] = ssm_neg_inf();
    l[i] = 0.0f;
#pragma unroll
    for (int c = 0; c < DL; ++c)
      o[i][c] = 0.0f;
  }
  for (long long k0 = kBegin; k0 < kStop; k0 += KT) {
    __syncthreads();
    for (int i = threadIdx.x; i < KT * D; i += Cfg::threads) {
      const int j = i / D, d = i % D;
      sK[j][d] = k0 + j < kStop
                     ? ssm_to_float(ssm_kv_row(keys[b], k, k_ld, k0 + j, past, b, seq, kvh * D, KW)[d])
                     : 0.0f;
    }
    __syncthreads();
    const long long key = k0 + lane;
#pragma unroll
    for (int i = 0; i < R; ++i) {
      const int r = warp + WARPS * i, t = t0 + r / G;
      float s = ssm_neg_inf();
      if (r < ROWS && t < len && key < kStop && (!Cfg::causal || key <= past + t)) {
        s = 0.0f;
        for (int d = 0; d < D; ++d)
          s += sQ[r][d] * sK[lane][d];
      }
      sS[warp][i][lane] = s;
    }
    __syncwarp();
#pragma unroll
    for (int i = 0; i < R; ++i) {
      float mx = m[i];
      for (int j = 0; j < KT; ++j)
        mx = fmaxf(mx, sS[warp][i][j]);
      const float s = sS[warp][i][lane];
      const float corr = mx == ssm_neg_inf() ? 1.0f : __expf(m[i] - mx);
      const float p = s == ssm_neg_inf() ? 0.0f : __expf(s - mx);
      m[i] = mx;
      l[i] = l[i] * corr + p;
#pragma unroll
      for (int c = 0; c < DL; ++c)
        o[i][c] *= corr;
      sP[warp][i][lane] = p;
    }
    __syncwarp();
    const int keysHere = (int)min((long long)KT, kStop - k0);
    for (int j = 0; j < keysHere; ++j) {
      const typename Cfg::T *vrow =
          ssm_kv_row(values[b], v, v_ld, k0 + j, past, b, seq, kvh * D, KW);
#pragma unroll
      for (int c = 0; c < DL; ++c) {
        const int d = lane + 32 * c;
        if (d < D) {
          const float vv = ssm_to_float(vrow[d]);
#pragma unroll
          for (int i = 0; i < R; ++i)
            o[i][c] += sP[warp][i][j] * vv;
        }
      }
    }
  }
  unsigned *counters = reinterpret_cast<unsigned *>(workspace + 64);
  float *partial = workspace + 64 + batch * gridDim.x * qTiles;
  // Each lane summed p over its own keys: add the lanes' sums up.
#pragma unroll
  for (int i = 0; i < R; ++i)
    sS[warp][i][lane] = l[i];
  __syncwarp();
#pragma unroll
  for (int i = 0; i < R; ++i) {
    const int r = warp + WARPS * i, t = t0 + r / G, h = kvh * G + r % G;
    if (r >= ROWS || t >= seq)
      continue;
    const long long row = (long long)b * seq + t;
    if (t >= len) {
      if (split == 0)
        for (int d = lane; d < D; d += 32)
          ssm_st(out, row * out_ld + (long long)h * D + d, 0.0f);
      continue;
    }
    float sum = 0.0f;
    for (int j = 0; j < 32; ++j)
      sum += sS[warp][i][j];
    if (splits == 1) {
#pragma unroll
      for (int c = 0; c < DL; ++c)
        if (lane + 32 * c < D)
          ssm_st(out, row * out_ld + (long long)h * D + lane + 32 * c,
                 sum > 0.0f ? o[i][c] / sum : 0.0f);
    } else {
      float *part = partial + ((row * Cfg::heads + h) * splits + split) * (D + 2);
      if (lane == 0) {
        part[0] = m[i];
        part[1] = sum;
      }
#pragma unroll
      for (int c = 0; c < DL; ++c)
        if (lane + 32 * c < D)
          part[2 + lane + 32 * c] = o[i][c];
    }
  }
  if (splits == 1)
    return;
  // The last split to finish merges them all (threadfence-reduction).
  __shared__ int sLast;
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) {
    unsigned *counter = counters + ((long long)b * gridDim.x + kvh) * qTiles + tile;
    sLast = atomicAdd(counter, 1u) == splits - 1;
    if (sLast)
      atomicExch(counter, 0u); // ready for the next launch
  }
  __syncthreads();
  if (!sLast)
    return;
  __threadfence();
  for (int r = warp; r < ROWS; r += WARPS) {
    const int t = t0 + r / G, h = kvh * G + r % G;
    if (t >= len)
      continue;
    const long long row = (long long)b * seq + t;
    // __ldcg: the other blocks' slices, past this SM's L1.
    const float *part = partial + (row * Cfg::heads + h) * splits * (D + 2);
    float mx = ssm_neg_inf();
    for (int s = 0; s < splits; ++s)
      mx = fmaxf(mx, __ldcg(part + s * (D + 2)));
    float sum = 0.0f;
    for (int s = 0; s < splits; ++s) {
      const float ms = __ldcg(part + s * (D + 2));
      if (ms != ssm_neg_inf())
        sum += __expf(ms - mx) * __ldcg(part + s * (D + 2) + 1);
    }
    for (int d = lane; d < D; d += 32) {
      float o = 0.0f;
      for (int s = 0; s < splits; ++s) {
        const float ms = __ldcg(part + s * (D + 2));
        if (ms != ssm_neg_inf())
          o += __expf(ms - mx) * __ldcg(part + s * (D + 2) + 2 + d);
      }
      ssm_st(out, row * out_ld + (long long)h * D + d, sum > 0.0f ? o / sum : 0.0f);
    }
  }
}
