//===- CPUKernels.cpp - which ops get CPU kernels, and their signatures ---===//
#include "codegen/cpu/CPUKernels.h"
#include "codegen/OpLowering.h"
#include "codegen/cpu/CPUTiles.h"

#include "dialect/SSMOpTable.h"
#include "dialect/SSMOps.h"
#include "passes/ValueRoles.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
/// Whether |op| has a kernel at the vector width it is built with.
bool hasKernel(Operation *op, const CPUTarget &target) {
  return loweringOf(op, LoweringTarget::cpu(cpuTilesOf(op, target).vectorWidth)) ==
         Lowering::Kernel;
}
} // namespace

Type mlir::ssm::kernelArgType(KernelBuilder &kb, Value v) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  switch (valueRole(v)) {
  case ValueRole::Ids: return kb.idsType();
  case ValueRole::Weight: return kb.weightType(type.getShape());
  case ValueRole::State: return kb.stateType(type.getShape().drop_front());
  default: return kb.activationType(rowWidth(v));
  }
}

std::string mlir::ssm::cpuKernelKey(Operation *op, const CPUTarget &target) {
  if (!isa<SSMDialect>(op->getDialect()) || !hasKernel(op, target))
    return "";
  CPUTiles tiles = cpuTilesOf(op, target);
  return cpuKernelSignature(op) + "|vw" + std::to_string(tiles.vectorWidth) + "|chunks" +
         std::to_string(tiles.chunksPerThread) + "|chunk" + std::to_string(tiles.chunk) +
         (tiles.tuned ? "|tuned" : "");
}

std::string mlir::ssm::cpuKernelSignature(Operation *op) {
  // The kernel's argument types (so @forward and @decode share kernels),
  // the op's attributes and which optional operands are present.
  OpBuilder builder(op->getContext());
  KernelBuilder kb(builder, op->getLoc(), /*vectorWidth=*/4);
  std::string key;
  llvm::raw_string_ostream os(key);
  os << op->getName().getStringRef();
  for (Value v : odsOperands(op)) {
    os << "|";
    if (v)
      os << kernelArgType(kb, v);
  }
  for (Value v : op->getResults())
    os << "|" << kernelArgType(kb, v);
  for (NamedAttribute attr : op->getAttrs())
    if (!attr.getName().strref().starts_with("ssm."))
      os << "|" << attr.getName().strref() << "=" << attr.getValue();
  return key;
}

FailureOr<KernelSpec> mlir::ssm::buildCPUKernel(OpBuilder &builder, Operation *op, StringRef name,
                                                const CPUTarget &target) {
  if (!hasKernel(op, target))
    return failure();
  KernelBuilder kb(builder, op->getLoc(), cpuTilesOf(op, target).vectorWidth);
  SmallVector<Value> operands = odsOperands(op);
  SmallVector<Type> types;
  for (Value v : operands)
    if (v)
      types.push_back(kernelArgType(kb, v));
  for (Value v : op->getResults())
    types.push_back(kernelArgType(kb, v));
  func::FuncOp func =
      kb.beginFunction(name, types, /*withWorkspace=*/isa<MambaStepOp, Mamba2StepOp>(op));
  // Function arguments aligned with the operands (null for absent ones),
  // then the results.
  SmallVector<Value> args;
  unsigned next = 0;
  for (Value v : operands)
    args.push_back(v ? func.getArgument(next++) : Value());
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    args.push_back(func.getArgument(next++));

  FailureOr<KernelSpec> spec;
  if (isa<EmbeddingOp>(op))
    spec = buildEmbeddingKernel(kb, op, args);
  else if (isa<RMSNormOp, AddRMSNormOp>(op))
    spec = buildNormKernel(kb, op, args);
  else if (isa<GatedRMSNormOp>(op))
    spec = buildGatedNormKernel(kb, op, args);
  else if (isa<CausalConv1dOp>(op))
    spec = buildConvKernel(kb, op, args);
  else if (isa<SelectiveScanOp>(op))
    spec = buildScanKernel(kb, op, args);
  else if (isa<SSDScanOp>(op))
    spec = buildSSDKernel(kb, op, args);
  else if (isa<MambaStepOp>(op))
    spec = buildStepKernel(kb, op, args);
  else if (isa<Mamba2StepOp>(op))
    spec = buildMamba2StepKernel(kb, op, args);
  else
    spec = buildElementwiseKernel(kb, op, args);
  kb.endFunction();
  if (failed(spec))
    func.erase();
  return spec;
}
