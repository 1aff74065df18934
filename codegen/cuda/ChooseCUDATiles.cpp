//===- ChooseCUDATiles.cpp - tile parameters of the CUDA kernels ----------===//
#include "codegen/OpLowering.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/CUDAPasses.h"
#include "codegen/cuda/TileTables.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMCHOOSECUDATILES
#include "codegen/cuda/CUDAPasses.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

int64_t nextPowerOfTwo(int64_t v) {
  int64_t p = 1;
  while (p < v)
    p *= 2;
  return p;
}

struct ScanTiles {
  int64_t channels, groups, items, stateTile;
};

ScanTiles chooseScanTiles(SelectiveScanOp scan, int64_t limit) {
  const tiles::TileTable &table = tiles::scanTiles();
  auto dflt = [&](const char *name) { return table.find(name)->dflt; };
  int64_t states = scan.getDState(), rank = 0;
  if (Value proj = scan.getDeltaProj())
    rank = llvm::cast<RankedTensorType>(proj.getType()).getDimSize(1);
  ScanTiles t{dflt("CHANNELS"), dflt("GROUPS"), dflt("ITEMS"), dflt("STATE_TILE")};
  while (states % t.stateTile)
    t.stateTile /= 2;
  // Small states leave registers for more consecutive steps per thread;
  // the folded dt_proj (a dot product per step) takes some away: with
  // ITEMS 4 and STATE_TILE 2 its kernel assembles without spills on sm_80
  // and sm_90 (test/CUDA/models-compile.test).
  if (states <= 8) {
    t.items = 16;
  } else if (rank) {
    t.items = 4;
    t.stateTile = 2;
  }
  // Shrink the chunk first (it scales the B/C and dt tiles), then the
  // channels per block (the running state).
  auto shared = [&] {
    return tiles::scanSharedBytes(t.channels, t.groups, t.items, t.stateTile, states, rank);
  };
  while (shared() > limit) {
    if (t.items > 2)
      t.items /= 2;
    else if (t.channels > 16)
      t.channels /= 2;
    else if (t.items > 1)
      t.items /= 2;
    else if (t.groups > 1)
      t.groups /= 2;
    else if (t.channels > 1)
      t.channels /= 2;
    else
      break;
  }
  return t;
}

