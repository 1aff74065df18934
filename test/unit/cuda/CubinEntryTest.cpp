//===- CubinEntryTest.cpp - cache keys and the entry file format ----------===//
#include "runtime/cuda/CubinEntry.h"

#include <gtest/gtest.h>

using namespace ssmrt;
using namespace ssmrt::cuda;

namespace {

CubinKey sampleKey() {
  return {"__global__ void k() {}", {"--use_fast_math", "-DTILE=64"}, "sm_90", "13.0", "ssmc 0.1"};
}

const std::vector<uint8_t> kCubin = {0x7f, 'E', 'L', 'F', 1, 2, 3, 4, 5};

std::string reasonFor(const std::vector<uint8_t> &entry, const CubinKey &key) {
  StatusOr<std::vector<uint8_t>> cubin = decodeCubinEntry(entry, key);
  return cubin.ok() ? "ok" : cubin.status().message();
}

TEST(CubinEntryTest, RoundTrip) {
  std::vector<uint8_t> entry = encodeCubinEntry(sampleKey(), kCubin);
  EXPECT_EQ(entry.size(), 86 + 5 + 4 + kCubin.size());
  EXPECT_EQ(std::string(entry.begin(), entry.begin() + 9), "SSMCCUBIN");
  StatusOr<std::vector<uint8_t>> cubin = decodeCubinEntry(entry, sampleKey());
  ASSERT_TRUE(cubin.ok()) << cubin.status().message();
  EXPECT_EQ(*cubin, kCubin);
}

TEST(CubinEntryTest, EmptyPayloadRoundTrips) {
  std::vector<uint8_t> entry = encodeCubinEntry(sampleKey(), {});
  StatusOr<std::vector<uint8_t>> cubin = decodeCubinEntry(entry, sampleKey());
  ASSERT_TRUE(cubin.ok());
  EXPECT_TRUE(cubin->empty());
}

TEST(CubinEntryTest, DamageIsNamed) {
  const CubinKey key = sampleKey();
  const std::vector<uint8_t> good = encodeCubinEntry(key, kCubin);

  std::vector<uint8_t> entry = good;
  entry[0] = 'X';
  EXPECT_EQ(reasonFor(entry, key), "bad magic");
  EXPECT_EQ(reasonFor({}, key), "bad magic");

  entry = good;
  entry[9] = 7;
  EXPECT_EQ(reasonFor(entry, key), "format version 7, expected 1");

  entry.assign(good.begin(), good.begin() + 40);
  EXPECT_EQ(reasonFor(entry, key), "truncated: 40 bytes, shorter than the header");

  entry.assign(good.begin(), good.end() - 1);
  EXPECT_EQ(reasonFor(entry, key), "truncated: " + std::to_string(good.size() - 1) + " of " +
                                       std::to_string(good.size()) + " bytes");

  entry = good;
  entry[53] = 0xff; // payload length's top byte
  EXPECT_EQ(reasonFor(entry, key).rfind("truncated: ", 0), 0u);

  entry = good;
  entry.push_back(0);
  EXPECT_EQ(reasonFor(entry, key), "1 trailing bytes");

  entry = good;
  entry.back() ^= 1;
  EXPECT_EQ(reasonFor(entry, key), "checksum mismatch");
}

TEST(CubinEntryTest, EntryForAnotherKeyIsRejected) {
  const CubinKey key = sampleKey();
  CubinKey other = key;
  other.arch = "sm_80";
  EXPECT_EQ(reasonFor(encodeCubinEntry(other, kCubin), key), "built for sm_80, not sm_90");
  other = key;
  other.nvrtcVersion = "12.4";
  EXPECT_EQ(reasonFor(encodeCubinEntry(other, kCubin), key), "built by NVRTC 12.4, not 13.0");
  other = key;
  other.source += " ";
  EXPECT_EQ(reasonFor(encodeCubinEntry(other, kCubin), key), "key mismatch");
}

TEST(CubinEntryTest, EveryFieldChangesTheDigest) {
  const CubinKey key = sampleKey();
  std::vector<CubinKey> variants(6, key);
  variants[0].source = "__global__ void k2() {}";
  variants[1].options = {"-DTILE=64", "--use_fast_math"}; // order matters
  variants[2].options = {"--use_fast_math", "-DTILE=", "64"};
  variants[3].arch = "sm_80";
  variants[4].nvrtcVersion = "13.1";
  variants[5].compilerVersion = "ssmc 0.2";
  for (const CubinKey &variant : variants)
    EXPECT_NE(toHex(variant.digest()), toHex(key.digest()));
  EXPECT_EQ(toHex(sampleKey().digest()), toHex(key.digest()));
}

TEST(CubinEntryTest, FieldBoundariesAreUnambiguous) {
  CubinKey a = sampleKey(), b = sampleKey();
  a.arch = "sm_9";
  a.nvrtcVersion = "013.0";
  b.arch = "sm_90";
  b.nvrtcVersion = "13.0";
  EXPECT_NE(a.digest(), b.digest());
  a = b = sampleKey();
  a.options = {"-DA", "B"};
  b.options = {"-DAB"};
  EXPECT_NE(a.digest(), b.digest());
}

} // namespace
