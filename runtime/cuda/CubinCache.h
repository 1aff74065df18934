//===- CubinCache.h - compiled kernels kept on disk -------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_CUBINCACHE_H
#define SSMC_RUNTIME_CUDA_CUBINCACHE_H

#include "runtime/Status.h"
#include "runtime/cuda/CubinEntry.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ssmrt::cuda {

/// What produces the cubins the cache keeps: NVRTC, or a test's stand-in.
struct CubinCompiler {
  using CompileFn = std::function<StatusOr<std::vector<uint8_t>>(
      const std::string &source, const std::string &name, const std::string &arch,
      const std::vector<std::string> &options)>;

  /// Part of every key (CubinKey::nvrtcVersion), e.g. "13.0".
  std::string version;
  CompileFn compile;
};

/// NVRTC (NvrtcCompiler.h) as a CubinCompiler; fails if NVRTC cannot load.
StatusOr<CubinCompiler> nvrtcCubinCompiler();

/// <cache>/cuda, where <cache> is $SSMC_CACHE_DIR, else $XDG_CACHE_HOME/ssmc,
/// else ~/.cache/ssmc. Creates nothing.
StatusOr<std::string> defaultCubinCacheDirectory();

/// An on-disk cache of cubins, one file per key (CubinEntry.h), named by the
/// key's digest. Safe to share between threads and processes: entries are
/// written to a temporary file and renamed into place, so a reader sees a
/// whole entry or none. A damaged entry is reported, deleted and rebuilt.
class CubinCache {
public:
  /// Receives one line per noteworthy event (corrupt entry, failed write).
  using Reporter = std::function<void(const std::string &line)>;

  /// A cache in |directory| (created if missing) filled by |compiler|;
  /// reports go to |reporter|, or to stderr if it is empty.
  static StatusOr<CubinCache> open(const std::string &directory, CubinCompiler compiler,
                                   Reporter reporter = nullptr);

  /// The cache in defaultCubinCacheDirectory(), filled by NVRTC.
  static StatusOr<CubinCache> openDefault(Reporter reporter = nullptr);

  const std::string &directory() const { return directory_; }
  /// The version of the compiler behind the cache.
  const std::string &compilerVersion() const { return compiler_.version; }

  /// The file that holds (or would hold) |key|'s entry.
  std::string entryPath(const CubinKey &key) const;

  /// The cubin stored for |key|, or nothing. A damaged or mismatching entry
  /// is reported ("cubin cache: entry <file> is corrupt (<why>), rebuilding"),
  /// deleted, and treated as a miss.
  std::optional<std::vector<uint8_t>> lookup(const CubinKey &key) const;

  /// Writes |cubin| as |key|'s entry, atomically.
  Status store(const CubinKey &key, const std::vector<uint8_t> &cubin) const;

  /// The cubin for |source| compiled for |arch| with |options|: from the
  /// cache, or compiled and stored. |compilerVersion| is the caller's own
  /// version (see CubinKey). Failing to store is reported, not an error.
  StatusOr<std::vector<uint8_t>> getOrCompile(const std::string &source, const std::string &name,
                                              const std::string &arch,
                                              const std::vector<std::string> &options,
                                              const std::string &compilerVersion) const;

private:
  CubinCache(std::string directory, CubinCompiler compiler, Reporter reporter)
      : directory_(std::move(directory)), compiler_(std::move(compiler)),
        reporter_(std::move(reporter)) {}

  std::string directory_;
  CubinCompiler compiler_;
  Reporter reporter_;
};

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_CUBINCACHE_H
