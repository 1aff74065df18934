//===- Console.h - what a command says on stderr ----------------*- C++ -*-===//
//
// Every message of a command is one line (a model file's diagnostics add
// their quoted source lines) that starts with the command:
//
//   ssmc run: --top-p must be in (0, 1], got 1.5
//   ssmc run: warning: --top-k has no effect at --temperature 0 (greedy)
//   ssmc run: note: 96 ops run in the float64 reference interpreter ...
//
// Progress lines are drawn on stderr only when it is a terminal (or when
// SSMC_PROGRESS=always), and erased when the work is done.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TOOLS_CLI_CONSOLE_H
#define SSMC_TOOLS_CLI_CONSOLE_H

#include "runtime/Status.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace ssmc::cli {

class Console {
public:
  /// |command|: "ssmc run", "ssmc-run bench", ...
  explicit Console(std::string command) : command_(std::move(command)) {}

  const std::string &command() const { return command_; }
  /// Quiet: no notes and no progress (warnings and errors still).
  void setQuiet(bool quiet) { quiet_ = quiet; }
  bool quiet() const { return quiet_; }
  /// Prints "<command>: <message>" and returns 1, the exit code of a
  /// command that fails.
  int fail(const std::string &message) const;
  int fail(const ssmrt::Status &status) const { return fail(status.message()); }
  void warn(const std::string &message) const;
  void note(const std::string &message) const;

  /// Whether progress lines are drawn: stderr is a terminal, or
  /// SSMC_PROGRESS=always (and not SSMC_PROGRESS=never).
  static bool progressEnabled();
  /// Draws "<command>: <what> <done>/<total>" over the previous progress
  /// line (at most 10 times a second, and always for the last step); done
  /// == total erases it. A no-op unless progressEnabled().
  void progress(const std::string &what, int64_t done, int64_t total);
  /// Draws "<command>: <what> ..." for work of unknown length, until
  /// clear() or the next progress line.
  void busy(const std::string &what);
  /// Erases the progress line, if one is drawn.
  void clear();

private:
  void line(const std::string &kind, const std::string &message) const;

  std::string command_;
  std::chrono::steady_clock::time_point lastDraw_{};
  bool quiet_ = false;
  mutable bool drawn_ = false; ///< a progress line is on the screen
};

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_CONSOLE_H
