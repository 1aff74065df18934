//===- Cache.cpp - where ssmc keeps compiled programs and kernels ---------===//
#include "runtime/io/Cache.h"
#include "runtime/io/Files.h"

#include <cstdlib>
#include <unistd.h>

using namespace ssmrt;

namespace {
/// A non-empty environment variable, or nullptr.
const char *envVar(const char *name) {
  const char *value = std::getenv(name);
  return value && *value ? value : nullptr;
}
} // namespace

StatusOr<std::string> ssmrt::cacheRoot() {
  if (const char *dir = envVar("SSMC_CACHE_DIR"))
    return std::string(dir);
  if (const char *xdg = envVar("XDG_CACHE_HOME"))
    return std::string(xdg) + "/ssmc";
  if (const char *home = envVar("HOME"))
    return std::string(home) + "/.cache/ssmc";
  const char *tmp = envVar("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/ssmc-cache-" + std::to_string(::getuid());
}

StatusOr<std::string> ssmrt::cacheDirectory(const std::string &sub) {
  StatusOr<std::string> root = cacheRoot();
  if (!root.ok())
    return root.status();
  std::string dir = sub.empty() ? *root : *root + "/" + sub;
  SSMRT_RETURN_IF_ERROR(createDirectories(dir).withPrefix("cache"));
  return dir;
}
