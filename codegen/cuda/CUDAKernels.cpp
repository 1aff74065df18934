//===- CUDAKernels.cpp - naming and emitting a module's CUDA kernels ------===//
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/CUDATileSpace.h"
#include "codegen/cuda/TileTables.h"

#include "dialect/SSMOpTable.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

const char *roleName(ValueRole role) {
  switch (role) {
  case ValueRole::Absent: return "-";
  case ValueRole::Activation: return "act";
  case ValueRole::Weight: return "weight";
  case ValueRole::State: return "state";
  case ValueRole::Ids: return "ids";
  }
  return "-";
}

FailureOr<ssmrt::CudaKernelDesc> emitFamilyKernel(Operation *op) {
  if (auto conv = dyn_cast<CausalConv1dOp>(op))
    return emitConvKernel(conv);
  if (auto scan = dyn_cast<SelectiveScanOp>(op))
    return emitScanKernel(scan);
  if (auto ssd = dyn_cast<SSDScanOp>(op))
    return emitSSDKernel(ssd);
  if (auto step = dyn_cast<Mamba2StepOp>(op))
    return emitMamba2StepKernel(step);
  if (auto step = dyn_cast<MambaStepOp>(op))
    return emitStepKernel(step);
  if (auto attention = dyn_cast<AttentionOp>(op))
    return emitAttentionKernel(attention);
  if (auto moe = dyn_cast<MoEOp>(op))
    return emitMoEKernel(moe);
  return emitRowKernel(op);
}

/// The family's kernel, with the configurations a tuner may try
/// (CUDATileSpace.h) in its parameters' order.
FailureOr<ssmrt::CudaKernelDesc> emitKernel(Operation *op) {
  FailureOr<ssmrt::CudaKernelDesc> kernel = emitFamilyKernel(op);
  if (failed(kernel))
    return failure();
  for (const CUDATileConfig &config : cudaTileCandidates(op, tiles::kStaticSharedMemory)) {
    std::vector<int64_t> values;
    for (const ssmrt::TileParam &p : kernel->params) {
      auto it = std::find_if(config.begin(), config.end(),
                             [&](const auto &c) { return c.first == p.name; });
      if (it == config.end())
        break;
      values.push_back(it->second);
    }
    if (values.size() == kernel->params.size())
      kernel->tuneSpace.push_back(std::move(values));
  }
  return kernel;
}

} // namespace

std::string mlir::ssm::cudaKernelName(Operation *op) {
  SSMDialect &dialect = ssmDialect(op);
  std::string key;
  llvm::raw_string_ostream os(key);
  os << op->getName();
  // Each value as its kernel reads it: token rows by element type and row
  // width (whatever the batch and sequence sizes), ids by element type,
  // states per sequence, weights whole.
  auto value = [&](Value v) {
    ValueRole role = valueRole(v);
    os << "|" << roleName(role);
    if (!v)
      return;
    auto type = llvm::cast<RankedTensorType>(v.getType());
    if (role == ValueRole::Activation)
      os << ":" << type.getElementType() << "x" << rowWidth(v);
    else if (role == ValueRole::Ids)
      os << ":" << type.getElementType();
    else if (role == ValueRole::State) {
      os << ":" << type.getElementType();
      for (int64_t d : type.getShape().drop_front())
        os << "x" << d;
    } else
      os << ":" << type;
  };
  for (Value v : odsOperands(op))
    value(v);
  for (Value v : op->getResults())
    value(v);
  // The op's own attributes and its tiles; not where its values live.
  for (NamedAttribute attr : op->getAttrs()) {
    StringRef name = attr.getName().strref();
    if (!name.starts_with("ssm.") || name == dialect.getCudaTilesAttrHelper().getNameStr())
      os << "|" << name << "=" << attr.getValue();
  }
  char hash[9];
  snprintf(hash, sizeof hash, "%08llx",
           static_cast<unsigned long long>(llvm::xxh3_64bits(key) & 0xffffffffu));
  return op->getName().stripDialect().str() + "_" + hash;
}

FailureOr<std::vector<ssmrt::CudaKernelDesc>> mlir::ssm::emitCUDAKernels(ModuleOp module) {
  std::vector<ssmrt::CudaKernelDesc> kernels;
  llvm::StringMap<size_t> index;
  auto kernelAttr = ssmDialect(module).getKernelAttrHelper();
  for (auto func : module.getOps<func::FuncOp>()) {
    for (Operation &op : func.getBody().front()) {
      if (!kernelAttr.isAttrPresent(&op))
        continue;
      FailureOr<ssmrt::CudaKernelDesc> emitted = emitKernel(&op);
      if (failed(emitted))
        return failure();
      ssmrt::CudaKernelDesc &kernel = *emitted;
      auto [it, added] = index.try_emplace(kernel.name, kernels.size());
      if (added)
        kernels.push_back(std::move(kernel));
      else if (kernels[it->second].source != kernel.source)
        return op.emitError() << "internal: kernel '" << kernel.name
                              << "' is shared by ops that need different code";
    }
  }
  return kernels;
}
