//===- CubinEntry.h - cache keys and the cubin file format ------*- C++ -*-===//
//
// One cache entry is one file: a header, then the cubin.
//
//   offset  size  field
//        0     9  magic "SSMCCUBIN"
//        9     1  format version (kCubinEntryVersion)
//       10     2  length A of the architecture name        (little-endian)
//       12     2  length V of the NVRTC version string     (little-endian)
//       14    32  SHA-256 of the key material (CubinKey::digest)
//       46     8  payload length P                          (little-endian)
//       54    32  SHA-256 of the payload
//       86     A  architecture name, e.g. "sm_90"
//     86+A     V  NVRTC version, e.g. "13.0"
//   86+A+V     P  payload: the cubin
//
// The header repeats what the file name (the key digest) already implies so
// that an entry copied or renamed to the wrong name, or truncated, or damaged
// on disk, is recognised and rebuilt instead of loaded.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CUDA_CUBINENTRY_H
#define SSMC_RUNTIME_CUDA_CUBINENTRY_H

#include "runtime/Status.h"
#include "runtime/io/Sha256.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt::cuda {

constexpr uint8_t kCubinEntryVersion = 1;

/// Everything that can change a compiled cubin. Equal digests name the same
/// cache entry.
struct CubinKey {
  std::string source;
  /// NVRTC options, in order (order can matter: "-DX=1 -UX").
  std::vector<std::string> options;
  /// "sm_90".
  std::string arch;
  /// The NVRTC that compiles it, "13.0".
  std::string nvrtcVersion;
  /// The caller's own version (ssmc's), so a new code generator never reuses
  /// an older one's cubins.
  std::string compilerVersion;

  /// SHA-256 over all fields, each length-prefixed so that no two different
  /// keys encode alike.
  Sha256Digest digest() const;
};

/// The bytes of the entry for |cubin| under |key|.
std::vector<uint8_t> encodeCubinEntry(const CubinKey &key, const std::vector<uint8_t> &cubin);

/// The cubin in |entry| if the entry is intact and was written for |key|;
/// otherwise a short reason: "bad magic", "truncated: ...", "checksum
/// mismatch", "built for sm_80, not sm_90", ...
StatusOr<std::vector<uint8_t>> decodeCubinEntry(const std::vector<uint8_t> &entry,
                                                const CubinKey &key);

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_CUBINENTRY_H
