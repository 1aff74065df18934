//===- ssmc-run.cpp - the runtime-only tool: run and bench artifacts ------===//
//
// Links no MLIR or LLVM: it runs .ssmx artifacts compiled elsewhere by
// `ssmc compile`.
//
//===----------------------------------------------------------------------===//
#include "tools/cli/Commands.h"
#include "tools/cli/GpuTune.h"
#include "tools/cli/Guarded.h"
#include "tools/cli/Version.h"

#include <cstdio>
#include <cstring>

namespace {
void printUsage(FILE *out) {
  std::fprintf(out, "usage: ssmc-run <command> [options] [--help]\n\n"
                    "Runs compiled ssmc artifacts (.ssmx) without the compiler.\n\ncommands:\n"
                    "  run        generate text from a model\n"
                    "  bench      measure prefill and decode throughput against their bounds\n"
                    "  perplexity score a text: negative log-likelihood per token and byte\n"
                    "  tune       find the fastest tiles of each CUDA kernel on this GPU\n"
                    "  cache      list or clean the kernels kept on disk\n\n"
                    "'ssmc-run --version' prints the version, and what of CUDA this machine "
                    "has.\n");
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    printUsage(stderr);
    return 1;
  }
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    printUsage(stdout);
    return 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::fputs(ssmc::cli::versionText("ssmc-run", "runtime only (no LLVM or MLIR)").c_str(),
               stdout);
    return 0;
  }
  ssmc::cli::ProgramLoader loader;
  loader.sourceHelp = "a compiled artifact (.ssmx, from `ssmc compile`)";
  loader.load = [](const std::string &source, std::string &, const std::string &,
                   const ssmc::TuningFlags &,
                   ssmc::cli::Console &) { return ssmc::cli::loadArtifact(source); };
  std::vector<std::string> args(argv + 2, argv + argc);
  if (!std::strcmp(argv[1], "run"))
    return ssmc::cli::runGuarded(
        "ssmc-run run", [&] { return ssmc::cli::runRunCommand("ssmc-run", args, loader); });
  if (!std::strcmp(argv[1], "bench"))
    return ssmc::cli::runGuarded(
        "ssmc-run bench", [&] { return ssmc::cli::runBenchCommand("ssmc-run", args, loader); });
  if (!std::strcmp(argv[1], "perplexity"))
    return ssmc::cli::runGuarded("ssmc-run perplexity", [&] {
      return ssmc::cli::runPerplexityCommand("ssmc-run", args, loader);
    });
  if (!std::strcmp(argv[1], "tune"))
    return ssmc::cli::runGuarded(
        "ssmc-run tune", [&] { return ssmc::cli::runArtifactTuneCommand("ssmc-run", args); });
  if (!std::strcmp(argv[1], "cache"))
    return ssmc::cli::runGuarded("ssmc-run cache",
                                 [&] { return ssmc::cli::runCacheCommand("ssmc-run", args); });
  std::fprintf(stderr, "ssmc-run: unknown command '%s' (see ssmc-run --help)\n", argv[1]);
  return 1;
}
