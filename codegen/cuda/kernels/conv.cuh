//===- conv.cuh - causal depthwise conv1d with carried state ----*- CUDA -*-===//
//
// Block (channel block, time block, b): Cfg::channels threads, one channel
// each, walking Cfg::time consecutive steps with the K-tap window in
// registers. The first K-1 window entries come from earlier steps of the
// same sequence, or from the conv state before step 0. The final state (the
// last K-1 inputs, shifted by the sequence length) is written by the thread
// of time block 0, the only one that reads the old state, so the update can
// be in place (state and final_state may alias). Steps at or past a
// sequence's length are not computed. Cfg::epilogue is what fusion applied to
// the result (SiLU, or nothing).
//
// Cfg: width, k, channels, time, has_bias, has_state, has_lens, epilogue(acc);
// x_t, weight_t, bias_t, lens_t, out_t (states are f32).
//
//===----------------------------------------------------------------------===//

template <typename Cfg>
__device__ __forceinline__ void
ssm_causal_conv1d(const typename Cfg::x_t *__restrict__ x, long long x_ld,
                  const typename Cfg::weight_t *__restrict__ weight, long long,
                  const typename Cfg::bias_t *__restrict__ bias, long long, const float *state,
                  long long, const typename Cfg::lens_t *__restrict__ lens, long long,
                  typename Cfg::out_t *__restrict__ out, long long out_ld, float *final_state,
                  long long, int batch, int seq) {
  constexpr int K = Cfg::k;
  static_assert(Cfg::time >= K - 1, "a time block must cover the conv history");
  const int c = blockIdx.x * Cfg::channels + threadIdx.x;
  if (c >= Cfg::width)
    return;
  const int b = blockIdx.z, t0 = blockIdx.y * Cfg::time;
  int len = seq;
  if constexpr (Cfg::has_lens)
    len = lens[b];
  const long long rowBase = (long long)b * seq;
  float wk[K], win[K], old[K > 1 ? K - 1 : 1];
#pragma unroll
  for (int k = 0; k < K; ++k)
    wk[k] = ssm_ld(weight, c * K + k);
  float bias0 = 0.0f;
  if constexpr (Cfg::has_bias)
    bias0 = ssm_ld(bias, c);
#pragma unroll
  for (int j = 0; j < K - 1; ++j) {
    old[j] = 0.0f;
    if constexpr (Cfg::has_state)
      old[j] = blockIdx.y == 0 ? state[((long long)b * (K - 1) + j) * Cfg::width + c] : 0.0f;
  }
  // old[i] by a run-time i without indexing registers dynamically.
  auto oldAt = [&](int i) {
    float v = 0.0f;
#pragma unroll
    for (int q = 0; q < K - 1; ++q)
      v = q == i ? old[q] : v;
    return v;
  };
  // win[k] holds the input at step t - (K - 1) + k.
#pragma unroll
  for (int k = 1; k < K; ++k) {
    const int p = t0 - K + k;
    win[k] = p >= 0 ? (p < len ? ssm_ld(x, (rowBase + p) * x_ld + c) : 0.0f) : oldAt(K - 1 + p);
  }
  const int end = min(t0 + Cfg::time, len);
  for (int t = t0; t < end; ++t) {
#pragma unroll
    for (int k = 0; k < K - 1; ++k)
      win[k] = win[k + 1];
    win[K - 1] = ssm_ld(x, (rowBase + t) * x_ld + c);
    float acc = bias0;
#pragma unroll
    for (int k = 0; k < K; ++k)
      acc = fmaf(wk[k], win[k], acc);
    ssm_st(out, (rowBase + t) * out_ld + c, Cfg::epilogue(acc));
  }
  if (blockIdx.y != 0)
    return;
#pragma unroll
  for (int j = 0; j < K - 1; ++j) {
    const int p = len - (K - 1) + j;
    final_state[((long long)b * (K - 1) + j) * Cfg::width + c] =
        p >= 0 ? ssm_ld(x, (rowBase + p) * x_ld + c) : oldAt(j + len);
  }
}
