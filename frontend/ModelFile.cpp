//===- ModelFile.cpp - load, check and elaborate a .ssm file --------------===//
#include "frontend/ModelFile.h"
#include "frontend/Elaborator.h"
#include "frontend/Resolver.h"

#include <climits>
#include <cstdlib>
#include <unistd.h>

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
  // Relative to the executable: <prefix>/bin/ssmc reads
  // <prefix>/share/ssmc/models, in an install and in the build tree (where
  // build/share/ssmc/models links to the sources' models/), wherever either
  // has been moved.
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  std::string dir = n > 0 ? std::string(exe, n) : std::string(".");
  dir = dir.substr(0, dir.find_last_of('/') + 1) + "../share/ssmc/models";
  char real[PATH_MAX];
  return realpath(dir.c_str(), real) ? std::string(real) : dir;
}
