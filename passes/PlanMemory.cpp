//===- PlanMemory.cpp - activation buffers and weight-only ops ------------===//
#include "passes/Passes.h"
#include "passes/ValueRoles.h"

#include "llvm/ADT/DenseMap.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMPLANMEMORY
#include "passes/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

struct Placement {
  int64_t buffer = -1;
  int64_t column = 0;
};

struct SSMPlanMemory : mlir::ssm::impl::SSMPlanMemoryBase<SSMPlanMemory> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func.getBody().hasOneBlock())
      return;
    Block &block = func.getBody().front();
    MLIRContext *ctx = &getContext();
    SSMDialect &dialect = *ctx->getLoadedDialect<SSMDialect>();
    auto onceAttr = dialect.getOnceAttrHelper();

    // Ops that read only parameters run once at weight binding.
    for (Operation &op : block) {
      if (isa<ParamOp>(op) || op.getNumOperands() == 0 || !isa<SSMDialect>(op.getDialect()))
        continue;
      bool once = llvm::all_of(op.getOperands(), [&](Value v) {
        Operation *def = v.getDefiningOp();
        return def && (isa<ParamOp>(def) || onceAttr.isAttrPresent(def));
      });
      if (once)
        onceAttr.setAttr(&op, UnitAttr::get(ctx));
      else
        op.removeAttr(onceAttr.getName());
    }

    // Last use of every value, by op position (uses by the terminator keep a
    // value live to the end).
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t pos = 0;
    for (Operation &op : block)
      position[&op] = pos++;
    llvm::DenseMap<Value, int64_t> lastUse;
    for (Operation &op : block)
      for (Value v : op.getOperands())
        lastUse[v] = std::max(lastUse.lookup(v), position[&op]);

    llvm::DenseMap<Value, Placement> placement;
    SmallVector<int64_t> widths;
    SmallVector<int64_t> liveValues; // per buffer
    SmallVector<bool> freeBuffer;
    // Values whose buffer must be released after a given position.
    std::map<int64_t, SmallVector<int64_t>> releases;

    auto allocate = [&](int64_t width) {
      int64_t best = -1;
      for (size_t b = 0; b < widths.size(); ++b) {
        if (!freeBuffer[b])
          continue;
        // Smallest free buffer that fits, else the largest free one (grown).
        bool fits = widths[b] >= width;
        if (best < 0 || (fits && (widths[best] < width || widths[b] < widths[best])) ||
            (!fits && widths[best] < width && widths[b] > widths[best]))
          best = b;
      }
      if (best < 0) {
        widths.push_back(width);
        liveValues.push_back(0);
        freeBuffer.push_back(true);
        best = widths.size() - 1;
      }
      widths[best] = std::max(widths[best], width);
      freeBuffer[best] = false;
      return best;
    };

    for (Operation &op : block) {
      int64_t here = position[&op];
      SmallVector<int64_t> buffers, columns;
      for (OpResult result : op.getResults()) {
        Placement p;
        if (isActivation(result) && !onceAttr.isAttrPresent(&op)) {
          if (isa<SplitOp>(op)) {
            auto split = cast<SplitOp>(op);
            Placement in = placement.lookup(split.getInput());
            auto type = cast<RankedTensorType>(split.getInput().getType());
            int64_t inner = 1;
            int64_t axis = static_cast<int64_t>(split.getAxis());
            if (axis < 0)
              axis += type.getRank();
            for (int64_t d = axis + 1; d < type.getRank(); ++d)
              inner *= type.getDimSize(d);
            int64_t offset = 0;
            for (unsigned i = 0; i < result.getResultNumber(); ++i)
              offset += split.getSizes()[i];
            p = {in.buffer, in.column + offset * inner};
          } else if (isa<ReshapeOp>(op)) {
            p = placement.lookup(op.getOperand(0));
          } else {
            p = {allocate(rowWidth(result)), 0};
          }
          if (p.buffer >= 0) {
            ++liveValues[p.buffer];
            releases[std::max(here, lastUse.lookup(result))].push_back(p.buffer);
          }
          placement[result] = p;
        }
        buffers.push_back(p.buffer);
        columns.push_back(p.column);
      }
      if (op.getNumResults() && llvm::any_of(buffers, [](int64_t b) { return b >= 0; })) {
        dialect.getBuffersAttrHelper().setAttr(&op, DenseI64ArrayAttr::get(ctx, buffers));
        dialect.getColumnsAttrHelper().setAttr(&op, DenseI64ArrayAttr::get(ctx, columns));
      }
      // Values dead after this op release their buffers for later ops.
      auto it = releases.find(here);
      if (it != releases.end()) {
        for (int64_t b : it->second)
          if (--liveValues[b] == 0)
            freeBuffer[b] = true;
        releases.erase(it);
      }
    }
    dialect.getBufferWidthsAttrHelper().setAttr(func, DenseI64ArrayAttr::get(ctx, widths));
  }
};

} // namespace
