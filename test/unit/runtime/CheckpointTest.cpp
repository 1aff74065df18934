//===- CheckpointTest.cpp - HF checkpoint directory tests -----------------===//

#include "runtime/io/Checkpoint.h"
#include "TestData.h"
#include "runtime/io/SafeTensorsWriter.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace ssmrt;
using ssmrt::test::TempDir;
using ssmrt::test::writeFile;

namespace {

TEST(CheckpointTest, OpensTheDemoModel) {
  StatusOr<Checkpoint> ckpt = Checkpoint::open(test::demoModelDir());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  ASSERT_NE(ckpt->config(), nullptr);
  StatusOr<JsonObjectReader> config = ckpt->config()->rootObject();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*config->getInt("hidden_size"), 192);
  EXPECT_EQ(*config->getInt("num_hidden_layers"), 4);
  EXPECT_EQ(*config->getString("model_type"), "mamba");
  EXPECT_EQ(*config->getNumber("layer_norm_epsilon"), 1e-5);
  EXPECT_TRUE(*config->getBool("tie_word_embeddings"));

  EXPECT_EQ(ckpt->tensorNames().size(), 43u);
  StatusOr<const TensorView *> conv = ckpt->get("backbone.layers.3.mixer.conv1d.weight");
  ASSERT_TRUE(conv.ok());
  EXPECT_EQ((*conv)->shape, (std::vector<int64_t>{384, 1, 4}));
  EXPECT_EQ((*conv)->file, test::demoModelDir() + "/model.safetensors");
  EXPECT_EQ(ckpt->get("backbone.embedding.weight").status().message(),
            test::demoModelDir() + ": no tensor named 'backbone.embedding.weight'");

  // Views stay valid after the checkpoint moves.
  const TensorView *head = ckpt->find("lm_head.weight");
  Checkpoint moved = std::move(*ckpt);
  EXPECT_EQ(moved.find("lm_head.weight"), head);
  const TensorView *embed = moved.find("backbone.embeddings.weight");
  EXPECT_EQ(std::memcmp(head->data, embed->data, head->nbytes), 0);
}

TEST(CheckpointTest, OpensABareSafeTensorsFile) {
  StatusOr<Checkpoint> ckpt =
      Checkpoint::openSafeTensors(test::demoModelDir() + "/model.safetensors");
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  EXPECT_EQ(ckpt->config(), nullptr);
  EXPECT_NE(ckpt->find("backbone.norm_f.weight"), nullptr);
}

/// Writes a shard holding |names|, each a 2-element F32 tensor.
void writeShard(const std::string &path, const std::vector<std::string> &names) {
  SafeTensorsWriter writer;
  float values[2] = {1.0f, 2.0f};
  for (const std::string &name : names) {
    values[0] += 1.0f;
    ASSERT_TRUE(writer.addFloats(name, {2}, values).ok());
  }
  ASSERT_TRUE(writer.writeFile(path).ok());
}

class ShardedCheckpointTest : public ::testing::Test {
protected:
  void SetUp() override {
    writeFile(dir.file("config.json"), R"({"hidden_size": 2})");
    writeShard(dir.file("model-00001-of-00002.safetensors"), {"a", "b"});
    writeShard(dir.file("model-00002-of-00002.safetensors"), {"c"});
  }
  void writeIndex(const std::string &weightMap) {
    writeFile(dir.file("model.safetensors.index.json"),
              R"({"metadata": {"total_size": 24}, "weight_map": )" + weightMap + "}");
  }
  std::string openError() {
    StatusOr<Checkpoint> ckpt = Checkpoint::open(dir.path());
    EXPECT_FALSE(ckpt.ok());
    return ckpt.ok() ? "" : ckpt.status().message();
  }
  std::string index() const { return dir.file("model.safetensors.index.json"); }

  TempDir dir;
  const std::string shard1 = "model-00001-of-00002.safetensors";
  const std::string shard2 = "model-00002-of-00002.safetensors";
};

