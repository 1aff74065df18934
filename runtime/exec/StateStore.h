//===- StateStore.h - every sequence slot's recurrent state -----*- C++ -*-===//
//
// The state of each sequence slot, per state of the program, in the memory
// the executor's kernels read (host or device, behind StateMemory): a
// [slots, per-sequence floats] array per state, plus the room to gather the
// states of a batch whose slots are not consecutive. Both executors keep
// their states here; a call reads them in place when its slots are
// consecutive. Attention layers' KV caches, whose size grows with each
// sequence, are kept apart (KVCacheStore), in the same memory.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_EXEC_STATESTORE_H
#define SSMC_RUNTIME_EXEC_STATESTORE_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/exec/KVCacheStore.h"
#include "runtime/exec/StateMemory.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt {

class StateStore {
public:
  /// Room for |slots| sequences of every state of |program| in |memory|.
  /// KV caches hold |kvElement| values (F32, BF16 or F16).
  static StatusOr<std::unique_ptr<StateStore>> create(const Program &program, int64_t slots,
                                                      std::unique_ptr<StateMemory> memory,
                                                      ValueType kvElement = ValueType::F32);
  ~StateStore();

  /// Floats per sequence, per state of the program (0 for a KV cache).
  const std::vector<int64_t> &sizes() const { return sizes_; }
  KVCacheStore &kvCaches() { return *kv_; }

  /// The addresses of the states |function| reads (its inputs[2..]) for a
  /// call on |slots| (distinct, in range): in place when the slots are
  /// consecutive, else gathered into scratch room; scatter() writes those
  /// back after the call. Allocates nothing once |addresses| has grown. A
  /// KV cache input gets address 0: kernels reach it through kvCaches().
  Status gather(const Function &function, const std::vector<int64_t> &slots,
                std::vector<uint64_t> &addresses);
  Status scatter(const Function &function, const std::vector<int64_t> &slots);

  Status reset(int64_t slot);
  /// A slot's states, concatenated in program order (a KV cache as its token
  /// count, keys and values), and writing them back.
  StatusOr<std::vector<float>> snapshot(int64_t slot);
  Status restore(int64_t slot, const std::vector<float> &state);

private:
  explicit StateStore(std::unique_ptr<StateMemory> memory) : memory_(std::move(memory)) {}
  uint64_t slotAddress(size_t state, int64_t slot) const {
    return states_[state] + static_cast<uint64_t>(slot * sizes_[state]) * sizeof(float);
  }
  static bool consecutive(const std::vector<int64_t> &slots);

  std::unique_ptr<StateMemory> memory_;
  std::vector<int64_t> sizes_;
  std::vector<uint64_t> states_, scratch_;
  std::vector<float> zeros_;
  std::unique_ptr<KVCacheStore> kv_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_STATESTORE_H
