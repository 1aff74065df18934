//===- Guarded.h - a command that cannot end in an abort --------*- C++ -*-===//
#ifndef SSMC_TOOLS_CLI_GUARDED_H
#define SSMC_TOOLS_CLI_GUARDED_H

#include <functional>
#include <string>

namespace ssmc::cli {

/// Runs |command| and returns its exit code; an exception that escapes it
/// (std::bad_alloc when memory runs out, std::system_error when no thread
/// can be started) becomes one line, "<tool>: out of memory" or
/// "<tool>: <what>", and exit code 1 instead of std::terminate.
int runGuarded(const std::string &tool, const std::function<int()> &command);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_GUARDED_H
