//===- ModelLoading.cpp - load a model file for a command -----------------===//
#include "tools/ssmc/ModelLoading.h"
#include "tools/ssmc/ImportHF.h"

#include <cstdio>
#include <sys/stat.h>

using namespace ssmc;

std::unique_ptr<fe::ModelFile> ssmc::loadModelFile(const std::string &path,
                                                   const std::vector<std::string> &includeDirs,
                                                   const cli::Console &console) {
  std::vector<std::string> dirs = includeDirs;
  dirs.push_back(fe::defaultModelsDir());
  auto file = std::make_unique<fe::ModelFile>(dirs);
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    ssmrt::StatusOr<std::string> text = importHuggingFaceConfig(path + "/config.json");
    if (!text.ok()) {
      console.fail(text.status());
      return nullptr;
    }
    if (!file->loadText(path + "/config.json (imported)", std::move(*text))) {
      console.fail("the model imported from " + path + "/config.json does not check:");
      std::fputs(file->error().c_str(), stderr);
      return nullptr;
    }
    return file;
  }
  if (!file->load(path)) {
    std::fputs(file->error().c_str(), stderr);
    return nullptr;
  }
  return file;
}
