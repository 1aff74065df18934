//===- Attention.h - ssm.attention on the CPU -------------------*- C++ -*-===//
//
// Causal grouped-query attention of a batch of sequences over their KV
// caches, as tiles with an online softmax: the scores of a block of
// queries against 256 keys at a time (a BLAS product), the running
// maximum and sum per query, then the block's values (a second product).
// No [T, T] score matrix is ever formed, so memory does not grow with the
// square of the prompt. Work items are (sequence, head, 64 queries) in a
// prefill and (sequence, KV head) in decode, where the query heads that
// share a KV head are one block; threads take them largest first.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_ATTENTION_H
#define SSMC_RUNTIME_CPU_ATTENTION_H

#include "runtime/cpu/ThreadPool.h"

#include <cstdint>
#include <vector>

namespace ssmrt {

struct AttentionShape {
  int64_t heads = 1, kvHeads = 1, headDim = 1;
  float scale = 1.0f;
  bool causal = true;
  /// Rotary embedding base (rotate-half form); 0 for none.
  double ropeTheta = 0.0;
};

/// One sequence of a call.
struct AttentionSequence {
  const float *q = nullptr; ///< [len, heads·head_dim] rows, ldq apart
  float *out = nullptr;     ///< [len, heads·head_dim] rows, ldo apart
  int64_t ldq = 0, ldo = 0;
  /// The cache rows [cached + len, kv_heads·head_dim] with this call's keys
  /// (already rotated) and values appended.
  const float *keys = nullptr, *values = nullptr;
  int64_t cached = 0, len = 0;
};

/// Rotates the head vector |v| (|headDim| floats, even) to position |pos|.
void applyRope(float *v, int64_t headDim, int64_t pos, double theta);

class Attention {
public:
  /// out = softmax(q·kᵀ·scale)·v for every query row of |sequences|.
  void run(ThreadPool &pool, const AttentionShape &shape,
           const std::vector<AttentionSequence> &sequences);

private:
  struct Item {
    int32_t sequence, head; ///< a query head, or a KV head for a group
    int64_t first, rows;    ///< query rows (tokens), or 0 and the group size
    int64_t cost;
  };
  void runItem(const AttentionShape &shape, const AttentionSequence &s, const Item &item);
  std::vector<Item> items_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_ATTENTION_H
