//===- Artifact.h - reading and writing .ssmx artifacts ---------*- C++ -*-===//
#ifndef SSMC_RUNTIME_ARTIFACT_ARTIFACT_H
#define SSMC_RUNTIME_ARTIFACT_ARTIFACT_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt {

/// Serializes |program| as a .ssmx FlatBuffer (identifier "SSMX", format
/// version kArtifactFormatVersion).
std::vector<uint8_t> writeArtifact(const Program &program);

/// Parses and validates an artifact. Errors name |name| (the file) and the
/// part at fault: not an artifact (identifier), another format version, a
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
