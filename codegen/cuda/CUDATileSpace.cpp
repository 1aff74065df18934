//===- CUDATileSpace.cpp - the tile configurations a tuner may try --------===//
#include "codegen/cuda/CUDATileSpace.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/TileTables.h"

#include "dialect/SSMOps.h"
#include "passes/ValueRoles.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::ssm;

namespace {

const std::vector<int64_t> &choices(const tiles::TileTable &table, const char *name) {
  return table.find(name)->choices;
}

/// Every combination of |names|' choices in |table|, in order.
std::vector<CUDATileConfig> product(const tiles::TileTable &table,
                                    const std::vector<const char *> &names) {
  std::vector<CUDATileConfig> out = {{}};
  for (const char *name : names) {
    std::vector<CUDATileConfig> next;
    for (const CUDATileConfig &c : out)
      for (int64_t v : choices(table, name)) {
        CUDATileConfig e = c;
        e.push_back({name, v});
        next.push_back(std::move(e));
      }
    out = std::move(next);
  }
  return out;
}

int64_t get(const CUDATileConfig &c, const char *name) {
  for (const auto &[n, v] : c)
    if (n == name)
      return v;
  return 0;
}

int64_t statesOf(SSDScanOp ssd) {
  return llvm::cast<RankedTensorType>(ssd.getB().getType()).getDimSize(2) / ssd.getGroups();
}

/// The family's valid configurations, THREADS last where it is derived.
std::vector<CUDATileConfig> space(Operation *op, int64_t limit) {
  std::vector<CUDATileConfig> out;
  if (auto scan = dyn_cast<SelectiveScanOp>(op)) {
    int64_t states = scan.getDState(), rank = 0;
    if (Value proj = scan.getDeltaProj())
      rank = llvm::cast<RankedTensorType>(proj.getType()).getDimSize(1);
    for (CUDATileConfig c :
         product(tiles::scanTiles(), {"CHANNELS", "GROUPS", "ITEMS", "STATE_TILE"})) {
      int64_t threads = get(c, "CHANNELS") * get(c, "GROUPS");
      if (threads < 32 || threads > 1024 || states % get(c, "STATE_TILE") != 0 ||
          tiles::scanSharedBytes(get(c, "CHANNELS"), get(c, "GROUPS"), get(c, "ITEMS"),
                                 get(c, "STATE_TILE"), states, rank) > limit)
        continue;
      c.push_back({"THREADS", threads});
      out.push_back(std::move(c));
    }
  } else if (auto ssd = dyn_cast<SSDScanOp>(op); ssd && ssdOnTensorCores(ssd)) {
    for (CUDATileConfig &c : product(tiles::ssdChunkedTiles(), {"PTILE", "CHUNK", "THREADS"}))
      if (tiles::ssdChunkedSharedBytes(get(c, "PTILE"), get(c, "CHUNK"), statesOf(ssd)) <= limit)
        out.push_back(std::move(c));
  } else if (auto ssd = dyn_cast<SSDScanOp>(op)) {
    int64_t states = statesOf(ssd);
    for (CUDATileConfig c : product(tiles::ssdTiles(), {"ROWS", "SLICE", "CHUNK"})) {
      int64_t threads = get(c, "ROWS") * ((states + get(c, "SLICE") - 1) / get(c, "SLICE"));
      if (threads < 32 || threads > 1024 ||
          tiles::ssdSharedBytes(get(c, "ROWS"), get(c, "SLICE"), get(c, "CHUNK"), states) > limit)
        continue;
      c.push_back({"THREADS", threads});
      out.push_back(std::move(c));
    }
  } else if (auto conv = dyn_cast<CausalConv1dOp>(op)) {
    for (CUDATileConfig &c : product(tiles::convTiles(), {"CHANNELS", "TIME"}))
      if (get(c, "TIME") >= conv.getKernelSize() - 1)
        out.push_back(std::move(c));
  } else if (isa<MambaStepOp, Mamba2StepOp>(op)) {
    out = product(tiles::stepTiles(), {"THREADS", "SEGMENTS"});
  } else if (isa<AttentionOp, MoEOp>(op)) {
    // Not tunable yet: their kernels run on the runtime's KV caches and
    // expert tables, which the tuner's single-kernel cases do not build.
  } else {
    out = product(tiles::rowTiles(), {"THREADS"});
  }
  return out;
}

} // namespace

std::vector<CUDATileConfig> mlir::ssm::cudaTileCandidates(Operation *op, int64_t sharedLimit) {
  DictionaryAttr chosen = ssmDialect(op).getCudaTilesAttrHelper().getAttr(op);
  if (!chosen)
    return {};
  std::vector<CUDATileConfig> all = space(op, sharedLimit);
  if (all.empty())
    return {};
  // The chosen configuration, in the family's parameter order.
  CUDATileConfig first;
  for (const auto &[name, v] : all.front()) {
    auto value = chosen.getAs<IntegerAttr>(name);
    if (!value)
      return {};
    first.push_back({name, value.getInt()});
  }
  all.erase(std::remove(all.begin(), all.end(), first), all.end());
  all.insert(all.begin(), first);
  return all;
}
