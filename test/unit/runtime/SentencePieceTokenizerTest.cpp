//===- SentencePieceTokenizerTest.cpp - Llama/Mistral/Jamba-style BPE -----===//
//
// A BPE with <0xXX> byte fallback and ▁ for spaces, in the pipelines that
// Llama, Mistral, Jamba and Mamba-Codestral checkpoints ship, against ids
// and decoded text from Hugging Face tokenizers (data/
// make_sp_tokenizer_golden.py): 155 texts (Unicode in many scripts,
// whitespace runs, digits, characters that need the byte fallback, added
// tokens in the text) per variant.
//
//===----------------------------------------------------------------------===//

#include "TestData.h"
#include "runtime/io/Json.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <gtest/gtest.h>
#include <sstream>

using namespace ssmrt;
using ssmrt::test::TempDir;

namespace {

class SpTokenizerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    base = new std::string(test::readFile(test::dataPath("sp_style_tokenizer.json")));
    StatusOr<JsonDocument> doc = readJsonFile(test::dataPath("sp_style_golden.json"));
    ASSERT_TRUE(doc.ok()) << doc.status().message();
    golden = new JsonDocument(std::move(*doc));
  }
  static void TearDownTestSuite() {
    delete base;
    delete golden;
  }

  static const JsonValue &variant(const std::string &name) {
    return *golden->root.find("variants")->find(name);
  }

  /// The tokenizer.json of |name|: the base file (one top-level key per
  /// line) with the lines of the keys the variant changes replaced.
  static std::string variantJson(const std::string &name) {
    std::istringstream in(*base);
    std::string line, out;
    const JsonValue &changes = *variant(name).find("tokenizer");
    while (std::getline(in, line)) {
      for (const auto &[key, value] : changes.asObject())
        if (line.rfind("\"" + key + "\": ", 0) == 0)
          line = "\"" + key + "\": " + value.asString() + (line.back() == ',' ? "," : "");
      out += line + "\n";
    }
    return out;
  }

  static Tokenizer load(const std::string &json) {
    StatusOr<Tokenizer> tok = Tokenizer::fromJson(json, "sp.json");
    EXPECT_TRUE(tok.ok()) << tok.status().message();
    return std::move(*tok);
  }

  static std::vector<int32_t> ids(const JsonValue &list) {
    std::vector<int32_t> out;
    for (const JsonValue &id : list.asArray())
      out.push_back(static_cast<int32_t>(id.asInt()));
    return out;
  }

  /// Every text of |name|: ids without and with special tokens, and the
  /// decoded text.
  static void checkVariant(const Tokenizer &tok, const std::string &name) {
    const auto &texts = golden->root.find("texts")->asArray();
    const JsonValue &v = variant(name);
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::string &text = texts[i].asString();
      std::vector<int32_t> want = ids(v.find("ids")->asArray()[i]);
      StatusOr<std::vector<int32_t>> got = tok.encode(text);
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(*got, want) << name << " text " << i << ": '" << text << "'";
      StatusOr<std::vector<int32_t>> special = tok.encodeWithSpecial(text);
      ASSERT_TRUE(special.ok());
      EXPECT_EQ(*special, ids(v.find("ids_special")->asArray()[i])) << name << " text " << i;
      EXPECT_EQ(tok.decode(want), v.find("decoded")->asArray()[i].asString())
          << name << " text " << i;
    }
  }

  static std::string *base;
  static JsonDocument *golden;
};
std::string *SpTokenizerTest::base;
JsonDocument *SpTokenizerTest::golden;

// Llama's "legacy" form: Prepend and Replace normalizers, no pre-tokenizer.
TEST_F(SpTokenizerTest, LegacyNormalizersMatchHuggingFace) { checkVariant(load(*base), "legacy"); }

// transformers' newer conversion: a Metaspace pre-tokenizer that marks only
// the start of the text, no split.
TEST_F(SpTokenizerTest, MetaspaceFirstMatchesHuggingFace) {
  checkVariant(load(variantJson("metaspace_first")), "metaspace_first");
}

