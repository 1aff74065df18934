//===- rows.cuh - kernels with one block per token row ----------*- CUDA -*-===//
//
// The embedding gather, RMSNorm (with the residual add of add_rmsnorm), the
// gated RMSNorm and elementwise ops: block r handles token row r; its Cfg::threads threads
// stride over the row.
//
// Every kernel of this folder is a template over a configuration struct Cfg
// that the emitter writes for one op (codegen/cuda/CUDAKernelWriter.h): the
// shapes and tile sizes as constants, an element type NAME_t and a flag
// has_NAME per argument (absent optional arguments arrive as null), and the
// code that fusion decided (here: the elementwise expression). Arguments
// come as (pointer, leading dimension); the leading dimension is the row
// stride of an activation and 0 for anything else.
//
//===----------------------------------------------------------------------===//

// Cfg: width, threads; table_t, ids_t, out_t.
template <typename Cfg>
__device__ __forceinline__ void
ssm_embedding(const typename Cfg::table_t *__restrict__ table, long long,
              const typename Cfg::ids_t *__restrict__ ids, long long,
              typename Cfg::out_t *__restrict__ out, long long out_ld, int batch, int seq) {
  const long long row = blockIdx.x;
  const long long id = ids[row];
  for (int d = threadIdx.x; d < Cfg::width; d += Cfg::threads)
    ssm_st(out, row * out_ld + d, ssm_ld(table, id * Cfg::width + d));
}

// RMSNorm of each row, x + residual first when Cfg::has_residual (the sum is
// stored too). The row stays in registers (PER values per thread) between
// the sum of squares and the scaling.
// Cfg: width, threads, eps, has_residual; x_t, residual_t, weight_t, out_t, sum_t.
template <typename Cfg>
__device__ __forceinline__ void
ssm_rmsnorm(const typename Cfg::x_t *__restrict__ x, long long x_ld,
            const typename Cfg::residual_t *__restrict__ residual, long long residual_ld,
            const typename Cfg::weight_t *__restrict__ weight, long long,
            typename Cfg::out_t *__restrict__ out, long long out_ld,
            typename Cfg::sum_t *__restrict__ sum, long long sum_ld, int batch, int seq) {
  constexpr int PER = (Cfg::width + Cfg::threads - 1) / Cfg::threads;
  __shared__ float red[Cfg::threads];
  const long long row = blockIdx.x;
  float v[PER];
  float squares = 0.0f;
#pragma unroll
  for (int i = 0; i < PER; ++i) {
    const int d = threadIdx.x + i * Cfg::threads;
    v[i] = 0.0f;
    if (d < Cfg::width) {
      v[i] = ssm_ld(x, row * x_ld + d);
      if constexpr (Cfg::has_residual) {
        v[i] += ssm_ld(residual, row * residual_ld + d);
        ssm_st(sum, row * sum_ld + d, v[i]);
      }
    }
    squares += v[i] * v[i];
  }
  const float scale = rsqrtf(ssm_block_sum<Cfg::threads>(squares, red) / Cfg::width + Cfg::eps);
#pragma unroll
  for (int i = 0; i < PER; ++i) {
    const int d = threadIdx.x + i * Cfg::threads;
    if (d < Cfg::width)
      ssm_st(out, row * out_ld + d, v[i] * scale * ssm_ld(weight, d));
  }
}

// Gated RMSNorm (Mamba-2): RMSNorm per group of GROUP features of x·silu(z)
// (Cfg::gate_first, norm_before_gate false), or of x then gated; the row
// stays in registers, one block sum per group.
// Cfg: width, group, threads, eps, gate_first; x_t, z_t, weight_t, out_t.
template <typename Cfg>
__device__ __forceinline__ void
ssm_gated_rmsnorm(const typename Cfg::x_t *__restrict__ x, long long x_ld,
                  const typename Cfg::z_t *__restrict__ z, long long z_ld,
                  const typename Cfg::weight_t *__restrict__ weight, long long,
                  typename Cfg::out_t *__restrict__ out, long long out_ld, int batch, int seq) {
  constexpr int PER = (Cfg::width + Cfg::threads - 1) / Cfg::threads;
  constexpr int GROUPS = Cfg::width / Cfg::group;
  __shared__ float red[Cfg::threads];
  const long long row = blockIdx.x;
  float v[PER], gate[PER], scale[PER];
#pragma unroll
  for (int i = 0; i < PER; ++i) {
    const int d = threadIdx.x + i * Cfg::threads;
    v[i] = 0.0f;
    gate[i] = 1.0f;
    if (d < Cfg::width) {
      v[i] = ssm_ld(x, row * x_ld + d);
      const float g = ssm_silu(ssm_ld(z, row * z_ld + d));
      if (Cfg::gate_first)
        v[i] *= g;
      else
        gate[i] = g;
    }
  }
  for (int grp = 0; grp < GROUPS; ++grp) {
    float squares = 0.0f;
#pragma unroll
    for (int i = 0; i < PER; ++i)
      if ((int)(threadIdx.x + i * Cfg::threads) / Cfg::group == grp)
        squares += v[i] * v[i];
    const float s = rsqrtf(ssm_block_sum<Cfg::threads>(squares, red) / Cfg::group + Cfg::eps);
#pragma unroll
    for (int i = 0; i < PER; ++i)
      if ((int)(threadIdx.x + i * Cfg::threads) / Cfg::group == grp)
        scale[i] = s;
  }
#pragma unroll
  for (int i = 0; i < PER; ++i) {
    const int d = threadIdx.x + i * Cfg::threads;
    if (d < Cfg::width)
      ssm_st(out, row * out_ld + d, v[i] * scale[i] * ssm_ld(weight, d) * gate[i]);
  }
}

// out = Cfg::apply(lhs, rhs) per element; rhs is a token row of its own when
// Cfg::rhs_is_row, else a [width] vector; unary ops have no rhs (Cfg::has_rhs
// false, apply's second argument 0).
// Cfg: width, threads, has_rhs, rhs_is_row, apply(a, b); lhs_t, rhs_t, out_t.
template <typename Cfg>
__device__ __forceinline__ void
ssm_elementwise(const typename Cfg::lhs_t *__restrict__ lhs, long long lhs_ld,
                const typename Cfg::rhs_t *__restrict__ rhs, long long rhs_ld,
                typename Cfg::out_t *__restrict__ out, long long out_ld, int batch, int seq) {
  const long long row = blockIdx.x;
  for (int d = threadIdx.x; d < Cfg::width; d += Cfg::threads) {
    const float a = ssm_ld(lhs, row * lhs_ld + d);
    float b = 0.0f;
    if constexpr (Cfg::has_rhs)
      b = ssm_ld(rhs, Cfg::rhs_is_row ? row * rhs_ld + d : (long long)d);
    ssm_st(out, row * out_ld + d, Cfg::apply(a, b));
  }
}
