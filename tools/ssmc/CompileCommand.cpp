//===- CompileCommand.cpp - ssmc compile ----------------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/ModelLoading.h"

#include "frontend/MLIRGen.h"
#include "tools/cli/ArgParser.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace ssmc;

int ssmc::runCompileCommand(const std::vector<std::string> &args) {
  std::string path, emit = "mlir", output = "-";
  std::vector<std::string> includeDirs;
  cli::ArgParser parser("ssmc compile",
                        "ssmc compile FILE.ssm --emit=mlir [-o OUT] [-I DIR]...",
                        "Compiles a model file. Stages (--emit):\n"
                        "  mlir    the ssm dialect as lowered from the model file");
  parser.positional("FILE", &path, "a .ssm model file");
  parser.option("emit", &emit, "STAGE", "what to write (default: mlir)");
  parser.option("output", &output, "OUT", "output file ('-' for stdout, the default)", "o");
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
  if (emit != "mlir") {
    std::fprintf(stderr, "ssmc compile: unknown --emit stage '%s' (expected: mlir)\n",
                 emit.c_str());
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
  mlir::OwningOpRef<mlir::ModuleOp> module =
      fe::mlirGen(context, file->graph(), file->sources());
  if (!module) {
    std::fprintf(stderr, "%s: error: internal: the generated ssm dialect does not verify\n",
                 path.c_str());
    return 1;
  }
  std::error_code ec;
  llvm::raw_fd_ostream out(output, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    std::fprintf(stderr, "ssmc compile: cannot write '%s': %s\n", output.c_str(),
                 ec.message().c_str());
    return 1;
  }
  module->print(out);
  return 0;
}
