//===- MappedFile.h - read-only memory map of a whole file ------*- C++ -*-===//
//
// Weights are read in place from the page cache (llama2.c style): a
// checkpoint's tensors are views into the mapping, never copies.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_MAPPEDFILE_H
#define SSMC_RUNTIME_IO_MAPPEDFILE_H

#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ssmrt {

/// A read-only mapping of one regular file; unmapped on destruction. An empty
/// file is valid and has a null data() and size() 0.
class MappedFile {
public:
  /// Maps |path|. Errors name the path: missing, a directory, not a regular
  /// file, unreadable.
  static StatusOr<MappedFile> open(const std::string &path);

  MappedFile(MappedFile &&other) noexcept;
  MappedFile &operator=(MappedFile &&other) noexcept;
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }
  std::string_view bytes() const { return {reinterpret_cast<const char *>(data_), size_}; }
  const std::string &path() const { return path_; }

private:
  MappedFile(std::string path, const uint8_t *data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  void unmap();

  std::string path_;
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_MAPPEDFILE_H
