//===- SafeTensorsTest.cpp - safetensors reader and writer tests ----------===//

#include "runtime/io/SafeTensors.h"
#include "TestData.h"
#include "runtime/io/HalfFloat.h"
#include "runtime/io/SafeTensorsWriter.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <random>

using namespace ssmrt;
using ssmrt::test::TempDir;

namespace {

/// A safetensors file with |header| and |dataBytes| bytes of data.
std::string craft(const std::string &header, size_t dataBytes) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + header + std::string(dataBytes, '\x01');
}

std::string parseError(const std::string &bytes) {
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::parse(bytes, "bad.safetensors");
  EXPECT_FALSE(file.ok());
  return file.ok() ? "" : file.status().message();
}

TEST(SafeTensorsTest, ReadsTheDemoModel) {
  StatusOr<SafeTensorsFile> file =
      SafeTensorsFile::open(test::demoModelDir() + "/model.safetensors");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->tensors().size(), 4u * 10 + 3);
  ASSERT_EQ(file->metadata().size(), 1u);
  EXPECT_EQ(file->metadata()[0], std::make_pair(std::string("format"), std::string("pt")));

  const TensorView *aLog = file->find("backbone.layers.0.mixer.A_log");
  ASSERT_NE(aLog, nullptr);
  EXPECT_EQ(aLog->dtype, DType::F32);
  EXPECT_EQ(aLog->shape, (std::vector<int64_t>{384, 16}));
  EXPECT_EQ(aLog->nbytes, 384u * 16 * 4);
  StatusOr<std::vector<float>> values = readFloats(*aLog);
  ASSERT_TRUE(values.ok());
  for (size_t i : {size_t(0), size_t(1), size_t(17), size_t(6143)})
    EXPECT_TRUE(std::isfinite((*values)[i])) << i;

  const TensorView *head = file->find("lm_head.weight");
  const TensorView *embed = file->find("backbone.embeddings.weight");
  ASSERT_TRUE(head && embed);
  EXPECT_EQ(head->shape, (std::vector<int64_t>{256, 192}));
  ASSERT_EQ(head->nbytes, embed->nbytes);
  EXPECT_EQ(std::memcmp(head->data, embed->data, head->nbytes), 0);
  EXPECT_EQ(file->find("no.such.tensor"), nullptr);
}

TEST(SafeTensorsTest, WriterRoundTripsAllFloatTypes) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-100.0f, 100.0f);
  std::vector<float> a(3 * 5 * 7), b(64), c(33);
  for (auto *v : {&a, &b, &c})
    for (float &x : *v) {
      do
        x = dist(rng);
      while (x == 0.0f);
    }
  SafeTensorsWriter writer;
  ASSERT_TRUE(writer.addFloats("f16.w", {33}, c.data(), DType::F16).ok());
  ASSERT_TRUE(writer.addFloats("bf16.w", {8, 8}, b.data(), DType::BF16).ok());
  ASSERT_TRUE(writer.addFloats("f32.w", {3, 5, 7}, a.data()).ok());
  int64_t i64[3] = {1, -2, 3};
  ASSERT_TRUE(writer.addRaw("ids", DType::I64, {3}, i64, sizeof(i64)).ok());
  ASSERT_TRUE(writer.addFloats("empty", {0, 4}, nullptr).ok());

  TempDir dir;
  std::string path = dir.file("rt.safetensors");
  ASSERT_TRUE(writer.writeFile(path).ok());
  std::string bytes = test::readFile(path);
  uint64_t headerSize;
  std::memcpy(&headerSize, bytes.data(), 8);
  EXPECT_EQ(headerSize % 8, 0u);
  EXPECT_NE(bytes.find("\"__metadata__\":{\"format\":\"pt\"}"), std::string::npos);

  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open(path);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->tensors().size(), 5u);
  for (const TensorView &t : file->tensors())
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % dtypeSize(t.dtype), 0u) << t.name;

  const TensorView *f32 = file->find("f32.w");
  ASSERT_NE(f32, nullptr);
  EXPECT_EQ(f32->shape, (std::vector<int64_t>{3, 5, 7}));
  EXPECT_EQ(*readFloats(*f32), a);

  const TensorView *bf16 = file->find("bf16.w");
  ASSERT_NE(bf16, nullptr);
  EXPECT_EQ(bf16->dtype, DType::BF16);
  std::vector<float> bBack = *readFloats(*bf16);
  std::vector<uint16_t> bBits = *readBf16(*bf16);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(bBits[i], floatToBf16(b[i]));
    EXPECT_EQ(bBack[i], bf16ToFloat(floatToBf16(b[i])));
    EXPECT_NEAR(bBack[i], b[i], std::fabs(b[i]) / 128);
  }

  const TensorView *f16 = file->find("f16.w");
  ASSERT_NE(f16, nullptr);
  std::vector<float> cBack(c.size());
  ASSERT_TRUE(readFloatsInto(*f16, cBack.data(), cBack.size()).ok());
  std::vector<uint16_t> cAsBf16 = *readBf16(*f16);
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(cBack[i], halfToFloat(floatToHalf(c[i])));
    EXPECT_EQ(cAsBf16[i], floatToBf16(cBack[i]));
  }
  std::vector<uint16_t> aAsBf16 = *readBf16(*f32);
  EXPECT_EQ(aAsBf16[5], floatToBf16(a[5]));

  const TensorView *ids = file->find("ids");
  ASSERT_NE(ids, nullptr);
  EXPECT_EQ(std::memcmp(ids->data, i64, sizeof(i64)), 0);
  EXPECT_EQ(readFloats(*ids).status().message(),
            path + ": unsupported dtype 'I64' for tensor 'ids' (only F32, "
                   "BF16 and F16 convert to float)");
  EXPECT_FALSE(readBf16(*ids).ok());

  const TensorView *empty = file->find("empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->numElements(), 0);
  EXPECT_TRUE(readFloats(*empty)->empty());

  std::vector<float> wrong(10);
  EXPECT_EQ(readFloatsInto(*f32, wrong.data(), wrong.size()).message(),
            path + ": tensor 'f32.w': has 105 elements but the destination "
                   "holds 10");
}

