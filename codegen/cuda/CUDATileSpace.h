//===- CUDATileSpace.h - the tile configurations a tuner may try -*- C++ -*-===//
//
// Every configuration of an op's CUDA kernel that its family's rules allow
// (TileTables.h: the choices of each parameter, THREADS derived where the
// kernel fixes it, divisibility, shared memory within the limit), for
// `ssmc tune --device cuda`. The op's chosen tiles (`ssm.cuda_tiles`, set
// by --ssm-choose-cuda-tiles) come first.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CUDA_CUDATILESPACE_H
#define SSMC_CODEGEN_CUDA_CUDATILESPACE_H

#include "mlir/IR/Operation.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlir::ssm {

using CUDATileConfig = std::vector<std::pair<std::string, int64_t>>;

/// The candidates for |op| (which has `ssm.cuda_tiles`), each within
/// |sharedLimit| bytes of static shared memory; empty for an op without.
std::vector<CUDATileConfig> cudaTileCandidates(Operation *op, int64_t sharedLimit);

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CUDA_CUDATILESPACE_H
