//===- Commands.h - the subcommands of ssmc ---------------------*- C++ -*-===//
#ifndef SSMC_TOOLS_SSMC_COMMANDS_H
#define SSMC_TOOLS_SSMC_COMMANDS_H

#include <string>
#include <vector>

namespace ssmc {

/// Each command takes its arguments (after the command name) and returns the
/// process exit code: 0 success, 1 any error (one message on stderr).
int runCheckCommand(const std::vector<std::string> &args);
int runCompileCommand(const std::vector<std::string> &args);
int runImportCommand(const std::vector<std::string> &args);
int runRunOpCommand(const std::vector<std::string> &args);
/// `ssmc tune`: measures kernel configurations into the tuning database.
int runTuneCommand(const std::vector<std::string> &args);

} // namespace ssmc

#endif // SSMC_TOOLS_SSMC_COMMANDS_H
