//===- TorchFile.h - PyTorch state dicts (pytorch_model.bin) ----*- C++ -*-===//
//
// torch.save writes a zip archive (entries stored, not compressed):
//   <prefix>/data.pkl     a pickle of the state dict
//   <prefix>/data/<key>   the bytes of each storage
// In the pickle, each tensor is
//   torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)
// and each storage a persistent id ('storage', torch.FloatStorage, key,
// location, numel). This reader interprets only the pickle opcodes and the
// globals such a state dict needs (collections.OrderedDict, the two rebuild
// functions, the storage types) and never executes anything: any other
// global is an error naming it. Tensors point into the memory map, as
// safetensors tensors do; they must be contiguous.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_TORCHFILE_H
#define SSMC_RUNTIME_IO_TORCHFILE_H

#include "runtime/Status.h"
#include "runtime/io/MappedFile.h"
#include "runtime/io/TensorView.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssmrt {

class TorchFile {
public:
  /// Maps and reads the file at |path|; messages name |path|.
  static StatusOr<TorchFile> open(const std::string &path);

  /// Reads |bytes| in place; they must outlive the result. |name| is used in
  /// messages and as TensorView::file.
  static StatusOr<TorchFile> parse(std::string_view bytes, const std::string &name);

  /// The tensors of the state dict, in its order.
  const std::vector<TensorView> &tensors() const { return tensors_; }
  /// The file's path or name, as given.
  const std::string &name() const { return name_; }

private:
  TorchFile() = default;

  std::string name_;
  std::optional<MappedFile> mapping_;
  std::vector<TensorView> tensors_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_TORCHFILE_H
