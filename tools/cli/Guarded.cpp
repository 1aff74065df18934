//===- Guarded.cpp - a command that cannot end in an abort ----------------===//
#include "tools/cli/Guarded.h"

#include <cstdio>
#include <new>
#include <system_error>

int ssmc::cli::runGuarded(const std::string &tool, const std::function<int()> &command) {
  try {
    return command();
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "%s: out of memory\n", tool.c_str());
  } catch (const std::system_error &e) {
    std::fprintf(stderr, "%s: %s (%s)\n", tool.c_str(), e.what(), e.code().message().c_str());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: internal error: %s\n", tool.c_str(), e.what());
  }
  return 1;
}
