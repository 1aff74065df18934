//===- ModelLoading.cpp - load a model file for a command -----------------===//
#include "tools/ssmc/ModelLoading.h"

#include <cstdio>

using namespace ssmc;

std::unique_ptr<fe::ModelFile> ssmc::loadModelFile(const std::string &path,
                                                   const std::vector<std::string> &includeDirs) {
  std::vector<std::string> dirs = includeDirs;
  dirs.push_back(fe::defaultModelsDir());
  auto file = std::make_unique<fe::ModelFile>(dirs);
  if (!file->load(path)) {
    std::fputs(file->error().c_str(), stderr);
    return nullptr;
  }
  return file;
}