TEST_F(ShardedCheckpointTest, OpensShards) {
  writeIndex(R"({"a": ")" + shard1 + R"(", "b": ")" + shard1 + R"(", "c": ")" + shard2 + R"("})");
  StatusOr<Checkpoint> ckpt = Checkpoint::open(dir.path());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  EXPECT_EQ(ckpt->fileCount(), 2u);
  EXPECT_EQ(ckpt->tensorNames(), (std::vector<std::string>{"a", "b", "c"}));
  const TensorView *c = ckpt->find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->file, dir.file(shard2));
  EXPECT_EQ((*readFloats(*c))[0], 2.0f);
  EXPECT_EQ((*readFloats(*ckpt->find("b")))[0], 3.0f);
}

TEST_F(ShardedCheckpointTest, SingleFileWinsOverIndex) {
  writeIndex(R"({"a": "missing.safetensors"})");
  writeShard(dir.file("model.safetensors"), {"only"});
  StatusOr<Checkpoint> ckpt = Checkpoint::open(dir.path());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  EXPECT_EQ(ckpt->tensorNames(), (std::vector<std::string>{"only"}));
}

TEST_F(ShardedCheckpointTest, MissingShardIsNamed) {
  writeIndex(R"({"a": ")" + shard1 + R"(", "z": "model-00003-of-00003.safetensors"})");
  EXPECT_EQ(openError(), index() + ": shard 'model-00003-of-00003.safetensors': " +
                             dir.file("model-00003-of-00003.safetensors") +
                             ": cannot open: No such file or directory");
}

TEST_F(ShardedCheckpointTest, TensorAbsentFromItsShardIsNamed) {
  writeIndex(R"({"a": ")" + shard1 + R"(", "d": ")" + shard1 + R"("})");
  EXPECT_EQ(openError(), index() + ": tensor 'd' is listed in shard '" + shard1 + "', but " +
                             dir.file(shard1) + " does not contain it");
}

TEST_F(ShardedCheckpointTest, TensorInTheWrongShardIsNamed) {
  writeIndex(R"({"a": ")" + shard1 + R"(", "c": ")" + shard1 + R"(", "b": ")" + shard2 + R"("})");
  EXPECT_EQ(openError(), index() + ": tensor 'c' is listed in shard '" + shard1 +
                             "', but found in " + dir.file(shard2));
}

TEST_F(ShardedCheckpointTest, TensorInTwoShardsIsAnError) {
  writeShard(dir.file(shard2), {"c", "a"});
  writeIndex(R"({"a": ")" + shard1 + R"(", "c": ")" + shard2 + R"("})");
  EXPECT_EQ(openError(), dir.path() + ": tensor 'a' appears in both " + dir.file(shard1) + " and " +
                             dir.file(shard2));
}

TEST_F(ShardedCheckpointTest, MalformedIndexIsRejected) {
  writeIndex("[]");
  EXPECT_EQ(openError(), index() + ": key 'weight_map': expected an object, "
                                   "got array");
  writeIndex("{}");
  EXPECT_EQ(openError(), index() + ": weight_map is empty");
  writeIndex(R"({"a": 5})");
  EXPECT_EQ(openError(), index() + ": key 'weight_map.a': expected a shard "
                                   "file name, got integer 5");
  writeIndex(R"({"a": "../model-00001-of-00002.safetensors"})");
  EXPECT_EQ(openError(), index() + ": key 'weight_map.a': shard "
                                   "'../model-00001-of-00002.safetensors' is "
                                   "not a file name in the checkpoint "
                                   "directory");
  writeFile(index(), "{");
  EXPECT_EQ(openError(), index() + ":1:2: unexpected end of input, expected "
                                   "a string key");
}

TEST_F(ShardedCheckpointTest, MissingPiecesAreNamed) {
  EXPECT_EQ(openError(), dir.path() + ": no weights: none of model.safetensors, "
                                      "model.safetensors.index.json, pytorch_model.bin and "
                                      "pytorch_model.bin.index.json exists");
  std::remove(dir.file("config.json").c_str());
  EXPECT_EQ(openError(), dir.file("config.json") + ": cannot open: No such file or directory");
  EXPECT_EQ(Checkpoint::open(dir.file("nope")).status().message(),
            dir.file("nope") + ": not a checkpoint directory (expected a "
                               "directory with config.json and weights)");
}

} // namespace
