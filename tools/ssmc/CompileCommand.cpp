//===- CompileCommand.cpp - ssmc compile ----------------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/ModelLoading.h"

#include "codegen/driver/Compiler.h"
#include "runtime/artifact/Artifact.h"
#include "tools/cli/ArgParser.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace ssmc;

namespace {
const char *kStages = "mlir, fused, kernels, llvm, artifact";

/// Writes |text| to |path| ('-' = stdout); false after printing an error.
bool writeOutput(const std::string &path, llvm::StringRef bytes, bool binary) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, binary ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
  if (ec) {
    std::fprintf(stderr, "ssmc compile: cannot write '%s': %s\n", path.c_str(),
                 ec.message().c_str());
    return false;
  }
  out << bytes;
  return true;
}
} // namespace

int ssmc::runCompileCommand(const std::vector<std::string> &args) {
  std::string path, emit, output = "-", target = "cpu";
  std::vector<std::string> includeDirs;
  bool noFoldDeltaProj = false;
  int64_t vectorWidth = 0;
  cli::ArgParser parser(
      "ssmc compile", "ssmc compile FILE.ssm [--emit=STAGE] [-o OUT] [options]",
      "Compiles a model file. Stages (--emit):\n"
      "  mlir      the ssm dialect as lowered from the model file\n"
      "  fused     after the fusion pipeline and the memory plan (@forward, @decode)\n"
      "  kernels   with the CPU kernel functions (scf/vector/memref) outlined\n"
      "  llvm      the CPU kernels as optimized LLVM IR for this machine\n"
      "  artifact  a .ssmx artifact (the default when -o names a .ssmx file)");
  parser.positional("FILE", &path, "a .ssm model file");
  parser.option("emit", &emit, "STAGE", "what to write (default: mlir, or artifact for -o X.ssmx)");
  parser.option("output", &output, "OUT", "output file ('-' for stdout, the default)", "o");
  parser.option("target", &target, "TARGET", "code generation target: cpu (the default)");
  parser.flag("no-fold-delta-proj", &noFoldDeltaProj,
              "keep dt_proj as a matrix product instead of folding it into the scan");
  parser.option("vector-width", &vectorWidth, "N",
                "f32 lanes per vector in CPU kernels (default: from the host CPU)");
  parser.list("include", &includeDirs, "DIR", "also search DIR for imports", "I");
  std::string error;
  switch (parser.parse(args, error)) {
  case cli::ArgParser::Result::Help:
    std::printf("%s", parser.help().c_str());
    return 0;
  case cli::ArgParser::Result::Error:
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  case cli::ArgParser::Result::Ok:
    break;
  }
  if (emit.empty())
    emit = llvm::StringRef(output).ends_with(".ssmx") ? "artifact" : "mlir";
  if (emit != "mlir" && emit != "fused" && emit != "kernels" && emit != "llvm" &&
      emit != "artifact") {
    std::fprintf(stderr, "ssmc compile: unknown --emit stage '%s' (expected one of: %s)\n",
                 emit.c_str(), kStages);
    return 1;
  }
  if (target != "cpu") {
    std::fprintf(stderr, "ssmc compile: unknown --target '%s' (expected: cpu)\n", target.c_str());
    return 1;
  }
  if (vectorWidth != 0 && vectorWidth != 4 && vectorWidth != 8 && vectorWidth != 16) {
    std::fprintf(stderr, "ssmc compile: --vector-width must be 4, 8 or 16\n");
    return 1;
  }
  if (emit == "artifact" && output == "-") {
    std::fprintf(stderr, "ssmc compile: --emit=artifact needs -o FILE.ssmx\n");
    return 1;
  }
  std::unique_ptr<fe::ModelFile> file = loadModelFile(path, includeDirs);
  if (!file)
    return 1;
  if (file->isLibrary()) {
    std::fprintf(stderr, "%s: error: the file defines no model (it is a library of blocks)\n",
                 path.c_str());
    return 1;
  }

  mlir::MLIRContext context;
  CompileOptions options;
  options.foldDeltaProj = !noFoldDeltaProj;
  options.vectorWidth = static_cast<int>(vectorWidth);
  Compiler compiler(context, file->graph(), file->sources(), options);
  auto fail = [&](const char *stage) {
    std::fprintf(stderr, "%s: error: %s failed%s%s\n", path.c_str(), stage,
                 compiler.error().empty() ? "" : ": ", compiler.error().c_str());
    return 1;
  };
  auto printModule = [&]() {
    std::string text;
    llvm::raw_string_ostream os(text);
    compiler.module().print(os);
    return writeOutput(output, text, false) ? 0 : 1;
  };
  if (failed(compiler.lower()))
    return fail("lowering to the ssm dialect");
  if (emit == "mlir")
    return printModule();
  if (failed(compiler.fuse()))
    return fail("the fusion pipeline");
  if (emit == "fused")
    return printModule();
  if (failed(compiler.outline()))
    return fail("building the CPU kernels");
  if (emit == "kernels")
    return printModule();
  if (emit == "llvm") {
    mlir::FailureOr<std::string> ir = compiler.kernelsLLVMIR();
    if (failed(ir))
      return fail("lowering the kernels to LLVM");
    return writeOutput(output, *ir, false) ? 0 : 1;
  }
  mlir::FailureOr<ssmrt::Program> program = compiler.buildProgram();
  if (failed(program))
    return fail("compiling the kernels");
  std::vector<uint8_t> bytes = ssmrt::writeArtifact(*program);
  if (!writeOutput(output, llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()),
                   true))
    return 1;
  std::fprintf(stderr, "wrote %s: %zu kernels, %zu bytes of native code for %s (%s, %d lanes)\n",
               output.c_str(), program->cpu.kernels.size(), program->cpu.object.size(),
               program->cpu.triple.c_str(), program->cpu.cpu.c_str(), program->cpu.vectorWidth);
  return 0;
}
