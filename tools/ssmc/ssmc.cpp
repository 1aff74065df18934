//===- ssmc.cpp - the ssmc command-line driver ----------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/ProgramSources.h"

#include "tools/cli/Commands.h"
#include "tools/cli/Guarded.h"

#include "tools/cli/Version.h"

#include "llvm/Config/llvm-config.h"

#include <cstdio>
#include <cstring>

namespace {
struct Command {
  const char *name;
  int (*run)(const std::vector<std::string> &);
  const char *help;
};

ssmc::cli::ProgramLoader programLoader() {
  ssmc::cli::ProgramLoader loader;
  loader.sourceHelp = "a model file (.ssm, compiled for this CPU and cached), a compiled\n"
                      "artifact (.ssmx), or a Hugging Face checkpoint directory (its\n"
                      "config.json is imported as a model file; it also gives the weights)";
  loader.load = ssmc::loadProgramSource;
  return loader;
}

int runRun(const std::vector<std::string> &args) {
  return ssmc::cli::runRunCommand("ssmc", args, programLoader());
}

int runBench(const std::vector<std::string> &args) {
  return ssmc::cli::runBenchCommand("ssmc", args, programLoader());
}

int runPerplexity(const std::vector<std::string> &args) {
  return ssmc::cli::runPerplexityCommand("ssmc", args, programLoader());
}

int runCache(const std::vector<std::string> &args) {
  return ssmc::cli::runCacheCommand("ssmc", args);
}

const Command kCommands[] = {
    {"check", ssmc::runCheckCommand,
     "parse and check a model file or a library of blocks; print a summary"},
    {"compile", ssmc::runCompileCommand,
     "compile a model: a .ssmx artifact, or a stage with --emit"},
    {"run", runRun, "generate text from a model"},
    {"bench", runBench, "measure prefill and decode throughput against their bounds"},
    {"perplexity", runPerplexity, "score a text: negative log-likelihood per token and byte"},
    {"import-hf", ssmc::runImportCommand,
     "write a model file from a Hugging Face checkpoint's config.json"},
    {"run-op", ssmc::runRunOpCommand,
     "compile and run one function of ssm ops on tensors from a file"},
    {"tune", ssmc::runTuneCommand,
     "find the fastest configuration of each CPU kernel; keep them for compile"},
    {"cache", runCache, "list or clean the compiled programs and kernels kept on disk"},
};

void printUsage(FILE *out) {
  std::fprintf(out, "usage: ssmc <command> [options] [--help]\n\n"
                    "ssmc compiles state-space language models (Mamba-1, Mamba-2, Jamba)\n"
                    "described in .ssm files.\n\ncommands:\n");
  for (const Command &c : kCommands)
    std::fprintf(out, "  %-10s %s\n", c.name, c.help);
  std::fprintf(out, "\nRun 'ssmc <command> --help' for the options of a command;\n"
                    "'ssmc --version' for the version, and what of CUDA this machine has.\n");
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    printUsage(stderr);
    return 1;
  }
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    printUsage(stdout);
    return 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::fputs(ssmc::cli::versionText("ssmc", "LLVM and MLIR " LLVM_VERSION_STRING).c_str(),
               stdout);
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command &c : kCommands)
    if (!std::strcmp(argv[1], c.name))
      return ssmc::cli::runGuarded(std::string("ssmc ") + c.name, [&] { return c.run(args); });
  std::fprintf(stderr, "ssmc: unknown command '%s' (see ssmc --help)\n", argv[1]);
  return 1;
}
