//===- KernelLibrary.cpp - the native kernels of an artifact --------------===//
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/io/Sha256.h"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

using namespace ssmrt;

namespace {

bool makeDirectories(const std::string &path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/')
      continue;
    std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return false;
  }
  return true;
}

} // namespace

std::string ssmrt::cacheDirectory() {
  std::string dir;
  if (const char *env = std::getenv("SSMC_CACHE_DIR"))
    dir = env;
  else if (const char *xdg = std::getenv("XDG_CACHE_HOME"))
    dir = std::string(xdg) + "/ssmc";
  else if (const char *home = std::getenv("HOME"))
    dir = std::string(home) + "/.cache/ssmc";
  else
    dir = "/tmp/ssmc-cache";
  makeDirectories(dir);
  return dir;
}

bool ssmrt::hostSupportsFeatures(const std::string &features, std::string &missing) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  // The extensions the generated code can use that the CPU may lack.
  struct Feature {
    const char *name;
    int present;
  };
  const Feature known[] = {
      {"avx", __builtin_cpu_supports("avx")},
      {"avx2", __builtin_cpu_supports("avx2")},
      {"fma", __builtin_cpu_supports("fma")},
      {"avx512f", __builtin_cpu_supports("avx512f")},
      {"avx512bw", __builtin_cpu_supports("avx512bw")},
      {"avx512dq", __builtin_cpu_supports("avx512dq")},
      {"avx512vl", __builtin_cpu_supports("avx512vl")},
      {"avx512cd", __builtin_cpu_supports("avx512cd")},
      {"avx512bf16", __builtin_cpu_supports("avx512bf16")},
      {"f16c", __builtin_cpu_supports("f16c")},
      {"bmi2", __builtin_cpu_supports("bmi2")},
  };
  size_t pos = 0;
  while (pos < features.size()) {
    size_t comma = features.find(',', pos);
    std::string f =
        features.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? features.size() : comma + 1;
    if (f.size() < 2 || f[0] != '+')
      continue;
    for (const Feature &k : known)
      if (f.compare(1, std::string::npos, k.name) == 0 && !k.present) {
        missing = k.name;
        return false;
      }
  }
  return true;
#else
  (void)features;
  (void)missing;
  return true;
#endif
}

StatusOr<std::unique_ptr<KernelLibrary>> KernelLibrary::load(const CpuCode &code) {
  if (code.object.empty())
    return Status::error("the artifact has no native CPU code");
  struct utsname host;
  uname(&host);
  std::string arch = code.triple.substr(0, code.triple.find('-'));
  if (arch != host.machine)
    return Status::error("the artifact's CPU code is for " + code.triple + ", this machine is " +
                         host.machine + "; recompile the model here");
  std::string missing;
  if (!hostSupportsFeatures(code.features, missing))
    return Status::error("the artifact's CPU code was compiled for " + code.cpu + " and uses " +
                         missing + ", which this CPU lacks; recompile the model here");

  // Named by content: the first 16 hex digits of the object's SHA-256.
  std::string path = cacheDirectory() + "/kernels-" +
                     toHex(Sha256::hash(code.object.data(), code.object.size())).substr(0, 16) +
                     ".so";
  // Reuse the cached file only if it holds exactly these bytes.
  std::ifstream existing(path, std::ios::binary);
  std::vector<uint8_t> cached((std::istreambuf_iterator<char>(existing)), {});
  if (cached != code.object) {
    std::string tmp = path + ".tmp" + std::to_string(getpid());
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char *>(code.object.data()), code.object.size());
    out.close();
    if (!out || std::rename(tmp.c_str(), path.c_str()) != 0)
      return Status::error("cannot write the kernel library to " + path);
  }
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Status::error("cannot load the artifact's kernels (" + path + "): " + dlerror());
  std::unique_ptr<KernelLibrary> lib(new KernelLibrary());
  lib->handle_ = handle;
  for (const KernelDesc &k : code.kernels) {
    void *sym = dlsym(handle, k.name.c_str());
    if (!sym)
      return Status::error("the artifact's native code lacks kernel '" + k.name + "'");
    lib->kernels_.push_back(reinterpret_cast<PackedKernel>(sym));
  }
  return lib;
}

KernelLibrary::~KernelLibrary() {
  if (handle_)
    dlclose(handle_);
}
