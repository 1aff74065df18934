//===- SafeTensorsFuzzer.cpp - libFuzzer target for .safetensors ----------===//
//
// Parses the input in memory. A parsed file's tensors must lie inside the
// input and match their shapes; float tensors are converted, and the file
// must survive a write and re-read through SafeTensorsWriter.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/SafeTensors.h"
#include "runtime/io/SafeTensorsWriter.h"

#include <cstdlib>
#include <cstring>

using namespace ssmrt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::parse(bytes, "fuzz.st");
  if (!file.ok()) {
    if (file.status().message().rfind("fuzz.st", 0) != 0)
      std::abort();
    return 0;
  }

  SafeTensorsWriter writer;
  for (const TensorView &t : file->tensors()) {
    if (t.data < data || t.data + t.nbytes > data + size ||
        uint64_t(t.numElements()) * dtypeSize(t.dtype) != t.nbytes)
      std::abort();
    if (isFloatConvertible(t.dtype)) {
      StatusOr<std::vector<float>> floats = readFloats(t);
      StatusOr<std::vector<uint16_t>> bf16 = readBf16(t);
      if (!floats.ok() || !bf16.ok() || floats->size() != size_t(t.numElements()))
        std::abort();
    } else if (readFloats(t).ok()) {
      std::abort();
    }
    if (!writer.addRaw(t.name, t.dtype, t.shape, t.data, t.nbytes).ok())
      std::abort();
  }

  std::string copy = writer.serialize();
  StatusOr<SafeTensorsFile> again = SafeTensorsFile::parse(copy, "copy");
  if (!again.ok() || again->tensors().size() != file->tensors().size())
    std::abort();
  for (const TensorView &t : file->tensors()) {
    const TensorView *u = again->find(t.name);
    if (!u || u->dtype != t.dtype || u->shape != t.shape || u->nbytes != t.nbytes ||
        (t.nbytes && std::memcmp(u->data, t.data, t.nbytes) != 0))
      std::abort();
  }
  return 0;
}
