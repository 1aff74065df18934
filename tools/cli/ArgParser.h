//===- ArgParser.h - command-line options for ssmc and ssmc-run -*- C++ -*-===//
//
// A small parser with no dependencies (ssmc-run links no LLVM): long options
// `--name VALUE` / `--name=VALUE`, short aliases, flags, positionals, and a
// generated --help. Every bad flag gets one line naming it: unknown options,
// missing values, values of the wrong type, and values outside the range or
// set that option() declared (`.atLeast(0)`, `.inRange(0, 1)`, `.oneOf(...)`).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TOOLS_CLI_ARGPARSER_H
#define SSMC_TOOLS_CLI_ARGPARSER_H

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ssmc::cli {

class ArgParser {
public:
  /// An option as registered; the methods declare what values it accepts.
  class Option {
  public:
    /// value >= |lo|.
    Option &atLeast(double lo);
    /// value > |lo|.
    Option &above(double lo);
    /// value <= |hi|.
    Option &atMost(double hi);
    /// |lo| <= value <= |hi| (|loOpen|: value > |lo|).
    Option &inRange(double lo, double hi, bool loOpen = false);
    /// One of |choices| (string options).
    Option &oneOf(std::vector<std::string> choices);

  private:
    friend class ArgParser;
    /// Why |value| (as given) is not accepted, or "".
    std::string reject(const std::string &value) const;

    std::string name, shortName, metavar, help;
    bool takesValue = false;
    std::function<bool(const std::string &value, std::string &error)> set;
    bool seen = false;
    double number = 0; ///< the parsed value of a numeric option
    std::optional<double> lo, hi;
    bool loOpen = false;
    std::vector<std::string> choices;
  };

  ArgParser(std::string command, std::string synopsis, std::string description)
      : command_(std::move(command)), synopsis_(std::move(synopsis)),
        description_(std::move(description)) {}

  Option &flag(const std::string &name, bool *out, const std::string &help,
               const std::string &shortName = "");
  Option &option(const std::string &name, std::string *out, const std::string &metavar,
                 const std::string &help, const std::string &shortName = "");
  Option &option(const std::string &name, int64_t *out, const std::string &metavar,
                 const std::string &help, const std::string &shortName = "");
  Option &option(const std::string &name, double *out, const std::string &metavar,
                 const std::string &help, const std::string &shortName = "");
  /// Repeatable option; each occurrence appends.
  Option &list(const std::string &name, std::vector<std::string> *out, const std::string &metavar,
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
  struct Pos {
    std::string name, help;
    std::string *out;
    bool required;
  };
  Option &add(const std::string &name, const std::string &shortName, const std::string &metavar,
              const std::string &help, bool takesValue,
              std::function<bool(const std::string &, std::string &)> set);
  Option *find(const std::string &name);
  std::string command_, synopsis_, description_;
  std::deque<Option> opts_; // a deque: option() hands out references
  std::vector<Pos> positionals_;
};

/// Parses a comma-separated list of integers ("1,2,3"); false on junk.
bool parseIntList(const std::string &text, std::vector<int64_t> &out);

/// |v| as a short decimal: "3", "0.5", "1e-05".
std::string formatNumber(double v);

/// --weights-dtype DTYPE (run, bench, perplexity): SessionOptions::weightsDtype.
void addWeightsDtypeOption(ArgParser &parser, std::string *dtype);

} // namespace ssmc::cli

#endif // SSMC_TOOLS_CLI_ARGPARSER_H
