//===- ModelFile.h - load, check and elaborate a .ssm file ------*- C++ -*-===//
#ifndef SSMC_FRONTEND_MODELFILE_H
#define SSMC_FRONTEND_MODELFILE_H

#include "frontend/Graph.h"
#include "frontend/ModuleSet.h"

#include <memory>
#include <optional>

namespace ssmc::fe {

/// The frontend in one call: parse a file and its imports, resolve names and
/// calls, and elaborate the model when the file has one.
class ModelFile {
public:
  explicit ModelFile(std::vector<std::string> searchDirs, FileReader reader = readFileFromDisk);

  /// Loads |path| from disk; false with error() set on failure.
  bool load(const std::string &path);
  /// Loads |text| as if it were the file |path| (tests, fuzzing).
  bool loadText(const std::string &path, std::string text);

  bool isLibrary() const { return !graph_.has_value(); }
  const Graph &graph() const { return *graph_; }
  const ModuleSet &modules() const { return *modules_; }
  const SourceManager &sources() const { return sources_; }
  /// The formatted first error ("file:line:col: error: ..." and the quote).
  const std::string &error() const { return error_; }

private:
  SourceManager sources_;
  DiagnosticEngine diags_;
  std::unique_ptr<ModuleSet> modules_;
  std::optional<Graph> graph_;
  std::string error_;
};

/// The directory holding the standard library folder `std/`:
/// $SSMC_MODELS_DIR, else share/ssmc/models beside the executable's bin/.
std::string defaultModelsDir();

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_MODELFILE_H
