//===- CubinEntry.cpp - cache keys and the cubin cache file format --------===//
#include "runtime/cuda/CubinEntry.h"

#include <cstring>

using namespace ssmrt;
using namespace ssmrt::cuda;

namespace {

constexpr char kMagic[] = "SSMCCUBIN";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
constexpr size_t kHeaderSize = 86;

void appendLE(std::vector<uint8_t> &out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(uint8_t(value >> (8 * i)));
}

uint64_t readLE(const uint8_t *in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= uint64_t(in[i]) << (8 * i);
  return value;
}

void hashCount(Sha256 &sha, uint64_t count) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = uint8_t(count >> (8 * i));
  sha.update(bytes, sizeof(bytes));
}

void hashField(Sha256 &sha, const std::string &field) {
  hashCount(sha, field.size());
  sha.update(field);
}

} // namespace

Sha256Digest CubinKey::digest() const {
  Sha256 sha;
  hashField(sha, "ssmc cubin key v1");
  hashField(sha, source);
  hashCount(sha, options.size());
  for (const std::string &option : options)
    hashField(sha, option);
  hashField(sha, arch);
  hashField(sha, nvrtcVersion);
  hashField(sha, compilerVersion);
  return sha.finish();
}

std::vector<uint8_t> ssmrt::cuda::encodeCubinEntry(const CubinKey &key,
                                                   const std::vector<uint8_t> &cubin) {
  std::vector<uint8_t> entry(kMagic, kMagic + kMagicSize);
  entry.push_back(kCubinEntryVersion);
  appendLE(entry, key.arch.size(), 2);
  appendLE(entry, key.nvrtcVersion.size(), 2);
  Sha256Digest keyDigest = key.digest();
  entry.insert(entry.end(), keyDigest.begin(), keyDigest.end());
  appendLE(entry, cubin.size(), 8);
  Sha256Digest payloadDigest = Sha256::hash(cubin.data(), cubin.size());
  entry.insert(entry.end(), payloadDigest.begin(), payloadDigest.end());
  entry.insert(entry.end(), key.arch.begin(), key.arch.end());
  entry.insert(entry.end(), key.nvrtcVersion.begin(), key.nvrtcVersion.end());
  entry.insert(entry.end(), cubin.begin(), cubin.end());
  return entry;
}

StatusOr<std::vector<uint8_t>> ssmrt::cuda::decodeCubinEntry(const std::vector<uint8_t> &entry,
                                                             const CubinKey &key) {
  const uint8_t *bytes = entry.data();
  if (entry.size() < kMagicSize || std::memcmp(bytes, kMagic, kMagicSize) != 0)
    return Status::error("bad magic");
  if (entry.size() < kHeaderSize)
    return Status::error("truncated: " + std::to_string(entry.size()) +
                         " bytes, shorter than the header");
  if (bytes[9] != kCubinEntryVersion)
    return Status::error("format version " + std::to_string(bytes[9]) + ", expected " +
                         std::to_string(kCubinEntryVersion));
  uint64_t archSize = readLE(bytes + 10, 2);
  uint64_t versionSize = readLE(bytes + 12, 2);
  uint64_t payloadSize = readLE(bytes + 46, 8);
  // The sum cannot overflow: the first two are below 2^16, and a payload
  // length near 2^64 fails the size comparison below by being larger.
  if (payloadSize > entry.size())
    return Status::error("truncated: " + std::to_string(entry.size()) +
                         " bytes, the header announces a " + std::to_string(payloadSize) +
                         "-byte payload");
  uint64_t expected = kHeaderSize + archSize + versionSize + payloadSize;
  if (entry.size() < expected)
    return Status::error("truncated: " + std::to_string(entry.size()) + " of " +
                         std::to_string(expected) + " bytes");
  if (entry.size() > expected)
    return Status::error(std::to_string(entry.size() - expected) + " trailing bytes");

  const char *strings = reinterpret_cast<const char *>(bytes + kHeaderSize);
  std::string arch(strings, archSize);
  std::string nvrtcVersion(strings + archSize, versionSize);
  if (arch != key.arch)
    return Status::error("built for " + arch + ", not " + key.arch);
  if (nvrtcVersion != key.nvrtcVersion)
    return Status::error("built by NVRTC " + nvrtcVersion + ", not " + key.nvrtcVersion);
  Sha256Digest keyDigest = key.digest();
  if (std::memcmp(bytes + 14, keyDigest.data(), keyDigest.size()) != 0)
    return Status::error("key mismatch");

  const uint8_t *payload = bytes + kHeaderSize + archSize + versionSize;
  Sha256Digest payloadDigest = Sha256::hash(payload, payloadSize);
  if (std::memcmp(bytes + 54, payloadDigest.data(), payloadDigest.size()) != 0)
    return Status::error("checksum mismatch");
  return std::vector<uint8_t>(payload, payload + payloadSize);
}
