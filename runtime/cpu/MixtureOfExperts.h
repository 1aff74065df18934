//===- MixtureOfExperts.h - ssm.moe on the CPU ------------------*- C++ -*-===//
//
// The sparse mixture-of-experts block (Jamba, Mixtral): router logits in
// f32 and their softmax; each token's top-k experts (ties to the lower
// index, as the reference); weights p_e, or p_e / Σ_topk p with
// renormalize (Mixtral; Jamba does not). Tokens are then grouped by expert,
// so that every expert runs its gate, up and down projections as matrix
// products over just its tokens (BLAS for many, the bandwidth-bound kernel
// for the few of a decode step), and
//   y = Σ_e w_e · down_e(silu(gate_e · x) ∘ (up_e · x)).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_MIXTUREOFEXPERTS_H
#define SSMC_RUNTIME_CPU_MIXTUREOFEXPERTS_H

#include "runtime/cpu/ParallelMatmul.h"
#include "runtime/cpu/ThreadPool.h"

#include <cstdint>
#include <vector>

namespace ssmrt {

struct MoEExpert {
  WeightMatrix gate, up, down; ///< [inter, width], [inter, width], [width, inter]
  int64_t inter;
};

struct MoEWeights {
  const float *router; ///< [experts, width], always f32 (routing decisions)
  std::vector<MoEExpert> experts;
  int64_t width = 0, topK = 1;
  bool renormalize = false;
};

class MixtureOfExperts {
public:
  /// Scratch for calls of up to |maxRows| token rows of |w|'s shapes; run()
  /// allocates nothing after this.
  void prepare(const MoEWeights &w, int64_t maxRows);
  /// y[r] = the block applied to x[r] for r < rows (rows <= maxRows).
  void run(ThreadPool &pool, const MoEWeights &w, const float *x, int64_t ldx, int64_t rows,
           float *y, int64_t ldy);

private:
  std::vector<float> logits_, gathered_, gate_, up_, down_;
  std::vector<int32_t> chosen_, count_, order_;
  std::vector<float> weight_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_MIXTUREOFEXPERTS_H
