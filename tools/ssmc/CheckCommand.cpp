//===- CheckCommand.cpp - ssmc check --------------------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/ModelLoading.h"

#include "frontend/MLIRGen.h"
#include "frontend/ModelSummary.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Console.h"

#include "mlir/IR/MLIRContext.h"

#include <cstdio>

using namespace ssmc;

int ssmc::runCheckCommand(const std::vector<std::string> &args) {
  std::string path;
  std::vector<std::string> includeDirs;
  int64_t contextTokens = 0;
  cli::ArgParser parser(
      "ssmc check", "ssmc check FILE.ssm [-I DIR]... [--ctx N]",
      "Parses FILE and everything it imports, checks names, calls and arguments,\n"
      "and for a model also shapes (by elaborating it and lowering it to the ssm\n"
      "dialect, which is verified). Prints the parameter count, the layers by\n"
      "kind, the recurrent state per sequence and, with attention layers, the\n"
      "KV cache per token and (--ctx) per sequence. A file without a model is a\n"
      "library of blocks: its names and calls are checked; shapes are checked\n"
      "where a model uses the blocks.");
  parser.positional("FILE", &path, "a .ssm model or library file");
  parser.list("include", &includeDirs, "DIR",
              "also search DIR for imports (after the importing file's folder)", "I");
  parser
      .option("ctx", &contextTokens, "N",
              "with attention layers: also the memory per sequence of N tokens (KV cache and "
              "recurrent state)")
      .atLeast(1);
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  cli::Console console("ssmc check");
  std::unique_ptr<fe::ModelFile> file = loadModelFile(path, includeDirs, console);
  if (!file)
    return 1;
  if (file->isLibrary()) {
    std::string names;
    size_t count = 0;
    for (const auto &block : file->modules().root().blocks) {
      names += (count++ ? ", " : "") + block->name.name;
    }
    if (count == 0)
      return console.fail(path + ": the file defines no model and no blocks");
    std::printf("library %s: %zu block%s (%s); names, calls and arguments checked\n", path.c_str(),
                count, count == 1 ? "" : "s", names.c_str());
    return 0;
  }
  mlir::MLIRContext context;
  if (!fe::mlirGen(context, file->graph(), file->sources())) {
    return console.fail(path + ": internal error: the generated ssm dialect does not verify");
  }
  std::printf("%s", fe::summarizeModel(file->graph(), contextTokens).c_str());
  return 0;
}
