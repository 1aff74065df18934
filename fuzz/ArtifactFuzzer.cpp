//===- ArtifactFuzzer.cpp - fuzz the .ssmx reader and its validation ------===//
//
// An input is an artifact body: the fuzzer appends a valid checksum trailer,
// so that mutations reach the FlatBuffers verifier, the reader and the
// validation behind the checksum. The raw input is read too (the trailer
// check itself).
//
//===----------------------------------------------------------------------===//
#include "runtime/artifact/Artifact.h"
#include "runtime/io/Sha256.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {
void check(const uint8_t *data, size_t size) {
  ssmrt::StatusOr<ssmrt::Program> program = ssmrt::readArtifact(data, size, "fuzz.ssmx");
  // A failure must say which file; a success must have passed validation.
  if (!program.ok() && program.status().message().rfind("fuzz.ssmx", 0) != 0)
    abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check(data, size);
  std::vector<uint8_t> sealed(data, data + size);
  ssmrt::Sha256Digest digest = ssmrt::Sha256::hash(data, size);
  sealed.insert(sealed.end(), ssmrt::kArtifactChecksumMagic, ssmrt::kArtifactChecksumMagic + 8);
  sealed.insert(sealed.end(), digest.begin(), digest.end());
  check(sealed.data(), sealed.size());
  return 0;
}