TEST(SafeTensorsTest, WriterRejectsBadInput) {
  SafeTensorsWriter writer;
  float x[2] = {1, 2};
  ASSERT_TRUE(writer.addFloats("x", {2}, x).ok());
  EXPECT_EQ(writer.addFloats("x", {2}, x).message(), "safetensors writer: tensor 'x': added twice");
  EXPECT_FALSE(writer.addFloats("__metadata__", {2}, x).ok());
  EXPECT_FALSE(writer.addFloats("neg", {-1}, x).ok());
  EXPECT_FALSE(writer.addFloats("i32", {2}, x, DType::I32).ok());
  EXPECT_FALSE(writer.addRaw("raw", DType::F32, {3}, x, sizeof(x)).ok());
  TempDir dir;
  EXPECT_NE(writer.writeFile(dir.file("no/such/dir.safetensors")).message().find("cannot create"),
            std::string::npos);
}

TEST(SafeTensorsTest, NamesWithSpecialCharactersRoundTrip) {
  SafeTensorsWriter writer;
  float x = 3.0f;
  std::string name = "quote\"back\\slash\nnewline é";
  ASSERT_TRUE(writer.addFloats(name, {}, &x).ok());
  std::string bytes = writer.serialize();
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::parse(bytes, "mem");
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_NE(file->find(name), nullptr);
  EXPECT_EQ(file->find(name)->numElements(), 1);
  EXPECT_EQ((*readFloats(*file->find(name)))[0], 3.0f);
}

