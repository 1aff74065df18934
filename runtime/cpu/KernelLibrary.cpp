//===- KernelLibrary.cpp - the native kernels of an artifact --------------===//
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/io/Cache.h"
#include "runtime/io/Files.h"
#include "runtime/io/Sha256.h"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

using namespace ssmrt;

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

  StatusOr<std::string> dir = cacheDirectory();
  if (!dir.ok())
    return dir.status();
  // Named by content: the first 16 hex digits of the object's SHA-256.
  std::string path = *dir + "/kernels-" +
                     toHex(Sha256::hash(code.object.data(), code.object.size())).substr(0, 16) +
                     ".so";
  // Reuse the cached file only if it holds exactly these bytes.
  std::vector<uint8_t> cached;
  if (!readWholeFile(path, cached) || cached != code.object)
    SSMRT_RETURN_IF_ERROR(writeFileAtomically(path, code.object.data(), code.object.size())
                              .withPrefix("kernel cache"));
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
