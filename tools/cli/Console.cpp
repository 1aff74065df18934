//===- Console.cpp - what a command says on stderr ------------------------===//
#include "tools/cli/Console.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace ssmc::cli;

void Console::line(const std::string &kind, const std::string &message) const {
  if (drawn_)
    std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
  std::fprintf(stderr, "%s: %s%s\n", command_.c_str(), kind.c_str(), message.c_str());
}

int Console::fail(const std::string &message) const {
  line("", message);
  return 1;
}

void Console::warn(const std::string &message) const { line("warning: ", message); }

void Console::note(const std::string &message) const {
  if (!quiet_)
    line("note: ", message);
}

bool Console::progressEnabled() {
  const char *mode = std::getenv("SSMC_PROGRESS");
  if (mode && !std::strcmp(mode, "always"))
    return true;
  if (mode && !std::strcmp(mode, "never"))
    return false;
  return isatty(STDERR_FILENO);
}

void Console::progress(const std::string &what, int64_t done, int64_t total) {
  if (quiet_ || !progressEnabled())
    return;
  auto now = std::chrono::steady_clock::now();
  bool finished = done >= total;
  if (!finished && drawn_ && now - lastDraw_ < std::chrono::milliseconds(100))
    return;
  lastDraw_ = now;
  if (finished) {
    clear();
    return;
  }
  std::fprintf(stderr, "\r\033[K%s: %s %lld/%lld", command_.c_str(), what.c_str(),
               static_cast<long long>(done), static_cast<long long>(total));
  std::fflush(stderr);
  drawn_ = true;
}

void Console::busy(const std::string &what) {
  if (quiet_ || !progressEnabled())
    return;
  std::fprintf(stderr, "\r\033[K%s: %s ...", command_.c_str(), what.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Console::clear() {
  if (drawn_)
    std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}