// The older one: ▁ before every piece, a word per ▁, a Metaspace decoder
// (which leaves <0xXX> tokens as they are).
TEST_F(SpTokenizerTest, MetaspaceAlwaysSplitMatchesHuggingFace) {
  checkVariant(load(variantJson("metaspace_always_split")), "metaspace_always_split");
}

TEST_F(SpTokenizerTest, MetaspaceNeverMatchesHuggingFace) {
  checkVariant(load(variantJson("metaspace_never")), "metaspace_never");
}

// tokenizer_config.json decides over the post-processor and the prefix.
TEST_F(SpTokenizerTest, TokenizerConfigAddsBosAndPrefixSpace) {
  TempDir dir;
  test::writeFile(dir.file("tokenizer.json"), variantJson("metaspace_first"));
  auto loadDir = [&] {
    StatusOr<Tokenizer> tok = Tokenizer::load(dir.file("tokenizer.json"));
    EXPECT_TRUE(tok.ok()) << tok.status().message();
    return std::move(*tok);
  };
  test::writeFile(dir.file("tokenizer_config.json"),
                  R"({"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": false,
                      "add_eos_token": true})");
  Tokenizer noBos = loadDir();
  EXPECT_EQ(noBos.bosId(), 1);
  EXPECT_EQ(noBos.eosId(), 2);
  std::vector<int32_t> hello = *noBos.encode("Hello world");
  std::vector<int32_t> withEos = hello;
  withEos.push_back(2);
  EXPECT_EQ(*noBos.encodeWithSpecial("Hello world"), withEos);

  // add_prefix_space false: no ▁ before the text, as prepend_scheme never.
  test::writeFile(dir.file("tokenizer_config.json"),
                  R"({"bos_token": "<s>", "add_bos_token": true, "add_prefix_space": false})");
  Tokenizer never = loadDir();
  const auto &texts = golden->root.find("texts")->asArray();
  for (size_t i = 0; i < texts.size(); ++i)
    EXPECT_EQ(*never.encode(texts[i].asString()),
              ids(variant("metaspace_never").find("ids")->asArray()[i]))
        << "text " << i;

  test::writeFile(dir.file("tokenizer_config.json"), R"({"add_bos_token": true})");
  EXPECT_EQ(Tokenizer::load(dir.file("tokenizer.json")).status().message(),
            dir.file("tokenizer_config.json") +
                ": key 'add_bos_token': is true but there is no bos_token");
}

// Generated text streams with its spaces (the leading-space strip is for a
// whole decode), and characters split over byte tokens are held back.
TEST_F(SpTokenizerTest, StreamingKeepsSpacesAndJoinsFallbackBytes) {
  Tokenizer tok = load(*base);
  std::string text = " then 中文 and 😀 done";
  std::vector<int32_t> ids = *tok.encode(text);
  DecodeStream stream(tok);
  std::string streamed;
  for (int32_t id : ids) {
    std::string part = stream.next(id);
    for (unsigned char c : part)
      EXPECT_FALSE(c >= 0x80 && c < 0xC0 && part.size() == 1) << "a lone continuation byte";
    streamed += part;
  }
  streamed += stream.flush();
  // Prepend adds ▁ to a text that already starts with a space: two spaces,
  // of which decode() strips one.
  EXPECT_EQ(streamed, "  then 中文 and 😀 done");
  EXPECT_EQ(tok.decode(ids), " then 中文 and 😀 done");
}

TEST_F(SpTokenizerTest, CharacterWithoutTokenOrFallbackIsUnk) {
  // Without byte_fallback an unseen character is <unk> (fused runs once).
  std::string json = *base;
  for (auto [from, to] :
       {std::pair<std::string, std::string>{"\"byte_fallback\": true", "\"byte_fallback\": false"},
        {"\"fuse_unk\": false", "\"fuse_unk\": true"}}) {
    size_t at = json.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    json.replace(at, from.size(), to);
  }
  Tokenizer tok = load(json);
  std::vector<int32_t> got = *tok.encode("\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
  EXPECT_EQ(got, (std::vector<int32_t>{*tok.tokenToId("\xE2\x96\x81"), 0}));
}

} // namespace
