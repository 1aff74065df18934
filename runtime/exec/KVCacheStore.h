//===- KVCacheStore.h - every sequence slot's attention caches --*- C++ -*-===//
//
// The keys and values of every attention layer (a KVCache state) for every
// sequence slot, in host memory: per (layer, slot) two token-major arrays
// [capacity, kv_heads·head_dim] and the number of tokens they hold.
//
// A cache grows by doubling its capacity (realloc). Appending a token then
// costs amortized O(1) copies, each sequence pays only for its own length,
// and a kernel sees one head of one sequence's cache as a single strided
// matrix, which is what the BLAS products of attention take. Fixed-size
// blocks (a paged cache) would avoid the copy at each doubling, but would
// cut every product at block boundaries and need a block table per call;
// with one process per model and no cache sharing between sequences the
// doubling is the simpler trade.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_EXEC_KVCACHESTORE_H
#define SSMC_RUNTIME_EXEC_KVCACHESTORE_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"

#include <cstdint>
#include <vector>

namespace ssmrt {

/// One sequence's cache of one attention layer.
struct KVRows {
  float *keys = nullptr, *values = nullptr; ///< [capacity, width] each
  int64_t length = 0, capacity = 0;
};

class KVCacheStore {
public:
  /// Empty caches for the KVCache states of |program| in |slots| slots.
  KVCacheStore(const Program &program, int64_t slots);
  ~KVCacheStore();
  KVCacheStore(const KVCacheStore &) = delete;
  KVCacheStore &operator=(const KVCacheStore &) = delete;

  /// Floats per token of the keys (and of the values) of |state|; 0 for a
  /// state that is not a KV cache.
  int64_t width(size_t state) const { return width_[state]; }
  KVRows &rows(size_t state, int64_t slot) { return rows_[state * slots_ + slot]; }

  /// Room for |tokens| tokens in |slot|'s cache of |state|, keeping what it
  /// holds. Fails, naming the layer and the sizes, when that would take
  /// more memory than the host has available.
  Status reserve(size_t state, int64_t slot, int64_t tokens);
  /// Empties every cache of |slot| (keeping their memory).
  void reset(int64_t slot);

  /// Appends |slot|'s cache of |state| to |out|: its length, then its keys
  /// and its values ([length, width] each).
  void snapshot(size_t state, int64_t slot, std::vector<float> &out) const;
  /// Reads what snapshot() wrote from |data| (|size| floats left), and how
  /// many floats that took into |used|.
  Status restore(size_t state, int64_t slot, const float *data, size_t size, size_t &used);

private:
  std::vector<std::string> names_;
  std::vector<int64_t> width_;
  std::vector<KVRows> rows_; ///< [state][slot]
  int64_t slots_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_KVCACHESTORE_H
