//===- ssmc.cpp - the ssmc command-line driver ----------------------------===//
#include "tools/ssmc/Commands.h"

#include <cstdio>
#include <cstring>

namespace {
struct Command {
  const char *name;
  int (*run)(const std::vector<std::string> &);
  const char *help;
};

const Command kCommands[] = {
    {"check", ssmc::runCheckCommand,
     "parse and check a model file or a library of blocks; print a summary"},
    {"compile", ssmc::runCompileCommand,
     "compile a model; --emit=mlir prints the ssm dialect"},
};

void printUsage(FILE *out) {
  std::fprintf(out, "usage: ssmc <command> [options] [--help]\n\n"
                    "ssmc compiles state-space language models (Mamba-1, Mamba-2, Jamba)\n"
                    "described in .ssm files.\n\ncommands:\n");
  for (const Command &c : kCommands)
    std::fprintf(out, "  %-10s %s\n", c.name, c.help);
  std::fprintf(out, "\nRun 'ssmc <command> --help' for the options of a command.\n");
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
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command &c : kCommands)
    if (!std::strcmp(argv[1], c.name))
      return c.run(args);
  std::fprintf(stderr, "ssmc: unknown command '%s' (see ssmc --help)\n", argv[1]);
  return 1;
}
