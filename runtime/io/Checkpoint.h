//===- Checkpoint.h - a Hugging Face checkpoint directory -------*- C++ -*-===//
//
// A directory with config.json and the weights in either model.safetensors,
// shards listed by model.safetensors.index.json
//   {"metadata": {...}, "weight_map": {"<tensor>":
//   "model-00001-of-00002.safetensors", ...}}
// or, failing both, a PyTorch state dict in pytorch_model.bin (as the
// original state-spaces checkpoints ship; read without executing anything,
// see TorchFile.h). As in transformers, a single model.safetensors wins when
// several exist. All files are mapped and validated when the checkpoint is
// opened.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_CHECKPOINT_H
#define SSMC_RUNTIME_IO_CHECKPOINT_H

#include "runtime/Status.h"
#include "runtime/io/Json.h"
#include "runtime/io/SafeTensors.h"
#include "runtime/io/TorchFile.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ssmrt {

class Checkpoint {
public:
  /// Opens the checkpoint directory |dir|.
  static StatusOr<Checkpoint> open(const std::string &dir);

  /// Opens one bare .safetensors file as a checkpoint without a config.
  static StatusOr<Checkpoint> openSafeTensors(const std::string &path);

  /// The directory or file this checkpoint was opened from.
  const std::string &path() const { return path_; }

  /// The parsed config.json; null when opened with openSafeTensors().
  const JsonDocument *config() const { return config_ ? &*config_ : nullptr; }

  /// The tensor called |name|, or null.
  const TensorView *find(const std::string &name) const;

  /// Like find(), but a missing tensor is an error naming the checkpoint.
  StatusOr<const TensorView *> get(const std::string &name) const;

  /// All tensor names, sorted.
  std::vector<std::string> tensorNames() const;

  /// How many weight files the tensors come from.
  size_t fileCount() const { return files_.size() + torchFiles_.size(); }

private:
  Checkpoint() = default;
  template <typename File> Status addFile(File file);
  /// model.safetensors.index.json or pytorch_model.bin.index.json: a
  /// weight_map from tensor name to shard file.
  template <typename File> Status loadShardedWeights(const std::string &indexPath);
  template <typename File> std::vector<File> &filesOf();
  const std::string &fileName(bool torch, size_t file) const;

  std::string path_;
  std::optional<JsonDocument> config_;
  std::vector<SafeTensorsFile> files_;
  std::vector<TorchFile> torchFiles_; ///< pytorch_model*.bin, when those hold the weights
  /// Where each tensor is, by name; indexes stay valid when the checkpoint
  /// moves.
  struct Location {
    bool torch;
    size_t file, tensor;
  };
  std::unordered_map<std::string, Location> index_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_CHECKPOINT_H
