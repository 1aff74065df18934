//===- ModelFile.cpp - load, check and elaborate a .ssm file --------------===//
#include "frontend/ModelFile.h"
#include "frontend/Elaborator.h"
#include "frontend/Resolver.h"

#include <cstdlib>

using namespace ssmc::fe;

ModelFile::ModelFile(std::vector<std::string> searchDirs, FileReader reader)
    : diags_(sources_), modules_(std::make_unique<ModuleSet>(
                            sources_, diags_, std::move(searchDirs), std::move(reader))) {}

bool ModelFile::load(const std::string &path) {
  std::optional<std::string> text = readFileFromDisk(path);
  if (!text) {
    error_ = path + ": error: cannot read the file (missing, a directory, or unreadable)\n";
    return false;
  }
  return loadText(path, std::move(*text));
}

bool ModelFile::loadText(const std::string &path, std::string text) {
  bool ok = modules_->loadRoot(path, std::move(text)) && resolveModules(*modules_, diags_);
  if (ok && modules_->model()) {
    graph_ = elaborateModel(*modules_, diags_);
    ok = graph_.has_value();
  }
  if (!ok)
    error_ = diags_.format();
  return ok;
}

std::string ssmc::fe::defaultModelsDir() {
  if (const char *dir = std::getenv("SSMC_MODELS_DIR"))
    return dir;
  return SSMC_DEFAULT_MODELS_DIR;
}
