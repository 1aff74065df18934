//===- Compiler.cpp - from an elaborated model to a Program ---------------===//
#include "codegen/driver/Compiler.h"
#include "codegen/driver/Pipelines.h"
#include "codegen/driver/ProgramBuilder.h"

#include "codegen/cpu/CPUPasses.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/CUDAPasses.h"
#include "dialect/SSMDialect.h"
#include "frontend/MLIRGen.h"
#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace ssmc;

void ssmc::loadCompilerDialects(MLIRContext &context) {
  context.loadDialect<ssm::SSMDialect, func::FuncDialect, arith::ArithDialect, math::MathDialect,
                      memref::MemRefDialect, scf::SCFDialect, vector::VectorDialect,
                      LLVM::LLVMDialect>();
}

Compiler::Compiler(MLIRContext &context, const fe::Graph &graph, const fe::SourceManager &sources,
                   CompileOptions options)
    : context_(context), graph_(graph), sources_(sources), diagnostics_(context, sources),
      options_(options), target_(ssm::CPUTarget::host()) {
  if (options_.vectorWidth > 0)
    target_ = target_.withVectorWidth(options_.vectorWidth);
  loadCompilerDialects(context_);
}

LogicalResult Compiler::lower() {
  module_ = fe::mlirGen(context_, graph_, sources_);
  if (!module_) {
    error_ = "internal: the generated ssm dialect does not verify";
    return failure();
  }
  reference_ = module_->clone();
  return success();
}

LogicalResult Compiler::fuse() {
  PassManager pm(&context_);
  buildFusedPipeline(pm, options_.foldDeltaProj);
  return pm.run(*module_);
}

LogicalResult Compiler::lowerCUDA() {
  gpuModule_ = module_->clone();
  PassManager pm(&context_);
  buildCUDAKernelPipeline(pm, options_.gpuDtype, /*sharedMemoryKB=*/48);
  if (failed(pm.run(*gpuModule_)))
    return failure();
  FailureOr<std::vector<ssmrt::CudaKernelDesc>> kernels = ssm::emitCUDAKernels(*gpuModule_);
  if (failed(kernels))
    return failure();
  cudaKernels_ = std::move(*kernels);
  return success();
}

LogicalResult Compiler::outline() {
  PassManager pm(&context_);
  if (!options_.tuningDb.empty())
    pm.addPass(ssm::createSSMApplyCPUTuning(ssm::SSMApplyCPUTuningOptions{options_.tuningDb}));
  buildCPUKernelPipeline(pm, target_.vectorWidth, options_.referenceFallback);
  return pm.run(*module_);
}

std::vector<ssmrt::OpCode> Compiler::referenceOps() {
  std::vector<ssmrt::OpCode> ops;
  auto reference = ssm::ssmDialect(*module_).getReferenceAttrHelper();
  for (StringRef name : {"forward", "decode"})
    if (auto func = module_->lookupSymbol<func::FuncOp>(name))
      func.walk([&](Operation *op) {
        if (reference.isAttrPresent(op))
          ops.push_back(ssm::opInfoOf(op)->code);
      });
  return ops;
}

FailureOr<std::string> Compiler::kernelsLLVMIR() {
  OwningOpRef<ModuleOp> kernels = ssm::extractKernels(*module_);
  if (failed(ssm::lowerKernelsToLLVMDialect(*kernels)))
    return failure();
  return ssm::kernelsToLLVMIR(*kernels, target_, error_);
}

FailureOr<ssmrt::Program> Compiler::buildProgram() {
  OwningOpRef<ModuleOp> kernels = ssm::extractKernels(*module_);
  if (failed(ssm::lowerKernelsToLLVMDialect(*kernels)))
    return failure();
  FailureOr<std::vector<uint8_t>> object = ssm::kernelsToSharedObject(*kernels, target_, error_);
  if (failed(object))
    return failure();
  FailureOr<ssmrt::Program> program = buildRuntimeProgram(
      *module_, *reference_, gpuModule_ ? *gpuModule_ : ModuleOp(), cudaKernels_, error_);
  if (failed(program))
    return failure();
  program->cpu.triple = target_.triple;
  program->cpu.cpu = target_.cpu;
  program->cpu.features = target_.features;
  program->cpu.vectorWidth = target_.vectorWidth;
  program->cpu.object = std::move(*object);
  if (gpuModule_)
    program->cuda.dtype = options_.gpuDtype == "fp32"   ? ssmrt::ValueType::F32
                          : options_.gpuDtype == "fp16" ? ssmrt::ValueType::F16
                                                        : ssmrt::ValueType::BF16;
  return program;
}
