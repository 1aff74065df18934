//===- CubinCache.cpp - compiled kernels kept on disk ---------------------===//
#include "runtime/cuda/CubinCache.h"
#include "runtime/cuda/NvrtcCompiler.h"
#include "runtime/io/Cache.h"
#include "runtime/io/Files.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ssmrt;
using namespace ssmrt::cuda;

namespace {

std::string errnoText() { return std::strerror(errno); }

/// Reads the whole file behind |fd|.
bool readAll(int fd, std::vector<uint8_t> &bytes) {
  uint8_t chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    if (n == 0)
      return true;
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
}

void reportToStderr(const std::string &line) { std::fprintf(stderr, "%s\n", line.c_str()); }

} // namespace

StatusOr<CubinCompiler> ssmrt::cuda::nvrtcCubinCompiler() {
  StatusOr<NvrtcInfo> info = nvrtcInfo();
  if (!info.ok())
    return info.status();
  CubinCompiler compiler;
  compiler.version = info->version();
  compiler.compile = [](const std::string &source, const std::string &name, const std::string &arch,
                        const std::vector<std::string> &options) -> StatusOr<std::vector<uint8_t>> {
    StatusOr<CompiledKernel> kernel = compile(source, name, arch, options, /*wantCubin=*/true);
    if (!kernel.ok())
      return kernel.status();
    return std::move(kernel->cubin);
  };
  return compiler;
}

StatusOr<std::string> ssmrt::cuda::defaultCubinCacheDirectory() {
  StatusOr<std::string> root = cacheRoot();
  if (!root.ok())
    return root.status();
  return *root + "/cuda";
}

StatusOr<CubinCache> CubinCache::open(const std::string &directory, CubinCompiler compiler,
                                      Reporter reporter) {
  SSMRT_RETURN_IF_ERROR(createDirectories(directory).withPrefix("cubin cache"));
  return CubinCache(directory, std::move(compiler),
                    reporter ? std::move(reporter) : reportToStderr);
}

StatusOr<CubinCache> CubinCache::openDefault(Reporter reporter) {
  StatusOr<std::string> directory = defaultCubinCacheDirectory();
  if (!directory.ok())
    return directory.status();
  StatusOr<CubinCompiler> compiler = nvrtcCubinCompiler();
  if (!compiler.ok())
    return compiler.status();
  return open(*directory, std::move(*compiler), std::move(reporter));
}

std::string CubinCache::entryPath(const CubinKey &key) const {
  return directory_ + "/" + toHex(key.digest()) + ".cubin";
}

std::optional<std::vector<uint8_t>> CubinCache::lookup(const CubinKey &key) const {
  std::string path = entryPath(key);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      reporter_("cubin cache: cannot read " + path + ": " + errnoText());
    return std::nullopt;
  }
  std::vector<uint8_t> bytes;
  struct stat opened;
  bool readOk = ::fstat(fd, &opened) == 0 && readAll(fd, bytes);
  ::close(fd);
  if (!readOk) {
    reporter_("cubin cache: cannot read " + path + ": " + errnoText());
    return std::nullopt;
  }
  StatusOr<std::vector<uint8_t>> cubin = decodeCubinEntry(bytes, key);
  if (cubin.ok())
    return std::move(*cubin);

  reporter_("cubin cache: entry " + path + " is corrupt (" + cubin.status().message() +
            "), rebuilding");
  // Delete only the file that was read: another writer may have renamed a
  // fresh entry into place since.
  struct stat current;
  if (::stat(path.c_str(), &current) == 0 && current.st_dev == opened.st_dev &&
      current.st_ino == opened.st_ino)
    ::unlink(path.c_str());
  return std::nullopt;
}

Status CubinCache::store(const CubinKey &key, const std::vector<uint8_t> &cubin) const {
  std::vector<uint8_t> entry = encodeCubinEntry(key, cubin);
  return writeFileAtomically(entryPath(key), entry.data(), entry.size()).withPrefix("cubin cache");
}

StatusOr<std::vector<uint8_t>> CubinCache::getOrCompile(const std::string &source,
                                                        const std::string &name,
                                                        const std::string &arch,
                                                        const std::vector<std::string> &options,
                                                        const std::string &compilerVersion) const {
  CubinKey key{source, options, arch, compiler_.version, compilerVersion};
  if (std::optional<std::vector<uint8_t>> cached = lookup(key))
    return std::move(*cached);
  StatusOr<std::vector<uint8_t>> cubin = compiler_.compile(source, name, arch, options);
  if (!cubin.ok())
    return cubin.status();
  if (Status stored = store(key, *cubin); !stored.ok())
    reporter_(stored.message());
  return cubin;
}
