//===- PromptInput.h - a prompt from a file or standard input ---*- C++ -*-===//
#ifndef SSMC_TOOLS_CLI_PROMPTINPUT_H
#define SSMC_TOOLS_CLI_PROMPTINPUT_H

#include "runtime/Status.h"

#include <string>

namespace ssmc::cli {

/// The whole of |path| ("-": standard input). Errors name the file. (The
/// tokenizer checks that it is UTF-8.)
ssmrt::StatusOr<std::string> readPrompt(const std::string &path);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_PROMPTINPUT_H
