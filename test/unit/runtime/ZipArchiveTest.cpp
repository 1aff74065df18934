//===- ZipArchiveTest.cpp - stored zip entries, zip64 included ------------===//
//
// Archives built byte by byte: a plain one, the zip64 form large files take
// (sizes, offsets and the entry count moved to zip64 records), a compressed
// entry, and damaged ones, which must be errors naming the archive.
//
//===----------------------------------------------------------------------===//
#include "runtime/io/ZipArchive.h"

#include <gtest/gtest.h>

using namespace ssmrt;

namespace {

void put(std::string &out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

/// One entry |name| holding |data| (stored, or deflate-marked), with every
/// size and offset in zip64 fields when |zip64|.
std::string archive(const std::string &name, const std::string &data, bool zip64, int method = 0) {
  std::string out;
  put(out, 0x04034b50, 4); // local header
  put(out, 45, 2);
  put(out, 0, 2);
  put(out, method, 2);
  put(out, 0, 4);
  put(out, 0, 4); // crc (not checked)
  put(out, data.size(), 4);
  put(out, data.size(), 4);
  put(out, name.size(), 2);
  put(out, 0, 2);
  out += name + data;
  uint64_t dirOffset = out.size();
  put(out, 0x02014b50, 4); // central directory entry
  put(out, 45, 2);
  put(out, 45, 2);
  put(out, 0, 2);
  put(out, method, 2);
  put(out, 0, 4);
  put(out, 0, 4);
  uint32_t big = 0xFFFFFFFF;
  put(out, zip64 ? big : data.size(), 4);
  put(out, zip64 ? big : data.size(), 4);
  put(out, name.size(), 2);
  put(out, zip64 ? 28 : 0, 2); // extra field length
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, 0, 4);
  put(out, zip64 ? big : 0, 4); // local header offset
  out += name;
  if (zip64) {
    put(out, 1, 2);
    put(out, 24, 2);
    put(out, data.size(), 8); // uncompressed
    put(out, data.size(), 8); // compressed
    put(out, 0, 8);           // local header offset
  }
  uint64_t dirSize = out.size() - dirOffset;
  if (zip64) {
    uint64_t record = out.size();
    put(out, 0x06064b50, 4);
    put(out, 44, 8);
    put(out, 45, 2);
    put(out, 45, 2);
    put(out, 0, 4);
    put(out, 0, 4);
    put(out, 1, 8);
    put(out, 1, 8);
    put(out, dirSize, 8);
    put(out, dirOffset, 8);
    put(out, 0x07064b50, 4); // locator
    put(out, 0, 4);
    put(out, record, 8);
    put(out, 1, 4);
  }
  put(out, 0x06054b50, 4);
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, zip64 ? 0xFFFF : 1, 2);
  put(out, zip64 ? 0xFFFF : 1, 2);
  put(out, zip64 ? big : dirSize, 4);
  put(out, zip64 ? big : dirOffset, 4);
  put(out, 0, 2);
  return out;
}

TEST(ZipArchive, ReadsStoredEntriesPlainAndZip64) {
  for (bool zip64 : {false, true}) {
    std::string bytes = archive("archive/data/0", "tensor bytes", zip64);
    StatusOr<std::vector<ZipEntry>> entries = readZipEntries(bytes, "a.bin");
    ASSERT_TRUE(entries.ok()) << entries.status().message();
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].name, "archive/data/0");
    EXPECT_TRUE((*entries)[0].stored);
    EXPECT_EQ((*entries)[0].data, "tensor bytes");
  }
}

TEST(ZipArchive, CompressedEntriesAreMarked) {
  std::string bytes = archive("x", "zzz", false, /*method=*/8);
  StatusOr<std::vector<ZipEntry>> entries = readZipEntries(bytes, "a.bin");
  ASSERT_TRUE(entries.ok());
  EXPECT_FALSE((*entries)[0].stored);
}

TEST(ZipArchive, DamageIsAnErrorNamingTheArchive) {
  for (bool zip64 : {false, true}) {
    std::string good = archive("archive/data.pkl", "0123456789", zip64);
    // Every truncation and every single-byte change either reads (with the
    // data inside the input) or fails naming the file.
    for (size_t cut = 0; cut < good.size(); ++cut) {
      StatusOr<std::vector<ZipEntry>> r = readZipEntries(good.substr(0, cut), "a.bin");
      if (!r.ok()) {
        EXPECT_EQ(r.status().message().rfind("a.bin: not a readable zip archive: ", 0), 0u);
      }
    }
    for (size_t at = 0; at < good.size(); ++at)
      for (int value : {0x00, 0xFF, 0x7F}) {
        std::string bad = good;
        bad[at] = static_cast<char>(value);
        StatusOr<std::vector<ZipEntry>> r = readZipEntries(bad, "a.bin");
        if (!r.ok()) {
          EXPECT_EQ(r.status().message().rfind("a.bin: ", 0), 0u);
          continue;
        }
        for (const ZipEntry &e : *r)
          if (e.stored && !e.data.empty()) {
            EXPECT_GE(e.data.data(), bad.data());
            EXPECT_LE(e.data.data() + e.data.size(), bad.data() + bad.size());
          }
      }
  }
  EXPECT_EQ(readZipEntries("PK", "a.bin").status().message(),
            "a.bin: not a readable zip archive: too short");
}

} // namespace
