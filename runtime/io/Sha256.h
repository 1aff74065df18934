//===- Sha256.h - SHA-256 for cache keys and checksums ----------*- C++ -*-===//
#ifndef SSMC_RUNTIME_IO_SHA256_H
#define SSMC_RUNTIME_IO_SHA256_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ssmrt {

using Sha256Digest = std::array<uint8_t, 32>;

/// Incremental SHA-256: update() any number of times, then finish() once.
class Sha256 {
public:
  Sha256();
  void update(const void *data, size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  Sha256Digest finish();

  /// The digest of |size| bytes at |data|.
  static Sha256Digest hash(const void *data, size_t size);

private:
  void compress(const uint8_t *block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t totalBytes_ = 0;
};

/// Lowercase hexadecimal, 64 characters.
std::string toHex(const Sha256Digest &digest);

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_SHA256_H
