//===- SafeTensorsWriter.cpp - writer for .safetensors files --------------===//

#include "runtime/io/SafeTensorsWriter.h"
#include "runtime/io/HalfFloat.h"
#include "runtime/io/Json.h"
#include "runtime/io/Utf8.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <system_error>

namespace ssmrt {

Status SafeTensorsWriter::checkNew(const std::string &name, const std::vector<int64_t> &shape,
                                   uint64_t &numElements) const {
  std::string where = "safetensors writer: tensor '" + printableForMessage(name) + "'";
  if (name == "__metadata__")
    return Status::error(where + ": the name is reserved");
  for (const Entry &e : entries_)
    if (e.name == name)
      return Status::error(where + ": added twice");
  for (int64_t d : shape)
    if (d < 0)
      return Status::error(where + ": negative dimension " + std::to_string(d));
  // A zero dimension first, so that [huge, 0] is simply empty.
  bool empty = std::find(shape.begin(), shape.end(), 0) != shape.end();
  numElements = empty ? 0 : 1;
  for (int64_t d : shape) {
    // The data is in memory, so anything near 2^40 elements is a bug.
    if (!empty && numElements > (uint64_t(1) << 40) / uint64_t(d))
      return Status::error(where + ": shape has too many elements");
    numElements *= uint64_t(d);
  }
  return okStatus();
}

Status SafeTensorsWriter::addFloats(const std::string &name, const std::vector<int64_t> &shape,
                                    const float *data, DType dtype) {
  uint64_t n;
  SSMRT_RETURN_IF_ERROR(checkNew(name, shape, n));
  if (!isFloatConvertible(dtype))
    return Status::error("safetensors writer: tensor '" + printableForMessage(name) +
                         "': cannot store floats as " + std::string(dtypeName(dtype)));
  Entry e{name, dtype, shape, std::vector<uint8_t>(n * dtypeSize(dtype))};
  for (uint64_t i = 0; i < n; ++i) {
    uint8_t *dst = e.bytes.data() + i * dtypeSize(dtype);
    if (dtype == DType::F32) {
      std::memcpy(dst, &data[i], 4);
    } else {
      uint16_t h = dtype == DType::BF16 ? floatToBf16(data[i]) : floatToHalf(data[i]);
      std::memcpy(dst, &h, 2);
    }
  }
  entries_.push_back(std::move(e));
  return okStatus();
}

Status SafeTensorsWriter::addRaw(const std::string &name, DType dtype,
                                 const std::vector<int64_t> &shape, const void *data,
                                 size_t nbytes) {
  uint64_t n;
  SSMRT_RETURN_IF_ERROR(checkNew(name, shape, n));
  if (n * dtypeSize(dtype) != nbytes)
    return Status::error("safetensors writer: tensor '" + printableForMessage(name) +
                         "': " + std::to_string(nbytes) + " bytes given, shape needs " +
                         std::to_string(n * dtypeSize(dtype)));
  const auto *bytes = static_cast<const uint8_t *>(data);
  entries_.push_back({name, dtype, shape, std::vector<uint8_t>(bytes, bytes + nbytes)});
  return okStatus();
}

std::string SafeTensorsWriter::serialize() const {
  std::vector<size_t> order(entries_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    size_t sa = dtypeSize(entries_[a].dtype), sb = dtypeSize(entries_[b].dtype);
    return sa != sb ? sa > sb : a < b;
  });

  std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
  uint64_t offset = 0;
  for (size_t i : order) {
    const Entry &e = entries_[i];
    header += "," + quoteJson(e.name) + ":{\"dtype\":\"" + std::string(dtypeName(e.dtype)) +
              "\",\"shape\":[";
    for (size_t d = 0; d < e.shape.size(); ++d)
      header += (d ? "," : "") + std::to_string(e.shape[d]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + e.bytes.size()) + "]}";
    offset += e.bytes.size();
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + header.size() + offset);
  uint64_t headerSize = header.size();
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((headerSize >> (8 * i)) & 0xFF);
  out += header;
  for (size_t i : order)
    out.append(reinterpret_cast<const char *>(entries_[i].bytes.data()), entries_[i].bytes.size());
  return out;
}

Status SafeTensorsWriter::writeFile(const std::string &path) const {
  std::string bytes = serialize();
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return Status::error(path + ": cannot create: " + std::generic_category().message(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  int err = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok)
    return Status::error(path + ": write failed: " + std::generic_category().message(err));
  return okStatus();
}

} // namespace ssmrt
