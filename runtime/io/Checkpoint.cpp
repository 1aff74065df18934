//===- Checkpoint.cpp - a Hugging Face checkpoint directory ---------------===//

#include "runtime/io/Checkpoint.h"
#include "runtime/io/Utf8.h"

#include <algorithm>
#include <sys/stat.h>
#include <type_traits>

namespace ssmrt {

static bool isRegularFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

StatusOr<Checkpoint> Checkpoint::open(const std::string &dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::error(dir + ": not a checkpoint directory (expected a "
                               "directory with config.json and weights)");
  Checkpoint ckpt;
  ckpt.path_ = dir;

  StatusOr<JsonDocument> config = readJsonFile(dir + "/config.json");
  if (!config.ok())
    return config.status();
  if (!config->root.isObject())
    return Status::error(config->name + ": expected a JSON object, got " + config->root.describe());
  ckpt.config_ = std::move(*config);

  // The first of these that exists holds the weights.
  std::string single = dir + "/model.safetensors";
  std::string index = dir + "/model.safetensors.index.json";
  std::string torch = dir + "/pytorch_model.bin";
  std::string torchIndex = dir + "/pytorch_model.bin.index.json";
  if (isRegularFile(single)) {
    StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(single);
    if (!file.ok())
      return file.status();
    SSMRT_RETURN_IF_ERROR(ckpt.addFile(std::move(*file)));
  } else if (isRegularFile(index)) {
    SSMRT_RETURN_IF_ERROR(ckpt.loadShardedWeights<SafeTensorsFile>(index));
  } else if (isRegularFile(torch)) {
    StatusOr<TorchFile> file = TorchFile::open(torch);
    if (!file.ok())
      return file.status();
    SSMRT_RETURN_IF_ERROR(ckpt.addFile(std::move(*file)));
  } else if (isRegularFile(torchIndex)) {
    SSMRT_RETURN_IF_ERROR(ckpt.loadShardedWeights<TorchFile>(torchIndex));
  } else {
    return Status::error(dir + ": no weights: none of model.safetensors, "
                               "model.safetensors.index.json, pytorch_model.bin and "
                               "pytorch_model.bin.index.json exists");
  }
  return ckpt;
}

StatusOr<Checkpoint> Checkpoint::openSafeTensors(const std::string &path) {
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(path);
  if (!file.ok())
    return file.status();
  Checkpoint ckpt;
  ckpt.path_ = path;
  SSMRT_RETURN_IF_ERROR(ckpt.addFile(std::move(*file)));
  return ckpt;
}

template <> std::vector<SafeTensorsFile> &Checkpoint::filesOf<SafeTensorsFile>() { return files_; }
template <> std::vector<TorchFile> &Checkpoint::filesOf<TorchFile>() { return torchFiles_; }

const std::string &Checkpoint::fileName(bool torch, size_t file) const {
  return torch ? torchFiles_[file].name() : files_[file].name();
}

template <typename File> Status Checkpoint::addFile(File file) {
  constexpr bool torch = std::is_same_v<File, TorchFile>;
  std::vector<File> &files = filesOf<File>();
  for (size_t i = 0; i < file.tensors().size(); ++i) {
    const std::string &name = file.tensors()[i].name;
    auto [it, inserted] = index_.emplace(name, Location{torch, files.size(), i});
    if (!inserted) {
      const Location &at = it->second;
      if (at.torch == torch && at.file == files.size())
        return Status::error(file.name() + ": tensor '" + printableForMessage(name) +
                             "' appears twice");
      return Status::error(path_ + ": tensor '" + printableForMessage(name) + "' appears in both " +
                           fileName(at.torch, at.file) + " and " + file.name());
    }
  }
  files.push_back(std::move(file));
  return okStatus();
}

template <typename File> Status Checkpoint::loadShardedWeights(const std::string &indexPath) {
  StatusOr<JsonDocument> doc = readJsonFile(indexPath);
  if (!doc.ok())
    return doc.status();
  StatusOr<JsonObjectReader> root = doc->rootObject();
  if (!root.ok())
    return root.status();
  StatusOr<JsonObjectReader> weightMap = root->getObject("weight_map");
  if (!weightMap.ok())
    return weightMap.status();
  const auto &entries = weightMap->value().asObject();
  if (entries.empty())
    return Status::error(indexPath + ": weight_map is empty");

  // Shard names in order of first appearance.
  std::vector<std::string> shards;
  for (const JsonValue::Member &entry : entries) {
    if (!entry.second.isString())
      return weightMap->error(entry.first,
                              "expected a shard file name, got " + entry.second.describe());
    const std::string &shard = entry.second.asString();
    if (shard.empty() || shard.find('/') != std::string::npos || shard == "." || shard == "..")
      return weightMap->error(entry.first, "shard '" + printableForMessage(shard) +
                                               "' is not a file name in the checkpoint "
                                               "directory");
    if (std::find(shards.begin(), shards.end(), shard) == shards.end())
      shards.push_back(shard);
  }

  for (const std::string &shard : shards) {
    StatusOr<File> file = File::open(path_ + "/" + shard);
    if (!file.ok())
      return file.status().withPrefix(indexPath + ": shard '" + printableForMessage(shard) + "'");
    SSMRT_RETURN_IF_ERROR(addFile(std::move(*file)));
  }

  for (const JsonValue::Member &entry : entries) {
    const std::string &shard = entry.second.asString();
    std::string shardPath = path_ + "/" + shard;
    auto it = index_.find(entry.first);
    if (it == index_.end())
      return Status::error(indexPath + ": tensor '" + printableForMessage(entry.first) +
                           "' is listed in shard '" + printableForMessage(shard) + "', but " +
                           shardPath + " does not contain it");
    const std::string &actual = fileName(it->second.torch, it->second.file);
    if (actual != shardPath)
      return Status::error(indexPath + ": tensor '" + printableForMessage(entry.first) +
                           "' is listed in shard '" + printableForMessage(shard) +
                           "', but found in " + actual);
  }
  return okStatus();
}

const TensorView *Checkpoint::find(const std::string &name) const {
  auto it = index_.find(name);
  if (it == index_.end())
    return nullptr;
  const Location &at = it->second;
  return at.torch ? &torchFiles_[at.file].tensors()[at.tensor]
                  : &files_[at.file].tensors()[at.tensor];
}

StatusOr<const TensorView *> Checkpoint::get(const std::string &name) const {
  if (const TensorView *t = find(name))
    return t;
  return Status::error(path_ + ": no tensor named '" + printableForMessage(name) + "'");
}

std::vector<std::string> Checkpoint::tensorNames() const {
  std::vector<std::string> names;
  names.reserve(index_.size());
  for (const auto &entry : index_)
    names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace ssmrt
