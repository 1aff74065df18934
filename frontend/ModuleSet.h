//===- ModuleSet.h - a root .ssm file and everything it imports -*- C++ -*-===//
#ifndef SSMC_FRONTEND_MODULESET_H
#define SSMC_FRONTEND_MODULESET_H

#include "frontend/AST.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ssmc::fe {

/// Reads a file's text; returns nullopt if it cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string &path)>;

/// Reads files from the file system (rejects directories and unreadable files).
std::optional<std::string> readFileFromDisk(const std::string &path);

/// Parses a root file and, transitively, the files it imports (each once).
/// `import "p"` is looked up relative to the importing file, then in each
/// search directory in order.
class ModuleSet {
public:
  ModuleSet(SourceManager &sources, DiagnosticEngine &diags, std::vector<std::string> searchDirs,
            FileReader reader = readFileFromDisk)
      : sources_(sources), diags_(diags), searchDirs_(std::move(searchDirs)),
        reader_(std::move(reader)) {}

  /// Parses |text| as the root file named |path| and loads its imports.
  bool loadRoot(const std::string &path, std::string text);

  const std::vector<std::unique_ptr<Module>> &modules() const { return modules_; }
  const Module &root() const { return *modules_.front(); }
  /// The block named |name| in any loaded file, or null.
  const BlockDecl *findBlock(const std::string &name) const;
  /// The model of the root file, or null for a library of blocks.
  const BlockDecl *model() const;

private:
  bool load(const std::string &path, std::string text);
  std::optional<std::string> resolveImport(const std::string &importer, const std::string &name,
                                           std::string &text) const;

  SourceManager &sources_;
  DiagnosticEngine &diags_;
  std::vector<std::string> searchDirs_;
  FileReader reader_;
  std::vector<std::unique_ptr<Module>> modules_;
  std::map<std::string, const BlockDecl *> blocks_;
  std::vector<std::string> loadedPaths_;
};

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_MODULESET_H
