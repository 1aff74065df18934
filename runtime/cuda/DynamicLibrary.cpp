//===- DynamicLibrary.cpp - RAII dlopen of the first loadable name --------===//
#include "runtime/cuda/DynamicLibrary.h"

#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <utility>

using namespace ssmrt;
using namespace ssmrt::cuda;

/// "a, b, c": the names tried, for messages.
static std::string joinNames(const std::vector<std::string> &names) {
  std::string joined;
  for (const std::string &name : names)
    joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

StatusOr<DynamicLibrary> DynamicLibrary::openFirst(const std::vector<std::string> &candidates) {
  std::string firstError, tellingError;
  for (const std::string &name : candidates) {
    // RTLD_LOCAL: the CUDA libraries' symbols must not satisfy anyone else's
    // undefined references by accident.
    if (void *handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL))
      return DynamicLibrary(handle, name);
    const char *error = ::dlerror();
    std::string message = error ? error : name + ": dlopen failed";
    if (firstError.empty())
      firstError = message;
    if (tellingError.empty() && message.find("No such file or directory") == std::string::npos)
      tellingError = message;
  }
  if (candidates.empty())
    return Status::error("no library names to try");
  return Status::error("tried " + joinNames(candidates) + "; " +
                       (tellingError.empty() ? firstError : tellingError));
}

DynamicLibrary::DynamicLibrary(DynamicLibrary &&other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), name_(std::move(other.name_)) {}

DynamicLibrary &DynamicLibrary::operator=(DynamicLibrary &&other) noexcept {
  if (this != &other) {
    if (handle_)
      ::dlclose(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

DynamicLibrary::~DynamicLibrary() {
  if (handle_)
    ::dlclose(handle_);
}

void *DynamicLibrary::symbol(const char *symbol) const {
  return handle_ ? ::dlsym(handle_, symbol) : nullptr;
}

std::vector<std::string>
ssmrt::cuda::cudaLibraryCandidates(const std::vector<std::string> &sonames) {
  std::vector<std::string> dirs;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(var); value && *value)
      dirs.push_back(std::string(value) + "/lib64");
  dirs.push_back("/usr/local/cuda/lib64");

  std::vector<std::string> candidates;
  auto add = [&](std::string name) {
    if (std::find(candidates.begin(), candidates.end(), name) == candidates.end())
      candidates.push_back(std::move(name));
  };
  for (const std::string &soname : sonames) {
    add(soname);
    for (const std::string &dir : dirs)
      add(dir + "/" + soname);
  }
  return candidates;
}
