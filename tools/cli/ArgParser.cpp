//===- ArgParser.cpp - command-line options for ssmc and ssmc-run ---------===//
#include "tools/cli/ArgParser.h"

#include <cstdio>

#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace ssmc::cli;

namespace {
bool parseInt(const std::string &text, int64_t &out) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end)
    return false;
  out = v;
  return true;
}
} // namespace

bool ssmc::cli::parseIntList(const std::string &text, std::vector<int64_t> &out) {
  out.clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int64_t v;
    if (!parseInt(item, v))
      return false;
    out.push_back(v);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return !out.empty();
}

void ArgParser::flag(const std::string &name, bool *out, const std::string &help,
                     const std::string &shortName) {
  opts_.push_back({name, shortName, "", help, false, [out](const std::string &, std::string &) {
                     *out = true;
                     return true;
                   }});
}

void ArgParser::option(const std::string &name, std::string *out, const std::string &metavar,
                       const std::string &help, const std::string &shortName) {
  opts_.push_back(
      {name, shortName, metavar, help, true, [out](const std::string &v, std::string &) {
         *out = v;
         return true;
       }});
}

void ArgParser::option(const std::string &name, int64_t *out, const std::string &metavar,
                       const std::string &help, const std::string &shortName) {
  opts_.push_back(
      {name, shortName, metavar, help, true, [out, name](const std::string &v, std::string &error) {
         if (parseInt(v, *out))
           return true;
         error = "option --" + name + " expects an integer, got '" + v + "'";
         return false;
       }});
}

void ArgParser::option(const std::string &name, double *out, const std::string &metavar,
                       const std::string &help, const std::string &shortName) {
  opts_.push_back(
      {name, shortName, metavar, help, true, [out, name](const std::string &v, std::string &error) {
         char *end = nullptr;
         errno = 0;
         double d = std::strtod(v.c_str(), &end);
         if (!v.empty() && !*end && !errno && std::isfinite(d)) {
           *out = d;
           return true;
         }
         error = "option --" + name + " expects a number, got '" + v + "'";
         return false;
       }});
}

void ArgParser::list(const std::string &name, std::vector<std::string> *out,
                     const std::string &metavar, const std::string &help,
                     const std::string &shortName) {
  opts_.push_back(
      {name, shortName, metavar, help, true, [out](const std::string &v, std::string &) {
         out->push_back(v);
         return true;
       }});
}

void ArgParser::positional(const std::string &name, std::string *out, const std::string &help,
                           bool required) {
  positionals_.push_back({name, help, out, required});
}

ArgParser::Opt *ArgParser::find(const std::string &name) {
  for (Opt &o : opts_)
    if (o.name == name || (!o.shortName.empty() && o.shortName == name))
      return &o;
  return nullptr;
}

bool ArgParser::given(const std::string &name) const {
  for (const Opt &o : opts_)
    if (o.name == name)
      return o.seen;
  return false;
}

std::optional<int> ArgParser::parseOrReport(const std::vector<std::string> &args) {
  std::string error;
  switch (parse(args, error)) {
  case Result::Help: std::printf("%s", help().c_str()); return 0;
  case Result::Error: std::fprintf(stderr, "%s\n", error.c_str()); return 1;
  case Result::Ok: break;
  }
  return std::nullopt;
}

ArgParser::Result ArgParser::parse(const std::vector<std::string> &args, std::string &error) {
  size_t nextPos = 0;
  bool onlyPositionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (!onlyPositionals && (arg == "--help" || arg == "-h"))
      return Result::Help;
    if (!onlyPositionals && arg == "--") {
      onlyPositionals = true;
      continue;
    }
    bool isLong = !onlyPositionals && arg.size() > 2 && arg.compare(0, 2, "--") == 0;
    bool isShort = !onlyPositionals && !isLong && arg.size() >= 2 && arg[0] == '-' &&
                   !(arg[1] >= '0' && arg[1] <= '9');
    if (!isLong && !isShort) {
      if (nextPos >= positionals_.size()) {
        error = command_ + ": unexpected argument '" + arg + "'";
        return Result::Error;
      }
      *positionals_[nextPos++].out = arg;
      continue;
    }
    std::string name = isLong ? arg.substr(2) : arg.substr(1), value;
    bool hasValue = false;
    size_t eq = name.find('=');
    if (isLong && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      hasValue = true;
    }
    Opt *opt = find(name);
    if (!opt) {
      error = command_ + ": unknown option '" + arg + "' (see --help)";
      return Result::Error;
    }
    if (opt->takesValue && !hasValue) {
      if (i + 1 >= args.size()) {
        error = command_ + ": option '" + arg + "' needs a value";
        return Result::Error;
      }
      value = args[++i];
    } else if (!opt->takesValue && hasValue) {
      error = command_ + ": option '--" + name + "' takes no value";
      return Result::Error;
    }
    std::string why;
    if (!opt->set(value, why)) {
      error = command_ + ": " + why;
      return Result::Error;
    }
    opt->seen = true;
  }
  for (size_t p = nextPos; p < positionals_.size(); ++p)
    if (positionals_[p].required) {
      error = command_ + ": missing argument " + positionals_[p].name + " (see --help)";
      return Result::Error;
    }
  return Result::Ok;
}

std::string ArgParser::help() const {
  std::string out = "usage: " + synopsis_ + "\n\n" + description_ + "\n";
  if (!positionals_.empty()) {
    out += "\narguments:\n";
    for (const Pos &p : positionals_)
      out += "  " + p.name + std::string(p.name.size() < 22 ? 22 - p.name.size() : 1, ' ') +
             p.help + "\n";
  }
  out += "\noptions:\n";
  for (const Opt &o : opts_) {
    std::string left = (o.shortName.empty() ? "" : "-" + o.shortName + ", ") + "--" + o.name +
                       (o.takesValue ? " " + o.metavar : "");
    out += "  " + left + std::string(left.size() < 22 ? 22 - left.size() : 1, ' ') + o.help + "\n";
  }
  out += "  -h, --help            show this help\n";
  return out;
}
