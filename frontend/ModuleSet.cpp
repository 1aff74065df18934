//===- ModuleSet.cpp - a root .ssm file and everything it imports ---------===//
#include "frontend/ModuleSet.h"
#include "frontend/OpTable.h"
#include "frontend/Parser.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace ssmc::fe;

std::optional<std::string> ssmc::fe::readFileFromDisk(const std::string &path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
std::string dirName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// Collapses "a/./b" and "a/x/../b" so one file imported along two paths is
/// loaded once.
std::string normalizePath(const std::string &path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  std::string part;
  bool absolute = !path.empty() && path[0] == '/';
  while (std::getline(ss, part, '/')) {
    if (part.empty() || part == ".")
      continue;
    if (part == ".." && !parts.empty() && parts.back() != "..")
      parts.pop_back();
    else
      parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i ? "/" : "") + parts[i];
  return out.empty() ? "." : out;
}
} // namespace

bool ModuleSet::loadRoot(const std::string &path, std::string text) {
  return load(path, std::move(text));
}

std::optional<std::string> ModuleSet::resolveImport(const std::string &importer,
                                                    const std::string &name,
                                                    std::string &text) const {
  std::vector<std::string> candidates;
  if (!name.empty() && name[0] == '/')
    candidates.push_back(name);
  else {
    candidates.push_back(dirName(importer) + "/" + name);
    for (const std::string &dir : searchDirs_)
      candidates.push_back(dir + "/" + name);
  }
  for (const std::string &c : candidates) {
    if (std::optional<std::string> t = reader_(c)) {
      text = std::move(*t);
      return normalizePath(c);
    }
  }
  return std::nullopt;
}

bool ModuleSet::load(const std::string &path, std::string text) {
  loadedPaths_.push_back(normalizePath(path));
  uint32_t file = sources_.addFile(path, std::move(text));
  std::unique_ptr<Module> module = parseModule(sources_, file, diags_);
  if (!module)
    return false;
  Module *m = module.get();
  bool isRoot = modules_.empty();
  modules_.push_back(std::move(module));

  const BlockDecl *model = nullptr;
  for (const auto &block : m->blocks) {
    const std::string &name = block->name.name;
    if (block->isModel) {
      if (!isRoot)
        return diags_.error(block->name.loc, "model '" + name +
                                                 "' in an imported file: only the file given to "
                                                 "ssmc may define a model");
      if (model) {
        diags_.error(block->name.loc, "second model '" + name + "' in one file");
        diags_.note(model->name.loc, "the first model is defined here");
        return false;
      }
      model = block.get();
      continue;
    }
    if (lookupOp(name) || isScalarBuiltin(name))
      return diags_.error(block->name.loc,
                          "block '" + name + "' has the name of a built-in op or function");
    auto [it, inserted] = blocks_.emplace(name, block.get());
    if (!inserted) {
      diags_.error(block->name.loc, "duplicate block '" + name + "'");
      diags_.note(it->second->name.loc, "the first block '" + name + "' is defined here");
      return false;
    }
  }

  for (const ImportDecl &imp : m->imports) {
    std::string importedText;
    std::optional<std::string> resolved = resolveImport(path, imp.path, importedText);
    if (!resolved) {
      std::string searched = dirName(path);
      for (const std::string &dir : searchDirs_)
        searched += ", " + dir;
      return diags_.error(imp.loc, "cannot open imported file '" + imp.path + "' (searched " +
                                       searched + ")");
    }
    if (std::find(loadedPaths_.begin(), loadedPaths_.end(), *resolved) != loadedPaths_.end())
      continue;
    if (!load(*resolved, std::move(importedText)))
      return false;
  }
  return true;
}

const BlockDecl *ModuleSet::findBlock(const std::string &name) const {
  auto it = blocks_.find(name);
  return it == blocks_.end() ? nullptr : it->second;
}

const BlockDecl *ModuleSet::model() const {
  for (const auto &block : root().blocks)
    if (block->isModel)
      return block.get();
  return nullptr;
}
