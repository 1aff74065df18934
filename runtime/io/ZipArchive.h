//===- ZipArchive.h - the entries of an uncompressed zip archive -*- C++ -*-===//
//
// Reads the central directory (zip64 included) of a zip archive held in
// memory and locates each entry's bytes. Only stored (uncompressed) entries
// can be read, which is how torch.save writes its archives.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_ZIPARCHIVE_H
#define SSMC_RUNTIME_IO_ZIPARCHIVE_H

#include "runtime/Status.h"

#include <string>
#include <string_view>
#include <vector>

namespace ssmrt {

struct ZipEntry {
  std::string name;
  bool stored = true;    ///< false: compressed, its bytes cannot be read
  std::string_view data; ///< the bytes of a stored entry
};

/// The entries of the archive |bytes|, in central-directory order; every
/// offset and size is checked against |bytes|. Messages start with |name|.
StatusOr<std::vector<ZipEntry>> readZipEntries(std::string_view bytes, const std::string &name);

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_ZIPARCHIVE_H
