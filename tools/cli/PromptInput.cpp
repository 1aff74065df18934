//===- PromptInput.cpp - a prompt from a file or standard input -----------===//
#include "tools/cli/PromptInput.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace ssmc;

ssmrt::StatusOr<std::string> ssmc::cli::readPrompt(const std::string &path) {
  bool stdinput = path == "-";
  std::string name = stdinput ? "standard input" : path;
  FILE *f = stdinput ? stdin : std::fopen(path.c_str(), "rb");
  if (!f)
    return ssmrt::Status::error(name + ": cannot open: " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
    text.append(buffer, n);
  bool failed = std::ferror(f);
  int err = errno;
  if (!stdinput)
    std::fclose(f);
  if (failed)
    return ssmrt::Status::error(name + ": cannot read: " + std::strerror(err));
  return text;
}
