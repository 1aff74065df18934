//===- CPUTiles.cpp - the tunable parameters of the CPU kernels -----------===//
#include "codegen/cpu/CPUTiles.h"
#include "codegen/OpLowering.h"

#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

std::vector<CPUTileParam> mlir::ssm::cpuTileParams(Operation *op) {
  std::vector<CPUTileParam> params = {{"vector_width", {4, 8, 16}},
                                      {"chunks_per_thread", {1, 2, 4, 8}}};
  if (isa<SSDScanOp>(op))
    params.push_back({"chunk", {16, 32, 64}});
  return params;
}

std::vector<int64_t> mlir::ssm::validCPUTileChoices(Operation *op, const CPUTileParam &param,
                                                    const CPUTarget &target) {
  std::vector<int64_t> valid;
  for (int64_t v : param.choices)
    if (std::string(param.name) != "vector_width" ||
        (v <= target.vectorWidth &&
         loweringOf(op, LoweringTarget::cpu(static_cast<int>(v))) == Lowering::Kernel))
      valid.push_back(v);
  return valid;
}

CPUTiles mlir::ssm::cpuTilesOf(Operation *op, const CPUTarget &target) {
  CPUTiles tiles{target.vectorWidth};
  DictionaryAttr dict = ssmDialect(op).getCpuTilesAttrHelper().getAttr(op);
  if (!dict)
    return tiles;
  tiles.tuned = true;
  if (auto vw = dict.getAs<IntegerAttr>("vector_width"))
    tiles.vectorWidth = vw.getInt();
  if (auto chunks = dict.getAs<IntegerAttr>("chunks_per_thread"))
    tiles.chunksPerThread = chunks.getInt();
  if (auto chunk = dict.getAs<IntegerAttr>("chunk"))
    tiles.chunk = chunk.getInt();
  return tiles;
}