struct SSMChooseCUDATiles : mlir::ssm::impl::SSMChooseCUDATilesBase<SSMChooseCUDATiles> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    int64_t limit = int64_t(sharedMemoryKB) * 1024;
    bool failed = false;
    getOperation().walk([&](Operation *op) {
      if (!opInfoOf(op) || loweringOf(op, LoweringTarget::cuda()) != Lowering::Kernel)
        return;
      SmallVector<NamedAttribute> chosen;
      auto set = [&](StringRef name, int64_t v) {
        chosen.push_back(NamedAttribute(StringAttr::get(ctx, name),
                                        IntegerAttr::get(IntegerType::get(ctx, 64), v)));
      };
      if (auto scan = dyn_cast<SelectiveScanOp>(op)) {
        ScanTiles t = chooseScanTiles(scan, limit);
        set("CHANNELS", t.channels);
        set("GROUPS", t.groups);
        set("ITEMS", t.items);
        set("STATE_TILE", t.stateTile);
        set("THREADS", t.channels * t.groups);
      } else if (auto ssd = dyn_cast<SSDScanOp>(op); ssd && ssdOnTensorCores(ssd)) {
        // Row tiles no taller than head_dim needs; CHUNK, then PTILE, shrink
        // to fit the shared memory (16-bit B, C and state tiles grow with N).
        const tiles::TileTable &table = tiles::ssdChunkedTiles();
        int64_t states =
            llvm::cast<RankedTensorType>(ssd.getB().getType()).getDimSize(2) / ssd.getGroups();
        int64_t ptile = std::min<int64_t>(table.find("PTILE")->dflt,
                                          std::max<int64_t>(16, nextPowerOfTwo(ssd.getHeadDim())));
        int64_t chunk = table.find("CHUNK")->dflt;
        while (chunk > 16 && tiles::ssdChunkedSharedBytes(ptile, chunk, states) > limit)
          chunk /= 2;
        while (ptile > 16 && tiles::ssdChunkedSharedBytes(ptile, chunk, states) > limit)
          ptile /= 2;
        if (int64_t bytes = tiles::ssdChunkedSharedBytes(ptile, chunk, states); bytes > limit) {
          op->emitError() << "d_state " << states << " needs " << bytes
                          << " bytes of shared memory in the chunked SSD kernel even with "
                             "16-row, 16-step tiles; the limit is "
                          << limit;
          failed = true;
          return;
        }
        set("PTILE", ptile);
        set("CHUNK", chunk);
        set("THREADS", table.find("THREADS")->dflt);
      } else if (auto ssd = dyn_cast<SSDScanOp>(op)) {
        // ROWS x ceil(N / SLICE) threads, at most 1024; CHUNK shrinks to fit
        // the shared memory (B and C tiles grow with N).
        const tiles::TileTable &table = tiles::ssdTiles();
        int64_t states =
            llvm::cast<RankedTensorType>(ssd.getB().getType()).getDimSize(2) / ssd.getGroups();
        int64_t rows = table.find("ROWS")->dflt, slice = table.find("SLICE")->dflt,
                chunk = table.find("CHUNK")->dflt;
        int64_t slices = (states + slice - 1) / slice;
        rows = std::min<int64_t>(rows, nextPowerOfTwo(ssd.getHeadDim()));
        while (rows * slices > 1024)
          rows /= 2;
        while (chunk > 1 && tiles::ssdSharedBytes(rows, slice, chunk, states) > limit)
          chunk /= 2;
        set("ROWS", rows);
        set("SLICE", slice);
        set("CHUNK", chunk);
        set("THREADS", rows * slices);
      } else if (auto conv = dyn_cast<CausalConv1dOp>(op)) {
        set("CHANNELS", std::clamp<int64_t>(nextPowerOfTwo(rowWidth(conv.getResult())), 32,
                                            tiles::convTiles().find("CHANNELS")->dflt));
        set("TIME", std::max<int64_t>(tiles::convTiles().find("TIME")->dflt,
                                      nextPowerOfTwo(conv.getKernelSize())));
      } else if (auto attention = dyn_cast<AttentionOp>(op)) {
        // Prefill: the tensor-core kernel where it fits, else about 16
        // query rows (tokens x the query heads of a KV head) per block.
        // Decode: one token, its cache spread over up to SPLITS blocks.
        const tiles::TileTable &table = tiles::attentionTiles();
        int64_t group = attention.getHeads() / attention.getKvHeads();
        int64_t headDim = attention.getHeadDim();
        bool decode = llvm::cast<RankedTensorType>(attention.getQ().getType()).getDimSize(1) == 1;
        if (!decode && attentionFitsTensorCores(attention)) {
          set("THREADS", 128);
          set("QTOK", tiles::kAttentionMmaQueries);
          set("SPLITS", 1);
        } else {
          int64_t qtok = decode ? 1 : std::max<int64_t>(1, 16 / group);
          auto threads = [&] { return 32 * std::min<int64_t>(4, qtok * group); };
          while (qtok > 1 &&
                 tiles::attentionRowsSharedBytes(qtok * group, headDim, threads()) > limit)
            qtok /= 2;
          if (int64_t bytes = tiles::attentionRowsSharedBytes(group, headDim, threads());
              bytes > limit) {
            op->emitError() << group << " query heads per KV head of " << headDim << " need "
                            << bytes << " bytes of shared memory in the attention "
                            << "kernel; the limit is " << limit;
            failed = true;
            return;
          }
          set("THREADS", threads());
          set("QTOK", qtok);
          set("SPLITS", decode ? table.find("SPLITS")->dflt : 1);
        }
      } else if (isa<MoEOp>(op)) {
        set("THREADS", tiles::moeTiles().find("THREADS")->dflt);
      } else if (isa<MambaStepOp, Mamba2StepOp>(op)) {
        // Small blocks spread each phase over more multiprocessors.
        for (const tiles::TileParamSpec &p : tiles::stepTiles().params)
          set(p.name, p.dflt);
      } else {
        // Row kernels: about 8 values per thread, 64 to 1024 threads.
        set("THREADS",
            std::clamp<int64_t>(nextPowerOfTwo(rowWidth(op->getResult(0)) / 8), 64, 1024));
      }
      ssmDialect(op).getCudaTilesAttrHelper().setAttr(op, DictionaryAttr::get(ctx, chosen));
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
