//===- ArtifactTest.cpp - .ssmx round trip and every rejection ------------===//
#include "runtime/artifact/Artifact.h"
#include "runtime/io/Sha256.h"

#include "runtime/artifact/ssmx_generated.h"

#include <gtest/gtest.h>

using namespace ssmrt;

namespace {

/// A small valid program: tokens -> embedding -> logits (tied).
Program tinyProgram() {
  Program p;
  p.modelName = "tiny";
  p.params.push_back({{"emb", "embedding"}, {10, 4}});
  p.config.push_back({"hidden_size", ConfigCheck::Type::Int, 4, 0, false, ""});
  for (Function *f : {&p.forward, &p.decode, &p.reference}) {
    f->name = "forward";
    f->values = {{ValueKind::Tokens, -1, 0, {kDynamic, kDynamic}, -1, 0},
                 {ValueKind::SeqLens, -1, 0, {kDynamic}, -1, 0},
                 {ValueKind::Param, 0, 0, {10, 4}, -1, 0},
                 {ValueKind::Temp, -1, 0, {kDynamic, kDynamic, 4}, 0, 0},
                 {ValueKind::Temp, -1, 0, {kDynamic, kDynamic, 10}, -1, 0}};
    f->instrs = {{OpCode::Embedding, {2, 0}, {3}, {}, -1, false, "tiny.ssm:3:7"},
                 {OpCode::Logits, {3, 2}, {4}, {}, -1, false, ""}};
    f->inputs = {0, 1};
    f->outputs = {4};
    f->buffers = {{4}};
  }
  return p;
}

StatusOr<Program> roundTrip(const Program &p) {
  std::vector<uint8_t> bytes = writeArtifact(p);
  return readArtifact(bytes.data(), bytes.size(), "t.ssmx");
}

void expectRejected(const Program &p, const std::string &fragment) {
  StatusOr<Program> r = roundTrip(p);
  ASSERT_FALSE(r.ok()) << "expected an error containing: " << fragment;
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().rfind("t.ssmx", 0), 0u) << r.status().message();
}

} // namespace

TEST(Artifact, RoundTrip) {
  Program p = tinyProgram();
  p.cpu.object = {0x7f, 'E', 'L', 'F'};
  p.cpu.kernels.push_back({"k_packed", Parallel::BatchBlocks, 3});
  p.forward.instrs[0].kernel = 0;
  p.forward.instrs[0].attrs.push_back({"eps", {}, {1e-5}});
  StatusOr<Program> r = roundTrip(p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->modelName, "tiny");
  EXPECT_EQ(r->params[0].names, (std::vector<std::string>{"emb", "embedding"}));
  EXPECT_EQ(r->forward.instrs[0].kernel, 0);
  EXPECT_EQ(r->forward.instrs[0].floatAttr("eps", 0), 1e-5);
  EXPECT_EQ(r->forward.instrs[0].loc, "tiny.ssm:3:7");
  EXPECT_EQ(r->forward.instrs[1].loc, "");
  EXPECT_EQ(r->cpu.kernels[0].blocks, 3);
  EXPECT_EQ(r->cpu.object, p.cpu.object);
  EXPECT_EQ(r->config[0].key, "hidden_size");
  EXPECT_EQ(r->forward.values[3].buffer, 0);
}

TEST(Artifact, ForeignTruncatedAndCorruptFiles) {
  std::string foreign = "not an artifact at all";
  StatusOr<Program> r =
      readArtifact(reinterpret_cast<const uint8_t *>(foreign.data()), foreign.size(), "x.bin");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "x.bin: not an ssmc artifact (no 'SSMX' file identifier)");

  std::vector<uint8_t> bytes = writeArtifact(tinyProgram());
  for (size_t cut : {size_t(3), size_t(8), bytes.size() / 2, bytes.size() - 1}) {
    r = readArtifact(bytes.data(), cut, "cut.ssmx");
    ASSERT_FALSE(r.ok()) << "truncated to " << cut;
    EXPECT_EQ(r.status().message().rfind("cut.ssmx: ", 0), 0u) << r.status().message();
  }
  r = readArtifact(bytes.data(), bytes.size() - kArtifactTrailerSize, "old.ssmx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "old.ssmx: the artifact has no checksum (it is truncated, or "
                                  "from an older ssmc); recompile the model");
  // Every single-byte change anywhere, the checksum included, is rejected
  // with a message naming the file.
  for (size_t i = 0; i < bytes.size(); ++i)
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= mask;
      r = readArtifact(bad.data(), bad.size(), "flip.ssmx");
      ASSERT_FALSE(r.ok()) << "byte " << i << " ^ " << int(mask);
      ASSERT_EQ(r.status().message().rfind("flip.ssmx: ", 0), 0u) << r.status().message();
    }
  std::vector<uint8_t> bad = bytes;
  bad[bytes.size() / 2] ^= 1;
  EXPECT_EQ(readArtifact(bad.data(), bad.size(), "flip.ssmx").status().message(),
            "flip.ssmx: the artifact is damaged (its checksum does not match its contents); "
            "recompile the model");
}

TEST(Artifact, OtherFormatVersion) {
  flatbuffers::FlatBufferBuilder fbb;
  auto root = ssmx::CreateArtifactDirect(fbb, kArtifactFormatVersion + 1, "future");
  fbb.Finish(root, ssmx::ArtifactIdentifier());
  std::vector<uint8_t> bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  Sha256Digest digest = Sha256::hash(bytes.data(), bytes.size());
  bytes.insert(bytes.end(), kArtifactChecksumMagic, kArtifactChecksumMagic + 8);
  bytes.insert(bytes.end(), digest.begin(), digest.end());
  StatusOr<Program> r = readArtifact(bytes.data(), bytes.size(), "new.ssmx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("format version 3, this runtime reads version 2"),
            std::string::npos)
      << r.status().message();
}

TEST(Artifact, InconsistentContentsAreRejected) {
  Program p = tinyProgram();
  p.forward.instrs[1].operands[0] = 17;
  expectRejected(p, "operand 0 is value 17 of 5");

  p = tinyProgram();
  p.forward.values[2].index = 3;
  expectRejected(p, "refers to parameter 3 of 1");

  p = tinyProgram();
  p.forward.values[3].column = 2; // 4 floats from column 2 overflow a width-4 buffer
  expectRejected(p, "does not fit in buffer 0 of width 4");

  p = tinyProgram();
  p.forward.instrs[0].kernel = 5;
  expectRejected(p, "refers to kernel 5 of 0");

  p = tinyProgram();
  p.forward.instrs[0].operands.pop_back();
  expectRejected(p, "instruction 0 (embedding) has 1 operands");

  p = tinyProgram();
  std::swap(p.forward.instrs[0], p.forward.instrs[1]);
  expectRejected(p, "is used before it is defined");

  p = tinyProgram();
  p.params[0].shape = {10, -4};
  expectRejected(p, "parameter 0 ('emb') has dimension -4");

  p = tinyProgram();
  p.decode.inputs = {1, 0};
  expectRejected(p, "function 'decode': input 0 has the wrong kind");
}
