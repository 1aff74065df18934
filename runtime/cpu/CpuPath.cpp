//===- CpuPath.cpp - forcing a narrower CPU code path ---------------------===//
#include "runtime/cpu/CpuPath.h"

#include <cstdlib>
#include <cstring>

using namespace ssmrt;

namespace {

constexpr const char *kPaths[] = {"portable", "avx2", "avx512", "avx512vnni", "avx512bf16"};

/// The rank of |name| in kPaths, or -1.
int rank(const char *name) {
  for (int i = 0; i < 5; ++i)
    if (std::strcmp(name, kPaths[i]) == 0)
      return i;
  return -1;
}

int cap() {
  const char *env = std::getenv("SSMC_CPU_PATH");
  int r = env && *env ? rank(env) : -1;
  return r < 0 ? 4 : r;
}

} // namespace

bool ssmrt::cpuPathAllows(const char *variant) {
  int r = rank(variant);
  return r < 0 || r <= cap();
}

bool ssmrt::cpuPathIs(const char *variant) {
  const char *env = std::getenv("SSMC_CPU_PATH");
  return env && std::strcmp(env, variant) == 0;
}

Status ssmrt::checkCpuPath() {
  const char *env = std::getenv("SSMC_CPU_PATH");
  if (!env || !*env || rank(env) >= 0)
    return okStatus();
  return Status::error(
      std::string("SSMC_CPU_PATH must be avx512bf16, avx512vnni, avx512, avx2 or portable, "
                  "got '") +
      env + "'");
}
