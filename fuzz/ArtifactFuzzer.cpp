//===- ArtifactFuzzer.cpp - fuzz the .ssmx reader and its validation ------===//
#include "runtime/artifact/Artifact.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ssmrt::StatusOr<ssmrt::Program> program = ssmrt::readArtifact(data, size, "fuzz.ssmx");
  // A failure must say which file; a success must have passed validation.
  if (!program.ok() && program.status().message().rfind("fuzz.ssmx", 0) != 0)
    abort();
  return 0;
}
