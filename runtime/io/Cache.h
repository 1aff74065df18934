//===- Cache.h - where ssmc keeps compiled programs and kernels -*- C++ -*-===//
//
// One directory, shared by every cache: compiled programs (programs/*.ssmx),
// CPU kernel libraries (kernels-*.so) and CUDA cubins (cuda/*.cubin).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_CACHE_H
#define SSMC_RUNTIME_IO_CACHE_H

#include "runtime/Status.h"

#include <string>

namespace ssmrt {

/// The cache directory: $SSMC_CACHE_DIR, else $XDG_CACHE_HOME/ssmc, else
/// $HOME/.cache/ssmc, else $TMPDIR (or /tmp) /ssmc-cache-<uid> (empty
/// variables count as unset). Nothing is created.
StatusOr<std::string> cacheRoot();

/// cacheRoot() + "/" + |sub| (|sub| may be empty), created when missing.
StatusOr<std::string> cacheDirectory(const std::string &sub = "");

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_CACHE_H
