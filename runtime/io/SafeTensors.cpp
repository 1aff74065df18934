//===- SafeTensors.cpp - reader for .safetensors files --------------------===//

#include "runtime/io/SafeTensors.h"
#include "runtime/io/Json.h"
#include "runtime/io/Utf8.h"

#include <algorithm>
#include <limits>

namespace ssmrt {

static std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Checks one header entry and fills |out| (all but name, data and file).
/// |where| is "<file>: tensor '<name>'".
static Status parseTensorEntry(const JsonValue &entry, const std::string &where, uint64_t dataSize,
                               TensorView &out, uint64_t &begin, uint64_t &end) {
  StatusOr<JsonObjectReader> reader = JsonObjectReader::make(entry, where);
  if (!reader.ok())
    return reader.status();

  StatusOr<std::string> dtypeText = reader->getString("dtype");
  if (!dtypeText.ok())
    return dtypeText.status();
  std::optional<DType> dtype = parseDType(*dtypeText);
  if (!dtype)
    return Status::error(where + ": unknown dtype '" + printableForMessage(*dtypeText) + "'");
  out.dtype = *dtype;

  StatusOr<std::vector<int64_t>> shape = reader->getIntArray("shape");
  if (!shape.ok())
    return shape.status();
  // Element count, guarding against overflow; a zero dimension wins.
  bool hasZero = std::find(shape->begin(), shape->end(), 0) != shape->end();
  uint64_t numElements = hasZero ? 0 : 1;
  for (size_t i = 0; i < shape->size(); ++i) {
    int64_t d = (*shape)[i];
    if (d < 0)
      return Status::error(where + ": dimension " + std::to_string(i) + " is negative (" +
                           std::to_string(d) + ")");
    if (hasZero)
      continue;
    if (numElements > std::numeric_limits<uint64_t>::max() / uint64_t(d))
      return Status::error(where + ": shape has more elements than fit in "
                                   "64 bits");
    numElements *= uint64_t(d);
  }
  out.shape = std::move(*shape);

  StatusOr<std::vector<int64_t>> offsets = reader->getIntArray("data_offsets");
  if (!offsets.ok())
    return offsets.status();
  if (offsets->size() != 2)
    return Status::error(where + ": data_offsets must have 2 elements, got " +
                         std::to_string(offsets->size()));
  if ((*offsets)[0] < 0 || (*offsets)[1] < 0)
    return Status::error(where + ": data_offsets must not be negative");
  begin = uint64_t((*offsets)[0]);
  end = uint64_t((*offsets)[1]);
  std::string range = "data offsets [" + std::to_string(begin) + ", " + std::to_string(end) + ")";
  if (begin > end)
    return Status::error(where + ": " + range + " begin after they end");
  if (end > dataSize)
    return Status::error(where + ": " + range + " extend past the data section, which has " +
                         std::to_string(dataSize) + " bytes (is the file truncated?)");

  size_t elementSize = dtypeSize(out.dtype);
  bool tooBig = numElements > std::numeric_limits<uint64_t>::max() / elementSize;
  if (tooBig || numElements * elementSize != end - begin)
    return Status::error(
        where + ": " + range + " hold " + std::to_string(end - begin) + " bytes, but " +
        std::string(dtypeName(out.dtype)) + " shape " + formatShape(out.shape) + " needs " +
        (tooBig ? "more than 2^64" : std::to_string(numElements * elementSize)) + " bytes");
  out.nbytes = static_cast<size_t>(end - begin);
  return okStatus();
}

static Status parseMetadata(const JsonValue &value, const std::string &name,
                            std::vector<std::pair<std::string, std::string>> &metadata) {
  if (!value.isObject())
    return Status::error(name + ": __metadata__ must be an object, got " + value.describe());
  for (const JsonValue::Member &m : value.asObject()) {
    if (!m.second.isString())
      return Status::error(name + ": __metadata__ key '" + printableForMessage(m.first) +
                           "': expected a string, got " + m.second.describe());
    metadata.emplace_back(m.first, m.second.asString());
  }
  return okStatus();
}

StatusOr<SafeTensorsFile> SafeTensorsFile::parse(std::string_view bytes, const std::string &name) {
  if (bytes.size() < 8)
    return Status::error(name + ": file has " + std::to_string(bytes.size()) +
                         " bytes, too short for the 8-byte header length");
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = (headerSize << 8) | static_cast<uint8_t>(bytes[i]);
  if (headerSize > kMaxSafeTensorsHeaderBytes)
    return Status::error(name + ": header length " + std::to_string(headerSize) +
                         " exceeds the limit of " + std::to_string(kMaxSafeTensorsHeaderBytes) +
                         " bytes (not a safetensors file?)");
  if (headerSize > bytes.size() - 8)
    return Status::error(name + ": header length " + std::to_string(headerSize) +
                         " runs past the end of the file (" + std::to_string(bytes.size()) +
                         " bytes)");

  StatusOr<JsonDocument> header = parseJson(bytes.substr(8, headerSize), name + " header");
  if (!header.ok())
    return header.status();
  if (!header->root.isObject())
    return Status::error(name + ": header must be a JSON object, got " + header->root.describe());

  SafeTensorsFile file;
  file.name_ = name;
  std::string_view data = bytes.substr(8 + headerSize);
  const auto *dataStart = reinterpret_cast<const uint8_t *>(data.data());

  struct Range {
    uint64_t begin, end;
    size_t tensor;
  };
  std::vector<Range> ranges;
  for (const JsonValue::Member &m : header->root.asObject()) {
    if (m.first == "__metadata__") {
      SSMRT_RETURN_IF_ERROR(parseMetadata(m.second, name, file.metadata_));
      continue;
    }
    TensorView t;
    t.name = m.first;
    t.file = name;
    uint64_t begin = 0, end = 0;
    SSMRT_RETURN_IF_ERROR(parseTensorEntry(m.second,
                                           name + ": tensor '" + printableForMessage(m.first) + "'",
                                           data.size(), t, begin, end));
    t.data = dataStart + begin;
    if (begin != end)
      ranges.push_back({begin, end, file.tensors_.size()});
    file.index_.emplace(t.name, file.tensors_.size());
    file.tensors_.push_back(std::move(t));
  }

  std::sort(ranges.begin(), ranges.end(),
            [](const Range &a, const Range &b) { return a.begin < b.begin; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    const Range &prev = ranges[i - 1];
    const Range &cur = ranges[i];
    if (cur.begin < prev.end)
      return Status::error(
          name + ": tensor '" + printableForMessage(file.tensors_[cur.tensor].name) +
          "': data offsets [" + std::to_string(cur.begin) + ", " + std::to_string(cur.end) +
          ") overlap tensor '" + printableForMessage(file.tensors_[prev.tensor].name) + "' at [" +
          std::to_string(prev.begin) + ", " + std::to_string(prev.end) + ")");
  }
  return file;
}

StatusOr<SafeTensorsFile> SafeTensorsFile::open(const std::string &path) {
  StatusOr<MappedFile> mapping = MappedFile::open(path);
  if (!mapping.ok())
    return mapping.status();
  StatusOr<SafeTensorsFile> file = parse(mapping->bytes(), path);
  if (!file.ok())
    return file.status();
  // Moving the mapping keeps its address, so the views stay valid.
  file->mapping_ = std::move(*mapping);
  return file;
}

const TensorView *SafeTensorsFile::find(const std::string &name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

} // namespace ssmrt
