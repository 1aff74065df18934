//===- SafeTensorsWriter.h - writer for .safetensors files ------*- C++ -*-===//
//
// Writes what the Python safetensors library writes: metadata
// {"format": "pt"}, a header padded with spaces to a multiple of 8 bytes,
// and contiguous data with no gaps. Tensors are laid out by decreasing
// element size (then in the order added), so every tensor starts at a
// multiple of its element size.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_SAFETENSORSWRITER_H
#define SSMC_RUNTIME_IO_SAFETENSORSWRITER_H

#include "runtime/Status.h"
#include "runtime/io/DType.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt {

class SafeTensorsWriter {
public:
  /// Adds |data| (one float per element of |shape|), stored as |dtype|:
  /// F32, or BF16/F16 rounded to nearest even.
  Status addFloats(const std::string &name, const std::vector<int64_t> &shape, const float *data,
                   DType dtype = DType::F32);

  /// Adds |nbytes| bytes of little-endian |dtype| elements as they are.
  Status addRaw(const std::string &name, DType dtype, const std::vector<int64_t> &shape,
                const void *data, size_t nbytes);

  /// The complete file contents.
  std::string serialize() const;

  /// Writes serialize() to |path|.
  Status writeFile(const std::string &path) const;

private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
  };
  Status checkNew(const std::string &name, const std::vector<int64_t> &shape,
                  uint64_t &numElements) const;

  std::vector<Entry> entries_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_SAFETENSORSWRITER_H
