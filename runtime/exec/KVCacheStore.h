//===- KVCacheStore.h - every sequence slot's attention caches --*- C++ -*-===//
//
// The keys and values of every attention layer (a KVCache state) for every
// sequence slot, in the memory the executor's kernels read (host or device,
// behind StateMemory): per (layer, slot) two token-major arrays [capacity,
// kv_heads·head_dim] of one element type (f32 on the CPU, the GPU's
// activation type there) and the number of tokens they hold.
//
// A cache grows by doubling its capacity (a new allocation and one copy).
// Appending a token then costs amortized O(1) copies, each sequence pays
// only for its own length, and a kernel sees one head of one sequence's
// cache as a single strided matrix, which is what the BLAS products of
// attention take. Fixed-size blocks (a paged cache) would avoid the copy at
// each doubling, but would cut every product at block boundaries and need
// a block table per call; with one process per model and no cache sharing
// between sequences the doubling is the simpler trade.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_EXEC_KVCACHESTORE_H
#define SSMC_RUNTIME_EXEC_KVCACHESTORE_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/exec/StateMemory.h"

#include <cstdint>
#include <vector>

namespace ssmrt {

/// One sequence's cache of one attention layer.
struct KVRows {
  uint64_t keys = 0, values = 0; ///< [capacity, width] each (addresses)
  int64_t length = 0, capacity = 0;
  /// The arrays as pointers, for caches in host memory.
  float *hostKeys() const { return reinterpret_cast<float *>(keys); }
  float *hostValues() const { return reinterpret_cast<float *>(values); }
};

class KVCacheStore {
public:
  /// Empty caches for the KVCache states of |program| in |slots| slots,
  /// in |memory|, with elements of |element| (F32, BF16 or F16).
  KVCacheStore(const Program &program, int64_t slots, StateMemory &memory,
               ValueType element = ValueType::F32);
  ~KVCacheStore();
  KVCacheStore(const KVCacheStore &) = delete;
  KVCacheStore &operator=(const KVCacheStore &) = delete;

  /// Elements per token of the keys (and of the values) of |state|; 0 for
  /// a state that is not a KV cache.
  int64_t width(size_t state) const { return width_[state]; }
  ValueType element() const { return element_; }
  KVRows &rows(size_t state, int64_t slot) { return rows_[state * slots_ + slot]; }

  /// Room for |tokens| tokens in |slot|'s cache of |state|, keeping what it
  /// holds. Fails, naming the layer and the sizes, when that would take
  /// more memory than is available (StateMemory::available()) or the
  /// allocation fails.
  Status reserve(size_t state, int64_t slot, int64_t tokens);
  /// Empties every cache of |slot| (keeping their memory).
  void reset(int64_t slot);

  /// Appends |slot|'s cache of |state| to |out|: its length, then its keys
  /// and its values ([length, width] each, as floats).
  Status snapshot(size_t state, int64_t slot, std::vector<float> &out) const;
  /// Reads what snapshot() wrote from |data| (|size| floats left), and how
  /// many floats that took into |used|.
  Status restore(size_t state, int64_t slot, const float *data, size_t size, size_t &used);

private:
  /// |n| elements at |address| as floats appended to |out|, and back.
  Status download(uint64_t address, size_t n, std::vector<float> &out) const;
  Status upload(uint64_t address, const float *data, size_t n);

  StateMemory &memory_;
  ValueType element_;
  size_t elementBytes_;
  std::vector<std::string> names_;
  std::vector<int64_t> width_;
  std::vector<KVRows> rows_; ///< [state][slot]
  int64_t slots_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_KVCACHESTORE_H
