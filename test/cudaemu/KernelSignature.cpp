//===- KernelSignature.cpp - an emitted kernel's parameters ---------------===//
#include "KernelSignature.h"

#include <algorithm>
#include <cctype>

using ssmrt::Status;
using ssmrt::StatusOr;

namespace ssmc::cudaemu {
namespace {

bool isIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

size_t skipSpace(const std::string &text, size_t i) {
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
    ++i;
  return i;
}

/// The identifier starting at |i| (empty if none); advances |i| past it.
std::string readIdentifier(const std::string &text, size_t &i) {
  size_t start = i;
  if (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])))
    while (i < text.size() && isIdentifierChar(text[i]))
      ++i;
  return text.substr(start, i - start);
}

/// The index just past the parenthesis that closes the one at |open|, or
/// npos when it is not closed.
size_t skipParenthesized(const std::string &text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(')
      ++depth;
    else if (text[i] == ')' && --depth == 0)
      return i + 1;
  }
  return std::string::npos;
}

std::string trim(const std::string &text) {
  size_t begin = skipSpace(text, 0);
  size_t end = text.size();
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])))
    --end;
  return text.substr(begin, end - begin);
}

/// The storage of a parameter of |type|, or an error for types the launcher
/// cannot pass.
StatusOr<ParamKind> classify(const std::string &type) {
  if (type.find_first_of("&[") != std::string::npos)
    return Status::error("unsupported");
  if (type.find('*') != std::string::npos)
    return ParamKind::Pointer;
  // The base type without qualifiers, its words joined by single spaces.
  std::string base;
  for (size_t i = 0; (i = skipSpace(type, i)) < type.size();) {
    std::string word = readIdentifier(type, i);
    if (word.empty())
      return Status::error("unsupported");
    if (word == "const" || word == "volatile" || word == "__restrict__")
      continue;
    base += (base.empty() ? "" : " ") + word;
  }
  static const std::pair<const char *, ParamKind> kTypes[] = {
      {"int", ParamKind::Int32},
      {"signed", ParamKind::Int32},
      {"signed int", ParamKind::Int32},
      {"unsigned", ParamKind::UInt32},
      {"unsigned int", ParamKind::UInt32},
      {"long long", ParamKind::Int64},
      {"long long int", ParamKind::Int64},
      {"signed long long", ParamKind::Int64},
      {"unsigned long long", ParamKind::UInt64},
      {"unsigned long long int", ParamKind::UInt64},
      {"float", ParamKind::Float},
      {"double", ParamKind::Double},
  };
  for (const auto &[name, kind] : kTypes)
    if (base == name)
      return kind;
  return Status::error("unsupported");
}

/// Splits |list| (the text between the parentheses) into parameters.
StatusOr<std::vector<KernelParam>> parseParams(const std::string &entryName,
                                               const std::string &list) {
  std::vector<KernelParam> params;
  std::string trimmed = trim(list);
  if (trimmed.empty() || trimmed == "void")
    return params;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= trimmed.size(); ++i) {
    char c = i < trimmed.size() ? trimmed[i] : ',';
    depth += (c == '(') - (c == ')');
    if (c != ',' || depth != 0)
      continue;
    std::string text = trim(trimmed.substr(start, i - start));
    start = i + 1;
    // The name is the trailing identifier; the type is what precedes it.
    size_t nameStart = text.size();
    while (nameStart > 0 && isIdentifierChar(text[nameStart - 1]))
      --nameStart;
    KernelParam param{trim(text.substr(0, nameStart)), text.substr(nameStart), ParamKind::Pointer};
    StatusOr<ParamKind> kind = classify(param.type);
    if (param.type.empty() || param.name.empty() ||
        std::isdigit(static_cast<unsigned char>(param.name[0])) || classify(param.name).ok() ||
        !kind.ok())
      return Status::error("kernel '" + entryName + "': cannot pass parameter " +
                           std::to_string(params.size()) + " '" + text +
                           "' (the emulator passes named pointers, int, unsigned, long long, "
                           "unsigned long long, float and double)");
    param.kind = *kind;
    params.push_back(std::move(param));
  }
  return params;
}

} // namespace

std::string stripComments(const std::string &source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size();) {
    char c = source[i];
    if (c == '"' || c == '\'') {
      // A literal, copied up to its closing quote (or the end of the line).
      size_t end = i + 1;
      while (end < source.size() && source[end] != c && source[end] != '\n')
        end += source[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, source.size());
      out.append(source, i, end - i);
      i = end;
    } else if (source.compare(i, 2, "//") == 0) {
      i = std::min(source.find('\n', i), source.size());
      out += ' ';
    } else if (source.compare(i, 2, "/*") == 0) {
      size_t end = source.find("*/", i + 2);
      i = end == std::string::npos ? source.size() : end + 2;
      out += ' ';
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

StatusOr<std::vector<KernelParam>> parseKernelSignature(const std::string &source,
                                                        const std::string &entryName) {
  std::string text = stripComments(source);
  std::vector<std::string> kernels;
  static const std::string kGlobal = "__global__";
  for (size_t at = 0; (at = text.find(kGlobal, at)) != std::string::npos; at += kGlobal.size()) {
    if (at > 0 && isIdentifierChar(text[at - 1]))
      continue;
    size_t i = skipSpace(text, at + kGlobal.size());
    if (readIdentifier(text, i) != "void")
      continue;
    i = skipSpace(text, i);
    size_t boundsAt = i;
    if (readIdentifier(text, i) == "__launch_bounds__") {
      i = skipSpace(text, i);
      if (i >= text.size() || text[i] != '(' ||
          (i = skipParenthesized(text, i)) == std::string::npos)
        continue;
      i = skipSpace(text, i);
    } else {
      i = boundsAt;
    }
    std::string name = readIdentifier(text, i);
    i = skipSpace(text, i);
    if (name.empty() || i >= text.size() || text[i] != '(')
      continue;
    if (name != entryName) {
      kernels.push_back(name);
      continue;
    }
    size_t close = skipParenthesized(text, i);
    if (close == std::string::npos)
      return Status::error("kernel '" + entryName + "': the parameter list is not closed");
    return parseParams(entryName, text.substr(i + 1, close - i - 2));
  }
  std::string message = "kernel '" + entryName + "' not found in the source";
  if (kernels.empty())
    return Status::error(message + ", which defines no __global__ function");
  message += "; its __global__ functions:";
  for (const std::string &name : kernels)
    message += " " + name;
  return Status::error(message);
}

std::string callShim(const std::string &entryName, const std::vector<KernelParam> &params) {
  std::string call;
  for (size_t i = 0; i < params.size(); ++i) {
    std::string arg = "args[" + std::to_string(i) + "]";
    call += i ? ", " : "";
    if (params[i].kind == ParamKind::Pointer)
      call += "(" + params[i].type + ")*(void **)" + arg;
    else
      call += "*(" + params[i].type + " *)" + arg;
  }
  return "\n#line 1 \"ssmc_emu_call\"\n"
         "extern \"C\" __attribute__((visibility(\"default\"))) void\n"
         "ssmc_emu_call(const ssmc_emu_thread *thread, void **args) {\n"
         "  ssmc_emu_enter(thread);\n"
         "  " +
         entryName + "(" + call + ");\n}\n";
}

} // namespace ssmc::cudaemu
