//===- ApplyCPUTuning.cpp - CPU tiles from the tuning database ------------===//
#include "codegen/cpu/CPUKernels.h"
#include "codegen/cpu/CPUPasses.h"
#include "codegen/cpu/CPUTiles.h"

#include "dialect/SSMOps.h"
#include "runtime/tuning/TuningDb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <algorithm>

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMAPPLYCPUTUNING
#include "codegen/cpu/CPUPasses.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

struct SSMApplyCPUTuning : mlir::ssm::impl::SSMApplyCPUTuningBase<SSMApplyCPUTuning> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    ssmrt::DeviceKey key = ssmrt::cpuDeviceKey();
    if (!device.empty())
      key = ssmrt::DeviceKey{"cpu", {{"key", device}}};
    ssmrt::StatusOr<ssmrt::TuningDb> database = ssmrt::TuningDb::read(db, key);
    if (!database.ok()) {
      module.emitError() << database.status().message();
      return signalPassFailure();
    }
    std::string ver = version.empty() ? ssmrt::ssmcVersion() : version.getValue();
    CPUTarget target = CPUTarget::host();
    SSMDialect &dialect = ssmDialect(module);
    for (auto [name, function] :
         {std::pair<StringRef, StringRef>{"forward", "prefill"}, {"decode", "decode"}}) {
      auto func = module.lookupSymbol<func::FuncOp>(name);
      if (!func)
        continue;
      func.walk([&](Operation *op) {
        if (cpuKernelKey(op, target).empty())
          return;
        std::optional<ssmrt::TuningChoice> choice =
            database->best(cpuKernelSignature(op), function, ver);
        if (!choice)
          return;
        Builder b(op->getContext());
        SmallVector<NamedAttribute> tiles;
        for (const CPUTileParam &param : cpuTileParams(op)) {
          auto it = std::find_if(choice->config.begin(), choice->config.end(),
                                 [&](const auto &p) { return p.first == param.name; });
          if (it == choice->config.end())
            continue;
          std::vector<int64_t> valid = validCPUTileChoices(op, param, target);
          if (std::find(valid.begin(), valid.end(), it->second) == valid.end())
            return; // measured elsewhere, or by a build with other choices
          tiles.push_back(b.getNamedAttr(param.name, b.getI64IntegerAttr(it->second)));
        }
        dialect.getCpuTilesAttrHelper().setAttr(op, b.getDictionaryAttr(tiles));
      });
    }
  }
};

} // namespace
