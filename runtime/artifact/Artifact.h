//===- Artifact.h - reading and writing .ssmx artifacts ---------*- C++ -*-===//
#ifndef SSMC_RUNTIME_ARTIFACT_ARTIFACT_H
#define SSMC_RUNTIME_ARTIFACT_ARTIFACT_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt {

/// An artifact ends with this trailer: kArtifactChecksumMagic (8 bytes),
/// then the SHA-256 of every byte before the trailer (32 bytes). It carries
/// native code, so a damaged byte must be caught before anything is parsed
/// or loaded.
constexpr char kArtifactChecksumMagic[8] = {'S', 'S', 'M', 'X', 'S', 'H', 'A', '2'};
constexpr size_t kArtifactTrailerSize = 8 + 32;

/// Serializes |program| as a .ssmx FlatBuffer (identifier "SSMX", format
/// version kArtifactFormatVersion) followed by the checksum trailer.
std::vector<uint8_t> writeArtifact(const Program &program);

/// Checks the checksum, then parses and validates an artifact. Errors name
/// |name| (the file) and the part at fault: not an artifact (identifier), no
/// or a wrong checksum (damaged or truncated), another format version, a
/// buffer the FlatBuffers verifier rejects, or contents that are
/// inconsistent (see validateProgram).
StatusOr<Program> readArtifact(const uint8_t *data, size_t size, const std::string &name);

/// Reads and parses the file at |path|.
StatusOr<Program> readArtifactFile(const std::string &path);

/// Checks everything the runtime relies on: op names and operand counts,
/// value ids, parameter / state / buffer / kernel indices, shapes, the
/// placement of activations inside their buffers, inputs and outputs.
Status validateProgram(const Program &program, const std::string &name);

} // namespace ssmrt

#endif // SSMC_RUNTIME_ARTIFACT_ARTIFACT_H
