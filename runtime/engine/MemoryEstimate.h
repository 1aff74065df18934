//===- MemoryEstimate.h - host memory a session will allocate ---*- C++ -*-===//
//
// Checked before anything large is allocated, so that a model too large
// for this machine is one message naming the sizes, not std::bad_alloc.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_ENGINE_MEMORYESTIMATE_H
#define SSMC_RUNTIME_ENGINE_MEMORYESTIMATE_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/io/Checkpoint.h"
#include "runtime/io/HostMemory.h"

#include <cstdint>

namespace ssmrt {

/// Bytes of host memory beyond the checkpoint's memory map.
struct MemoryEstimate {
  int64_t weights = 0;     ///< f32 weights: random ones, or copies of BF16/F16 tensors
  int64_t activations = 0; ///< activation buffers of prefill and decode
  int64_t states = 0;      ///< recurrent states of every slot, and their scratch copies
  int64_t total() const { return weights + activations + states; }
};

/// What a session of |program| allocates on the host: the weights (all of
/// them as f32 when |checkpoint| is null, else the tensors a CPU converts),
/// and, when |onCpu|, the activations for |maxTokens| prefill rows and
/// |slots| decode rows and the states of |slots| sequences. Saturates
/// instead of overflowing.
MemoryEstimate estimateHostMemory(const Program &program, const Checkpoint *checkpoint, bool onCpu,
                                  int64_t slots, int64_t maxTokens);

/// Fails when |estimate| exceeds availableMemory(), saying how much each
/// part needs and how much is available.
Status checkMemory(const MemoryEstimate &estimate);

} // namespace ssmrt

#endif // SSMC_RUNTIME_ENGINE_MEMORYESTIMATE_H
