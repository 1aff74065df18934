//===- CPUTiles.h - the tunable parameters of the CPU kernels ---*- C++ -*-===//
//
// The parameters of the generated CPU kernels, declared here with their
// choices and validity rules; `ssmc tune` searches them and
// --ssm-apply-cpu-tuning sets the winners on each op as `ssm.cpu_tiles`.
// Every kernel has the first two, the SSD scan also `chunk`:
//   vector_width       f32 lanes of the kernel's vectors (4, 8, 16): up to
//                      the CPU's widest unit, and only widths at which the
//                      op has a kernel (a grouped scan's groups must be a
//                      whole number of vectors);
//   chunks_per_thread  how the runtime splits the kernel's work items: in
//                      this many contiguous chunks per thread, claimed as
//                      threads finish (1: one chunk each);
//   chunk              (ssd_scan) steps per chunk of the chunked scan (16,
//                      32, 64; a multiple of every vector width): longer
//                      chunks do more of the work as small matrix products.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CPU_CPUTILES_H
#define SSMC_CODEGEN_CPU_CPUTILES_H

#include "codegen/cpu/CPUTarget.h"

#include "mlir/IR/Operation.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::ssm {

struct CPUTileParam {
  const char *name;
  std::vector<int64_t> choices;
};

/// The parameters of |op|'s kernel: vector_width, chunks_per_thread, then
/// its family's own.
std::vector<CPUTileParam> cpuTileParams(Operation *op);

/// The SSD scan's chunk when its op sets none.
constexpr int64_t kDefaultSSDChunk = 32;

/// The choices of |param| valid for |op| on |target|.
std::vector<int64_t> validCPUTileChoices(Operation *op, const CPUTileParam &param,
                                         const CPUTarget &target);

/// The configuration |op|'s kernel is built and run with: its `ssm.cpu_tiles`
/// over the defaults (the target's vector width, one chunk per thread).
struct CPUTiles {
  int64_t vectorWidth;
  int64_t chunksPerThread = 1;
  int64_t chunk = 0;  ///< ssd_scan's chunk; 0: kDefaultSSDChunk
  bool tuned = false; ///< from `ssm.cpu_tiles`
};
CPUTiles cpuTilesOf(Operation *op, const CPUTarget &target);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CPU_CPUTILES_H
