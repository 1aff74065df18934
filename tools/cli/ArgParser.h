//===- ArgParser.h - command-line options for ssmc and ssmc-run -*- C++ -*-===//
//
// A small parser with no dependencies (ssmc-run links no LLVM): long options
// `--name VALUE` / `--name=VALUE`, short aliases, flags, positionals, and a
// generated --help. Every bad flag gets one line naming it.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TOOLS_CLI_ARGPARSER_H
#define SSMC_TOOLS_CLI_ARGPARSER_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ssmc::cli {

class ArgParser {
public:
  ArgParser(std::string command, std::string synopsis, std::string description)
      : command_(std::move(command)), synopsis_(std::move(synopsis)),
        description_(std::move(description)) {}

  void flag(const std::string &name, bool *out, const std::string &help,
            const std::string &shortName = "");
  void option(const std::string &name, std::string *out, const std::string &metavar,
              const std::string &help, const std::string &shortName = "");
  void option(const std::string &name, int64_t *out, const std::string &metavar,
              const std::string &help, const std::string &shortName = "");
  void option(const std::string &name, double *out, const std::string &metavar,
              const std::string &help, const std::string &shortName = "");
  /// Repeatable option; each occurrence appends.
  void list(const std::string &name, std::vector<std::string> *out, const std::string &metavar,
            const std::string &help, const std::string &shortName = "");
  void positional(const std::string &name, std::string *out, const std::string &help,
                  bool required = true);

  enum class Result { Ok, Help, Error };
  /// Parses |args| (without the program and command names). On Error,
  /// |error| holds one line; on Help, the caller prints help() and exits 0.
  Result parse(const std::vector<std::string> &args, std::string &error);
  /// parse(), then what every command does with the result: prints help()
  /// (stdout) or the error (stderr) and returns the exit code (0 or 1);
  /// nullopt when the command should go on.
  std::optional<int> parseOrReport(const std::vector<std::string> &args);
  std::string help() const;
  /// Whether option |name| appeared on the command line.
  bool given(const std::string &name) const;

private:
  struct Opt {
    std::string name, shortName, metavar, help;
    bool takesValue;
    std::function<bool(const std::string &value, std::string &error)> set;
    bool seen = false;
  };
  struct Pos {
    std::string name, help;
    std::string *out;
    bool required;
  };
  Opt *find(const std::string &name);
  std::string command_, synopsis_, description_;
  std::vector<Opt> opts_;
  std::vector<Pos> positionals_;
};

/// Parses a comma-separated list of integers ("1,2,3"); false on junk.
bool parseIntList(const std::string &text, std::vector<int64_t> &out);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_ARGPARSER_H
