//===- TorchFileFuzzer.cpp - libFuzzer target for torch.save files --------===//
//
// Reads the input as a pytorch_model.bin in memory. An error must name the
// file; a file that reads must give tensors that lie inside the input, with
// as many bytes as their shapes say, and whose floats convert.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/TorchFile.h"

#include <cstdlib>

using namespace ssmrt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  StatusOr<TorchFile> file = TorchFile::parse(bytes, "fuzz.bin");
  if (!file.ok()) {
    if (file.status().message().rfind("fuzz.bin", 0) != 0)
      std::abort();
    return 0;
  }
  for (const TensorView &t : file->tensors()) {
    if (t.data < data || t.data + t.nbytes > data + size ||
        uint64_t(t.numElements()) * dtypeSize(t.dtype) != t.nbytes)
      std::abort();
    if (isFloatConvertible(t.dtype) && !readFloats(t).ok())
      std::abort();
  }
  return 0;
}
