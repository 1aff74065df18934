//===- ZipArchive.cpp - the entries of an uncompressed zip archive --------===//
#include "runtime/io/ZipArchive.h"
#include "runtime/io/Utf8.h"

#include <cstdint>
#include <cstring>

using namespace ssmrt;

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndLocator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;

/// Little-endian reads at |at| of |bytes|; the caller checks the bounds.
uint64_t read(std::string_view bytes, uint64_t at, int size) {
  uint64_t v = 0;
  for (int i = size - 1; i >= 0; --i)
    v = v << 8 | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

} // namespace

StatusOr<std::vector<ZipEntry>> ssmrt::readZipEntries(std::string_view bytes,
                                                      const std::string &name) {
  auto fail = [&](const std::string &why) {
    return Status::error(name + ": not a readable zip archive: " + why);
  };
  uint64_t size = bytes.size();
  // The end-of-directory record: 22 bytes and a comment of up to 64 KiB.
  if (size < 22)
    return fail("too short");
  uint64_t end = size - 22;
  uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
  while (read(bytes, end, 4) != kEndOfDirectory) {
    if (end == lowest)
      return fail("no end-of-directory record");
    --end;
  }
  uint64_t count = read(bytes, end + 10, 2);
  uint64_t dirSize = read(bytes, end + 12, 4);
  uint64_t dirOffset = read(bytes, end + 16, 4);
  if (count == 0xFFFF || dirSize == 0xFFFFFFFF || dirOffset == 0xFFFFFFFF) {
    // zip64: a locator right before the record points at the zip64 record.
    if (end < 20 || read(bytes, end - 20, 4) != kZip64EndLocator)
      return fail("no zip64 end-of-directory locator");
    uint64_t at = read(bytes, end - 20 + 8, 8);
    if (at > size || size - at < 56 || read(bytes, at, 4) != kZip64End)
      return fail("the zip64 end-of-directory record is out of place");
    count = read(bytes, at + 32, 8);
    dirSize = read(bytes, at + 40, 8);
    dirOffset = read(bytes, at + 48, 8);
  }
  if (dirOffset > size || dirSize > size - dirOffset)
    return fail("the central directory lies outside the file");

  std::vector<ZipEntry> entries;
  uint64_t at = dirOffset, dirEnd = dirOffset + dirSize;
  for (uint64_t i = 0; i < count; ++i) {
    if (dirEnd - at < 46 || read(bytes, at, 4) != kDirectoryEntry)
      return fail("central directory entry " + std::to_string(i) + " is damaged");
    uint64_t method = read(bytes, at + 10, 2);
    uint64_t compressed = read(bytes, at + 20, 4), uncompressed = read(bytes, at + 24, 4);
    uint64_t nameLength = read(bytes, at + 28, 2), extraLength = read(bytes, at + 30, 2);
    uint64_t commentLength = read(bytes, at + 32, 2), local = read(bytes, at + 42, 4);
    uint64_t next = at + 46 + nameLength + extraLength + commentLength;
    if (next > dirEnd)
      return fail("central directory entry " + std::to_string(i) + " runs past the directory");
    ZipEntry entry;
    entry.name.assign(bytes.substr(at + 46, nameLength));
    std::string shown = printableForMessage(entry.name);
    // The zip64 extra field holds, in order, those of the three 32-bit
    // fields that are 0xFFFFFFFF.
    for (uint64_t e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      uint64_t id = read(bytes, e, 2), length = read(bytes, e + 2, 2);
      uint64_t field = e + 4, fieldEnd = e + 4 + length;
      if (fieldEnd > at + 46 + nameLength + extraLength)
        return fail("entry '" + shown + "' has a damaged extra field");
      if (id == 1) {
        for (uint64_t *v : {&uncompressed, &compressed, &local}) {
          if (*v != 0xFFFFFFFF)
            continue;
          if (fieldEnd - field < 8)
            return fail("entry '" + shown + "' has a short zip64 field");
          *v = read(bytes, field, 8);
          field += 8;
        }
      }
      e = fieldEnd;
    }
    entry.stored = method == 0;
    if (local > size || size - local < 30 || read(bytes, local, 4) != kLocalHeader)
      return fail("entry '" + shown + "' has no local header where the directory says");
    uint64_t dataStart = local + 30 + read(bytes, local + 26, 2) + read(bytes, local + 28, 2);
    if (entry.stored &&
        (compressed != uncompressed || dataStart > size || compressed > size - dataStart))
      return fail("the bytes of entry '" + shown + "' lie outside the file");
    if (entry.stored)
      entry.data = bytes.substr(dataStart, compressed);
    entries.push_back(std::move(entry));
    at = next;
  }
  return entries;
}
