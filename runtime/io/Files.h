//===- Files.h - directories and whole-file writes -------------*- C++ -*-===//
#ifndef SSMC_RUNTIME_IO_FILES_H
#define SSMC_RUNTIME_IO_FILES_H

#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt {

/// mkdir -p; an error names the directory that could not be made.
Status createDirectories(const std::string &path);

/// Writes |size| bytes to |path| through a temporary file of a unique name
/// in the same directory, then renames it over |path|: a reader sees the
/// old file or the whole new one, and writers racing on one path (threads
/// or processes) never mix their bytes. The temporary file is removed on
/// failure; the error names |path| and the reason.
Status writeFileAtomically(const std::string &path, const void *data, size_t size);

/// The whole file at |path|; false if it cannot be opened or read.
bool readWholeFile(const std::string &path, std::vector<uint8_t> &bytes);

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_FILES_H
