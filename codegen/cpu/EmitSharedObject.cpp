//===- EmitSharedObject.cpp - kernels to LLVM IR and a shared object ------===//
#include "codegen/cpu/CPUPasses.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

using namespace mlir;
using namespace mlir::ssm;

LogicalResult mlir::ssm::lowerKernelsToLLVMDialect(ModuleOp kernels) {
  PassManager pm(kernels.getContext());
  pm.addNestedPass<func::FuncOp>(createSSMApproximateMath());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createConvertSCFToCFPass());
  ConvertVectorToLLVMPassOptions vectorOptions;
  vectorOptions.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorOptions));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  return pm.run(kernels);
}

namespace {

/// Adds `void <name>_packed(void **args)` for every defined function: it
/// loads argument i through args[i] and calls the function. The runtime
/// calls every kernel this one way, whatever its signature.
void addPackedEntryPoints(llvm::Module &module) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  std::vector<llvm::Function *> kernels;
  for (llvm::Function &f : module)
    if (!f.isDeclaration())
      kernels.push_back(&f);
  for (llvm::Function *f : kernels) {
    auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
    auto *packed = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                          f->getName() + "_packed", module);
    llvm::IRBuilder<> builder(llvm::BasicBlock::Create(ctx, "entry", packed));
    std::vector<llvm::Value *> args;
    for (unsigned i = 0; i < f->arg_size(); ++i) {
      llvm::Value *slot = builder.CreateGEP(ptr, packed->getArg(0), builder.getInt64(i));
      llvm::Value *argPtr = builder.CreateLoad(ptr, slot);
      args.push_back(builder.CreateLoad(f->getArg(i)->getType(), argPtr));
    }
    builder.CreateCall(f, args);
    builder.CreateRetVoid();
    f->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
}

std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const CPUTarget &target,
                                                       std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(target.triple, error);
  if (!t)
    return nullptr;
  llvm::TargetOptions options;
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  return std::unique_ptr<llvm::TargetMachine>(
      t->createTargetMachine(target.triple, target.cpu, target.features, options, llvm::Reloc::PIC_,
                             std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

/// The kernels as optimized LLVM IR for a target machine.
struct OptimizedKernels {
  std::unique_ptr<llvm::TargetMachine> tm;
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> module;
};

/// Makes |target|'s machine, translates, adds entry points, sets the target
/// and optimizes (-O3); null after setting |error|.
std::unique_ptr<OptimizedKernels> optimizeKernels(ModuleOp llvmDialect, const CPUTarget &target,
                                                  std::string &error) {
  auto k = std::make_unique<OptimizedKernels>();
  k->tm = makeTargetMachine(target, error);
  if (!k->tm)
    return nullptr;
  registerBuiltinDialectTranslation(*llvmDialect.getContext());
  registerLLVMDialectTranslation(*llvmDialect.getContext());
  k->module = translateModuleToLLVMIR(llvmDialect, k->ctx, "ssm_kernels");
  if (!k->module) {
    error = "cannot translate the kernels to LLVM IR";
    return nullptr;
  }
  addPackedEntryPoints(*k->module);
  k->module->setTargetTriple(k->tm->getTargetTriple().str());
  k->module->setDataLayout(k->tm->createDataLayout());
  auto optimize = makeOptimizingTransformer(3, 0, k->tm.get());
  if (llvm::Error err = optimize(k->module.get())) {
    error = "LLVM optimization failed: " + llvm::toString(std::move(err));
    return nullptr;
  }
  return k;
}

} // namespace

FailureOr<std::string> mlir::ssm::kernelsToLLVMIR(ModuleOp llvmDialect, const CPUTarget &target,
                                                  std::string &error) {
  std::unique_ptr<OptimizedKernels> kernels = optimizeKernels(llvmDialect, target, error);
  if (!kernels)
    return failure();
  std::string text;
  llvm::raw_string_ostream os(text);
  kernels->module->print(os, nullptr);
  return text;
}

FailureOr<std::vector<uint8_t>> mlir::ssm::kernelsToSharedObject(ModuleOp llvmDialect,
                                                                 const CPUTarget &target,
                                                                 std::string &error) {
  std::unique_ptr<OptimizedKernels> kernels = optimizeKernels(llvmDialect, target, error);
  if (!kernels)
    return failure();

  // Object file, then `cc -shared` (the system linker) into an ELF .so.
  llvm::SmallString<128> objPath, soPath;
  int objFd;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("ssmc-kernels", "o", objFd, objPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return failure();
  }
  {
    llvm::raw_fd_ostream out(objFd, /*shouldClose=*/true);
    llvm::legacy::PassManager pm;
    if (kernels->tm->addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      error = "the target cannot emit object files";
      return failure();
    }
    pm.run(*kernels->module);
  }
  llvm::sys::fs::createUniquePath("ssmc-kernels-%%%%%%%%.so", soPath, /*MakeAbsolute=*/true);
  auto cleanup = llvm::make_scope_exit([&] {
    llvm::sys::fs::remove(objPath);
    llvm::sys::fs::remove(soPath);
  });
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    cc = llvm::sys::findProgramByName("gcc");
  if (!cc) {
    error = "no system C compiler driver (cc) found to link the kernels";
    return failure();
  }
  llvm::StringRef argv[] = {*cc, "-shared", "-o", soPath, objPath};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*cc, argv, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) {
    error = "linking the kernels with " + *cc + " failed" + (message.empty() ? "" : ": " + message);
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(soPath);
  if (!buffer) {
    error = "cannot read the linked kernels: " + buffer.getError().message();
    return failure();
  }
  llvm::StringRef bytes = (*buffer)->getBuffer();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}
