//===- CPUTiles.h - the tunable parameters of the CPU kernels ---*- C++ -*-===//
//
// Every generated CPU kernel has the same two parameters, declared here with
// their choices and validity rules; `ssmc tune` searches them and
// --ssm-apply-cpu-tuning sets the winners on each op as `ssm.cpu_tiles`:
//   vector_width       f32 lanes of the kernel's vectors (4, 8, 16): up to
//                      the CPU's widest unit, and only widths at which the
//                      op has a kernel (a grouped scan's groups must be a
//                      whole number of vectors);
//   chunks_per_thread  how the runtime splits the kernel's work items: in
//                      this many contiguous chunks per thread, claimed as
//                      threads finish (1: one chunk each).
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

/// vector_width and chunks_per_thread, in that order.
const std::vector<CPUTileParam> &cpuTileParams();

/// The choices of |param| valid for |op| on |target|.
std::vector<int64_t> validCPUTileChoices(Operation *op, const CPUTileParam &param,
                                         const CPUTarget &target);

/// The configuration |op|'s kernel is built and run with: its `ssm.cpu_tiles`
/// over the defaults (the target's vector width, one chunk per thread).
struct CPUTiles {
  int64_t vectorWidth;
  int64_t chunksPerThread = 1;
  bool tuned = false; ///< from `ssm.cpu_tiles`
};
CPUTiles cpuTilesOf(Operation *op, const CPUTarget &target);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CPU_CPUTILES_H
