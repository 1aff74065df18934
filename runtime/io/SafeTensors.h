//===- SafeTensors.h - reader for .safetensors files ------------*- C++ -*-===//
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON header,
// then the data section. The header maps each tensor name to
//   {"dtype": "F32", "shape": [d0, ...], "data_offsets": [begin, end]}
// with offsets relative to the data section; "__metadata__" optionally maps
// strings to strings. Everything is validated up front, so a TensorView from
// a parsed file always lies inside the data section and matches its shape.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_SAFETENSORS_H
#define SSMC_RUNTIME_IO_SAFETENSORS_H

#include "runtime/Status.h"
#include "runtime/io/MappedFile.h"
#include "runtime/io/TensorView.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ssmrt {

/// Headers larger than this are rejected (the upstream Rust reader uses the
/// same 100 MB limit).
constexpr uint64_t kMaxSafeTensorsHeaderBytes = 100'000'000;

/// One parsed .safetensors file.
class SafeTensorsFile {
public:
  /// Maps and parses the file at |path|; messages name |path|.
  static StatusOr<SafeTensorsFile> open(const std::string &path);

  /// Parses |bytes| in place; they must outlive the result. |name| is used
  /// in messages and as TensorView::file.
  static StatusOr<SafeTensorsFile> parse(std::string_view bytes, const std::string &name);

  const std::string &name() const { return name_; }
  /// The tensors in header order.
  const std::vector<TensorView> &tensors() const { return tensors_; }
  /// The tensor called |name|, or null.
  const TensorView *find(const std::string &name) const;
  /// The "__metadata__" entries in header order.
  const std::vector<std::pair<std::string, std::string>> &metadata() const { return metadata_; }

private:
  SafeTensorsFile() = default;

  std::string name_;
  std::optional<MappedFile> mapping_;
  std::vector<TensorView> tensors_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_SAFETENSORS_H