TEST(SafeTensorsTest, RejectsMalformedFiles) {
  const std::string t = R"("w": {"dtype": "F32", "shape": [2, 3], )";
  struct Case {
    std::string bytes;
    std::string message;
  };
  std::string hugeHeader(8, '\0');
  hugeHeader[4] = 1; // 2^32 bytes
  std::string overlong = craft("{}", 0);
  overlong[0] = 10;
  const Case cases[] = {
      {"abc", "bad.safetensors: file has 3 bytes, too short for the 8-byte "
              "header length"},
      {hugeHeader, "bad.safetensors: header length 4294967296 exceeds the "
                   "limit of 100000000 bytes (not a safetensors file?)"},
      {overlong, "bad.safetensors: header length 10 runs past the end of "
                 "the file (10 bytes)"},
      {craft("{\"w\": ", 0), "bad.safetensors header:1:7: unexpected end of "
                             "input, expected a value"},
      {craft("[]", 0), "bad.safetensors: header must be a JSON object, got "
                       "array"},
      {craft("{\"w\": 3}", 0), "bad.safetensors: tensor 'w': expected an "
                               "object, got integer 3"},
      {craft(R"({"w": {"shape": [], "data_offsets": [0, 4]}})", 4),
       "bad.safetensors: tensor 'w': missing key 'dtype'"},
      {craft(R"({"w": {"dtype": 5, "shape": [], "data_offsets": [0, 4]}})", 4),
       "bad.safetensors: tensor 'w': key 'dtype': expected a string, got "
       "integer 5"},
      {craft(R"({"w": {"dtype": "F128", "shape": [], "data_offsets": [0, 4]}})", 4),
       "bad.safetensors: tensor 'w': unknown dtype 'F128'"},
      {craft(R"({"w": {"dtype": "F32", "shape": 4, "data_offsets": [0, 4]}})", 4),
       "bad.safetensors: tensor 'w': key 'shape': expected an array, got "
       "integer 4"},
      {craft(R"({"w": {"dtype": "F32", "shape": [2, -3], "data_offsets": [0, 4]}})", 4),
       "bad.safetensors: tensor 'w': dimension 1 is negative (-3)"},
      {craft(R"({"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", 4),
       "bad.safetensors: tensor 'w': key 'shape': element 0: expected an "
       "integer, got number 1.5"},
      {craft(R"({"w": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 4]}})", 4),
       "bad.safetensors: tensor 'w': key 'shape': element 0: expected an "
       "integer, got string"},
      {craft("{" + t + "\"data_offsets\": [0]}}", 24),
       "bad.safetensors: tensor 'w': data_offsets must have 2 elements, got "
       "1"},
      {craft("{" + t + "\"data_offsets\": [-4, 20]}}", 24),
       "bad.safetensors: tensor 'w': data_offsets must not be negative"},
      {craft("{" + t + "\"data_offsets\": [24, 0]}}", 24),
       "bad.safetensors: tensor 'w': data offsets [24, 0) begin after they "
       "end"},
      {craft("{" + t + "\"data_offsets\": [0, 24]}}", 20),
       "bad.safetensors: tensor 'w': data offsets [0, 24) extend past the "
       "data section, which has 20 bytes (is the file truncated?)"},
      {craft("{" + t + "\"data_offsets\": [0, 20]}}", 24),
       "bad.safetensors: tensor 'w': data offsets [0, 20) hold 20 bytes, but "
       "F32 shape [2, 3] needs 24 bytes"},
      {craft(R"({"w": {"dtype": "F32", "shape": [4611686018427387904, 8],)"
             R"( "data_offsets": [0, 0]}})",
             0),
       "bad.safetensors: tensor 'w': shape has more elements than fit in 64 "
       "bits"},
      {craft(R"({"w": {"dtype": "F64", "shape": [2305843009213693952],)"
             R"( "data_offsets": [0, 0]}})",
             0),
       "bad.safetensors: tensor 'w': data offsets [0, 0) hold 0 bytes, but "
       "F64 shape [2305843009213693952] needs more than 2^64 bytes"},
      {craft(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                 "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
             12),
       "bad.safetensors: tensor 'b': data offsets [4, 12) overlap tensor 'a' "
       "at [0, 8)"},
      {craft(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                 "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
             8),
       "bad.safetensors header:2:18: duplicate key 'a'"},
      {craft(R"({"__metadata__": {"format": 1}})", 0),
       "bad.safetensors: __metadata__ key 'format': expected a string, got "
       "integer 1"},
      {craft(R"({"__metadata__": []})", 0),
       "bad.safetensors: __metadata__ must be an object, got array"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.bytes), c.message);
}

TEST(SafeTensorsTest, AcceptsEdgeCases) {
  // Empty header object, zero-size tensors sharing an offset, a scalar, a
  // gap in the data section and unknown entry keys are all fine.
  std::string bytes = craft(
      R"({"__metadata__": {},
          "z1": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]},
          "z2": {"dtype": "BF16", "shape": [3, 0], "data_offsets": [4, 4]},
          "s": {"dtype": "F32", "shape": [], "data_offsets": [0, 4], "extra": 1},
          "h": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]}}  )",
      12);
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::parse(bytes, "ok");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->tensors().size(), 4u);
  EXPECT_EQ(file->tensors()[0].name, "z1");
  EXPECT_EQ(file->find("s")->numElements(), 1);
  EXPECT_EQ(file->find("h")->nbytes, 4u);
  EXPECT_TRUE(SafeTensorsFile::parse(craft("{}", 0), "ok").ok());
}

TEST(SafeTensorsTest, OpenNamesMissingFiles) {
  StatusOr<SafeTensorsFile> file = SafeTensorsFile::open("/nonexistent.st");
  EXPECT_EQ(file.status().message(), "/nonexistent.st: cannot open: No such file or directory");
  TempDir dir;
  EXPECT_EQ(SafeTensorsFile::open(dir.path()).status().message(),
            dir.path() + ": is a directory, expected a file");
  test::writeFile(dir.file("empty"), "");
  EXPECT_EQ(SafeTensorsFile::open(dir.file("empty")).status().message(),
            dir.file("empty") + ": file has 0 bytes, too short for the 8-byte "
                                "header length");
}

} // namespace
