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

std::string ssmc::cli::formatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

ArgParser::Option &ArgParser::Option::atLeast(double v) {
  lo = v;
  loOpen = false;
  return *this;
}

ArgParser::Option &ArgParser::Option::above(double v) {
  lo = v;
  loOpen = true;
  return *this;
}

ArgParser::Option &ArgParser::Option::atMost(double v) {
  hi = v;
  return *this;
}

ArgParser::Option &ArgParser::Option::inRange(double l, double h, bool open) {
  lo = l;
  hi = h;
  loOpen = open;
  return *this;
}

ArgParser::Option &ArgParser::Option::oneOf(std::vector<std::string> c) {
  choices = std::move(c);
  return *this;
}

std::string ArgParser::Option::reject(const std::string &value) const {
  if (!choices.empty()) {
    for (const std::string &c : choices)
      if (c == value)
        return "";
    std::string list;
    for (size_t i = 0; i < choices.size(); ++i)
      list += (i ? (i + 1 == choices.size() ? " or " : ", ") : "") + choices[i];
    return "--" + name + " must be " + list + ", got '" + value + "'";
  }
  bool low = lo && (loOpen ? number <= *lo : number < *lo), high = hi && number > *hi;
  if (!low && !high)
    return "";
  std::string must;
  if (lo && hi)
    must = std::string("in ") + (loOpen ? "(" : "[") + formatNumber(*lo) + ", " +
           formatNumber(*hi) + "]";
  else if (lo)
    must = (loOpen ? "greater than " : "at least ") + formatNumber(*lo);
  else
    must = "at most " + formatNumber(*hi);
  return "--" + name + " must be " + must + ", got " + value;
}

ArgParser::Option &ArgParser::add(const std::string &name, const std::string &shortName,
                                  const std::string &metavar, const std::string &help,
                                  bool takesValue,
                                  std::function<bool(const std::string &, std::string &)> set) {
  Option &o = opts_.emplace_back();
  o.name = name;
  o.shortName = shortName;
  o.metavar = metavar;
  o.help = help;
  o.takesValue = takesValue;
  o.set = std::move(set);
  return o;
}

ArgParser::Option &ArgParser::flag(const std::string &name, bool *out, const std::string &help,
                                   const std::string &shortName) {
  return add(name, shortName, "", help, false, [out](const std::string &, std::string &) {
    *out = true;
    return true;
  });
}

ArgParser::Option &ArgParser::option(const std::string &name, std::string *out,
                                     const std::string &metavar, const std::string &help,
                                     const std::string &shortName) {
  return add(name, shortName, metavar, help, true, [out](const std::string &v, std::string &) {
    *out = v;
    return true;
  });
}

ArgParser::Option &ArgParser::option(const std::string &name, int64_t *out,
                                     const std::string &metavar, const std::string &help,
                                     const std::string &shortName) {
  Option &o = add(name, shortName, metavar, help, true, nullptr);
  o.set = [out, &o](const std::string &v, std::string &error) {
    if (parseInt(v, *out)) {
      o.number = static_cast<double>(*out);
      return true;
    }
    error = "--" + o.name + " expects an integer, got '" + v + "'";
    return false;
  };
  return o;
}

ArgParser::Option &ArgParser::option(const std::string &name, double *out,
                                     const std::string &metavar, const std::string &help,
                                     const std::string &shortName) {
  Option &o = add(name, shortName, metavar, help, true, nullptr);
  o.set = [out, &o](const std::string &v, std::string &error) {
    char *end = nullptr;
    errno = 0;
    double d = std::strtod(v.c_str(), &end);
    if (!v.empty() && !*end && !errno && std::isfinite(d)) {
      *out = o.number = d;
      return true;
    }
    error = "--" + o.name + " expects a number, got '" + v + "'";
    return false;
  };
  return o;
}

ArgParser::Option &ArgParser::list(const std::string &name, std::vector<std::string> *out,
                                   const std::string &metavar, const std::string &help,
                                   const std::string &shortName) {
  return add(name, shortName, metavar, help, true, [out](const std::string &v, std::string &) {
    out->push_back(v);
    return true;
  });
}

void ArgParser::positional(const std::string &name, std::string *out, const std::string &help,
                           bool required) {
  positionals_.push_back({name, help, out, required});
}

ArgParser::Option *ArgParser::find(const std::string &name) {
  for (Option &o : opts_)
    if (o.name == name || (!o.shortName.empty() && o.shortName == name))
      return &o;
  return nullptr;
}

bool ArgParser::given(const std::string &name) const {
  for (const Option &o : opts_)
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
    Option *opt = find(name);
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
    if (!opt->set(value, why) || !(why = opt->reject(value)).empty()) {
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
  for (const Option &o : opts_) {
    std::string left = (o.shortName.empty() ? "" : "-" + o.shortName + ", ") + "--" + o.name +
                       (o.takesValue ? " " + o.metavar : "");
    out += "  " + left + std::string(left.size() < 22 ? 22 - left.size() : 1, ' ') + o.help + "\n";
  }
  out += "  -h, --help            show this help\n";
  return out;
}

void ssmc::cli::addWeightsDtypeOption(ArgParser &parser, std::string *dtype) {
  parser
      .option("weights-dtype", dtype, "DTYPE",
              "CPU: read the weights of matrix products as f32, bf16, f16 or int8 (a scale per "
              "32 values; default auto: bf16 or f16 when the checkpoint stores them so, else "
              "f32)")
      .oneOf({"auto", "f32", "bf16", "f16", "int8"});
}
