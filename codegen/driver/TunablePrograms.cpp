//===- TunablePrograms.cpp - programs compiled for ssmc tune --------------===//
#include "codegen/driver/TunablePrograms.h"
#include "codegen/driver/Compiler.h"

#include "codegen/cpu/CPUKernels.h"
#include "codegen/cpu/CPUTiles.h"
#include "dialect/SSMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <map>

using namespace ssmc;

namespace {

/// The configurations to try for |op|: every combination of the valid
/// choices of each parameter (the CPU's space is small enough to measure
/// exhaustively), the default first.
std::vector<ssmrt::TuneConfig> configsFor(mlir::Operation *op, const mlir::ssm::CPUTarget &target) {
  std::vector<ssmrt::TuneConfig> configs = {{}};
  ssmrt::TuneConfig dflt;
  for (const mlir::ssm::CPUTileParam &param : mlir::ssm::cpuTileParams(op)) {
    std::string name = param.name;
    int64_t d = name == "vector_width" ? target.vectorWidth
                : name == "chunk"      ? mlir::ssm::kDefaultSSDChunk
                                       : 1;
    dflt.push_back({param.name, d});
    std::vector<ssmrt::TuneConfig> next;
    for (const ssmrt::TuneConfig &c : configs)
      for (int64_t v : mlir::ssm::validCPUTileChoices(op, param, target)) {
        ssmrt::TuneConfig e = c;
        e.push_back({param.name, v});
        next.push_back(std::move(e));
      }
    configs = std::move(next);
  }
  configs.erase(std::remove(configs.begin(), configs.end(), dflt), configs.end());
  configs.insert(configs.begin(), dflt);
  return configs;
}

} // namespace

ssmrt::StatusOr<CpuTunable> ssmc::compileCpuTunable(const fe::Graph &graph,
                                                    const fe::SourceManager &sources,
                                                    const ssmrt::TuneConfig &compileTime) {
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  CompileOptions options;
  mlir::ssm::CPUTarget host = mlir::ssm::CPUTarget::host();
  for (const auto &[name, value] : compileTime)
    if (name == "vector_width")
      options.vectorWidth = static_cast<int>(value);
  Compiler compiler(context, graph, sources, options);
  if (mlir::failed(compiler.lower()) || mlir::failed(compiler.fuse()))
    return ssmrt::Status::error("compilation failed" +
                                (compiler.error().empty() ? "" : ": " + compiler.error()));
  // The family parameters asked for, on every op whose kernel has them.
  mlir::Builder b(&context);
  auto tilesAttr = mlir::ssm::ssmDialect(compiler.module()).getCpuTilesAttrHelper();
  compiler.module().walk([&](mlir::Operation *op) {
    if (!mlir::isa<mlir::ssm::SSMDialect>(op->getDialect()) ||
        mlir::ssm::cpuKernelKey(op, host).empty())
      return;
    llvm::SmallVector<mlir::NamedAttribute> tiles;
    for (const mlir::ssm::CPUTileParam &param : mlir::ssm::cpuTileParams(op))
      for (const auto &[name, value] : compileTime)
        if (name == param.name && name != "vector_width" && name != "chunks_per_thread")
          tiles.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(value)));
    if (!tiles.empty())
      tilesAttr.setAttr(op, b.getDictionaryAttr(tiles));
  });
  if (mlir::failed(compiler.outline()))
    return ssmrt::Status::error("compilation failed" +
                                (compiler.error().empty() ? "" : ": " + compiler.error()));
  mlir::FailureOr<ssmrt::Program> program = compiler.buildProgram();
  if (mlir::failed(program))
    return ssmrt::Status::error("compiling the kernels failed: " + compiler.error());
  CpuTunable t;
  t.program = std::move(*program);
  t.signatures.resize(t.program.cpu.kernels.size());
  t.configs.resize(t.program.cpu.kernels.size());
  std::map<std::string, size_t> index;
  for (size_t k = 0; k < t.program.cpu.kernels.size(); ++k)
    index[t.program.cpu.kernels[k].name] = k;
  mlir::ModuleOp module = compiler.module();
  auto kernelAttr = mlir::ssm::ssmDialect(module).getKernelAttrHelper();
  for (llvm::StringRef name : {"forward", "decode"})
    if (auto func = module.lookupSymbol<mlir::func::FuncOp>(name))
      func.walk([&](mlir::Operation *op) {
        mlir::StringAttr kernel = kernelAttr.getAttr(op);
        if (!kernel)
          return;
        auto it = index.find(kernel.str() + "_packed");
        if (it == index.end() || !t.signatures[it->second].empty())
          return;
        t.signatures[it->second] = mlir::ssm::cpuKernelSignature(op);
        t.configs[it->second] = configsFor(op, host);
      });
  return t;
}

ssmrt::StatusOr<ssmrt::Program> ssmc::compileWithCuda(const fe::Graph &graph,
                                                      const fe::SourceManager &sources,
                                                      const std::string &dtype) {
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  CompileOptions options;
  options.cuda = true;
  options.gpuDtype = dtype;
  Compiler compiler(context, graph, sources, options);
  if (mlir::failed(compiler.lower()) || mlir::failed(compiler.fuse()) ||
      mlir::failed(compiler.lowerCUDA()) || mlir::failed(compiler.outline()))
    return ssmrt::Status::error("compilation with CUDA kernels failed" +
                                (compiler.error().empty() ? "" : ": " + compiler.error()));
  mlir::FailureOr<ssmrt::Program> program = compiler.buildProgram();
  if (mlir::failed(program))
    return ssmrt::Status::error("compiling the kernels failed: " + compiler.error());
  return std::move(*program);
}
