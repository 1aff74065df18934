//===- TokenizerTest.cpp - byte-level BPE tokenizer tests -----------------===//
//
// The GPT-NeoX-style goldens come from Hugging Face tokenizers; see
// data/make_tokenizer_golden.py.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/Tokenizer.h"
#include "TestData.h"
#include "runtime/io/Json.h"
#include "runtime/tokenizer/ByteLevel.h"
#include "runtime/tokenizer/Unicode.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>

using namespace ssmrt;
using ssmrt::test::TempDir;

namespace {

/// Aborts the test (not just fails it) if loading fails, since every later
/// step would use the missing tokenizer.
Tokenizer valueOrDie(StatusOr<Tokenizer> tok) {
  if (!tok.ok()) {
    std::fprintf(stderr, "loading failed: %s\n", tok.status().message().c_str());
    std::abort();
  }
  return std::move(*tok);
}

Tokenizer loadOk(const std::string &path) { return valueOrDie(Tokenizer::load(path)); }

Tokenizer fromJsonOk(const std::string &json) {
  return valueOrDie(Tokenizer::fromJson(json, "test.json"));
}

std::vector<int32_t> encodeOk(const Tokenizer &tok, std::string_view text) {
  StatusOr<std::vector<int32_t>> ids = tok.encode(text);
  EXPECT_TRUE(ids.ok()) << ids.status().message();
  return ids.ok() ? *ids : std::vector<int32_t>();
}

std::vector<int32_t> bytesOf(std::string_view s) {
  std::vector<int32_t> ids;
  for (char c : s)
    ids.push_back(static_cast<uint8_t>(c));
  return ids;
}

//===----------------------------------------------------------------------===//
// The demo model's 256-token byte-level tokenizer
//===----------------------------------------------------------------------===//

TEST(DemoTokenizerTest, IdsAreUtf8Bytes) {
  Tokenizer tok = loadOk(test::demoModelDir() + "/tokenizer.json");
  EXPECT_EQ(tok.vocabSize(), 256);
  EXPECT_FALSE(tok.bosId().has_value());
  EXPECT_FALSE(tok.eosId().has_value());
  for (std::string text :
       {std::string("Genesis 1:1 In the beginning God created the heaven "
                    "and the earth.\n"),
        std::string("  spaces\tand\ttabs  \r\n"),
        std::string("na\xC3\xAFve caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 "
                    "\xF0\x9F\x98\x80 \xD0\x96"),
        std::string("e\xCC\x81 stays decomposed"), std::string("\0\x01", 2), std::string()}) {
    std::vector<int32_t> ids = encodeOk(tok, text);
    EXPECT_EQ(ids, bytesOf(text));
    EXPECT_EQ(tok.decode(ids), text);
  }
  EXPECT_EQ(*tok.idToToken(32), "\xC4\xA0"); // "Ġ"
  EXPECT_EQ(*tok.tokenToId("\xC4\x8A"), 10); // "Ċ"
  EXPECT_EQ(*tok.idToToken(65), "A");
  EXPECT_FALSE(tok.idToToken(256).has_value());
  EXPECT_FALSE(tok.idToToken(-1).has_value());
  EXPECT_FALSE(tok.tokenToId(" ").has_value());
}

TEST(DemoTokenizerTest, RejectsInvalidUtf8WithOffset) {
  Tokenizer tok = loadOk(test::demoModelDir() + "/tokenizer.json");
  struct Case {
    std::string text;
    const char *message;
  };
  for (const Case &c : {
           Case{"abc\xFF", "input is not valid UTF-8: byte 0xFF at offset 3"},
           Case{"\xC0\x80", "input is not valid UTF-8: byte 0xC0 at offset 0"},
           Case{"ok \xED\xA0\x80", "input is not valid UTF-8: byte 0xED at offset 3"},
           Case{"ab\xE4\xB8", "input is not valid UTF-8: byte 0xE4 at offset 2"},
       })
    EXPECT_EQ(tok.encode(c.text).status().message(), c.message);
}

TEST(DemoTokenizerTest, StreamingHoldsBackSplitCharacters) {
  Tokenizer tok = loadOk(test::demoModelDir() + "/tokenizer.json");
  DecodeStream stream(tok);
  // "é中😀" one byte (= one token) at a time.
  std::string text = "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80!";
  std::vector<std::string> pieces;
  for (int32_t id : bytesOf(text))
    pieces.push_back(stream.next(id));
  EXPECT_EQ(pieces, (std::vector<std::string>{"", "\xC3\xA9", "", "", "\xE4\xB8\xAD", "", "", "",
                                              "\xF0\x9F\x98\x80", "!"}));
  EXPECT_EQ(stream.flush(), "");

  // Invalid bytes come out as U+FFFD as soon as they are known to be bad.
  std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(stream.next(0xE4), "");
  EXPECT_EQ(stream.next('A'), fffd + "A");
  EXPECT_EQ(stream.next(0xFF), fffd);
  EXPECT_EQ(stream.next(0xF0), "");
  EXPECT_EQ(stream.next(0x9F), "");
  EXPECT_EQ(stream.flush(), fffd);
  EXPECT_EQ(stream.next(12345), ""); // unknown ids decode to nothing
  EXPECT_EQ(tok.decode({0xE4, 'A', 12345, 0xF0}), fffd + "A" + fffd);
}

//===----------------------------------------------------------------------===//
// A GPT-NeoX-style tokenizer with merges, NFC and added tokens
//===----------------------------------------------------------------------===//

/// Sets pre_tokenizer.<key> in tokenizer.json text, as the golden script's
/// patch_pre_tokenizer() does.
std::string patchPreTokenizer(std::string text, const std::string &key, const std::string &value) {
  size_t start = text.find("\"pre_tokenizer\"");
  size_t at = text.find("\"" + key + "\"", start);
  size_t colon = text.find(':', at);
  size_t end = std::min(text.find(',', colon), text.find('}', colon));
  return text.substr(0, colon + 1) + " " + value + text.substr(end);
}

class NeoxTokenizerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    json = new std::string(test::readFile(test::dataPath("neox_style_tokenizer.json")));
    StatusOr<JsonDocument> doc = readJsonFile(test::dataPath("neox_style_golden.json"));
    ASSERT_TRUE(doc.ok()) << doc.status().message();
    golden = new JsonDocument(std::move(*doc));
  }
  static void TearDownTestSuite() {
    delete json;
    delete golden;
  }

  /// Checks every golden text of |variant| against |tok|.
  static void checkGolden(const Tokenizer &tok, const std::string &variant) {
    const auto &texts = golden->root.find("texts")->asArray();
    const auto &ids = golden->root.find("ids")->find(variant)->asArray();
    ASSERT_EQ(texts.size(), ids.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      std::vector<int32_t> expected;
      for (const JsonValue &id : ids[i].asArray())
        expected.push_back(static_cast<int32_t>(id.asInt()));
      EXPECT_EQ(encodeOk(tok, texts[i].asString()), expected)
          << variant << " text " << i << ": '" << texts[i].asString() << "'";
    }
  }

  static std::string *json;
  static JsonDocument *golden;
};
std::string *NeoxTokenizerTest::json;
JsonDocument *NeoxTokenizerTest::golden;

TEST_F(NeoxTokenizerTest, MatchesHuggingFace) { checkGolden(fromJsonOk(*json), "default"); }

TEST_F(NeoxTokenizerTest, MatchesHuggingFaceWithPrefixSpace) {
  checkGolden(fromJsonOk(patchPreTokenizer(*json, "add_prefix_space", "true")), "prefix_space");
}

TEST_F(NeoxTokenizerTest, MatchesHuggingFaceWithoutRegex) {
  checkGolden(fromJsonOk(patchPreTokenizer(*json, "use_regex", "false")), "no_regex");
}

TEST_F(NeoxTokenizerTest, AddedTokensAndSpecialIds) {
  Tokenizer tok = loadOk(test::dataPath("neox_style_tokenizer.json"));
  EXPECT_EQ(*tok.tokenToId("<|endoftext|>"), 0);
  EXPECT_EQ(*tok.tokenToId("<|padding|>"), 1);
  EXPECT_EQ(tok.bosId(), 0);
  EXPECT_EQ(tok.eosId(), 0);
  EXPECT_TRUE(tok.isSpecial(0));
  EXPECT_FALSE(tok.isSpecial(*tok.tokenToId("  ")));
  std::vector<int32_t> ids = encodeOk(tok, "a<|endoftext|>b");
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[1], 0);
  EXPECT_EQ(tok.decode(ids), "a<|endoftext|>b");
  EXPECT_EQ(tok.decode(ids, /*skipSpecial=*/true), "ab");
  // Runs of spaces are added tokens and decode to real spaces.
  EXPECT_EQ(tok.decode(encodeOk(tok, "x    y")), "x    y");
}

TEST_F(NeoxTokenizerTest, DecodeRoundTripsAndStreams) {
  Tokenizer tok = fromJsonOk(*json);
  for (const JsonValue &t : golden->root.find("texts")->asArray()) {
    const std::string &text = t.asString();
    std::vector<int32_t> ids = encodeOk(tok, text);
    DecodeStream stream(tok);
    std::string streamed;
    for (int32_t id : ids)
      streamed += stream.next(id);
    streamed += stream.flush();
    EXPECT_EQ(streamed, tok.decode(ids));
    // lstrip/rstrip tokens swallow spaces that decoding cannot restore.
    if (text.find("<mask>") == std::string::npos && text.find("xyz") == std::string::npos) {
      EXPECT_EQ(tok.decode(ids), unicode::toNfc(text)) << text;
    }
  }
}

TEST_F(NeoxTokenizerTest, StreamsMultiByteCharactersSplitAcrossTokens) {
  Tokenizer tok = fromJsonOk(*json);
  std::string text = "\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "
                     "\xE4\xB8\xAD\xE6\x96\x87";
  std::vector<int32_t> ids = encodeOk(tok, text);
  DecodeStream stream(tok);
  std::string out;
  int emptySteps = 0;
  for (int32_t id : ids) {
    std::string piece = stream.next(id);
    EXPECT_EQ(unicode::toNfc(piece), piece);
    emptySteps += piece.empty();
    out += piece;
  }
  EXPECT_GT(emptySteps, 0) << "expected some tokens to end mid-character";
  EXPECT_EQ(stream.flush(), "");
  EXPECT_EQ(out, text);
}

/// Serializes |v| as JSON, writing "left right" strings for the pairs in
/// model.merges when |mergesAsStrings| is set.
std::string toJson(const JsonValue &v, bool mergesAsStrings, const std::string &path = "") {
  switch (v.kind()) {
  case JsonValue::Kind::Null: return "null";
  case JsonValue::Kind::Bool: return v.asBool() ? "true" : "false";
  case JsonValue::Kind::Number:
    return v.isInteger() ? std::to_string(v.asInt()) : std::to_string(v.asNumber());
  case JsonValue::Kind::String: return quoteJson(v.asString());
  case JsonValue::Kind::Array: {
    std::string out = "[";
    for (const JsonValue &e : v.asArray()) {
      out += out.size() > 1 ? "," : "";
      if (mergesAsStrings && path == ".model.merges")
        out += quoteJson(e.asArray()[0].asString() + " " + e.asArray()[1].asString());
      else
        out += toJson(e, mergesAsStrings, path + "[]");
    }
    return out + "]";
  }
  case JsonValue::Kind::Object: {
    std::string out = "{";
    for (const JsonValue::Member &m : v.asObject())
      out += (out.size() > 1 ? "," : "") + quoteJson(m.first) + ":" +
             toJson(m.second, mergesAsStrings, path + "." + m.first);
    return out + "}";
  }
  }
  return "";
}

TEST_F(NeoxTokenizerTest, MergesAsStringsEqualMergesAsPairs) {
  // No byte-level token contains a space, so "left right" is unambiguous.
  StatusOr<JsonDocument> doc = parseJson(*json, "neox");
  ASSERT_TRUE(doc.ok());
  std::string rewritten = toJson(doc->root, /*mergesAsStrings=*/true);
  ASSERT_NE(rewritten.find("\"merges\":[\"\xC4\xA0 \xC4\xA0\""), std::string::npos);
  checkGolden(fromJsonOk(rewritten), "default");
}

TEST_F(NeoxTokenizerTest, EncodesLargeTextQuickly) {
  Tokenizer tok = fromJsonOk(*json);
  std::string text;
  while (text.size() < 100'000)
    for (const JsonValue &t : golden->root.find("texts")->asArray())
      text += t.asString() + " ";
  text += std::string(20'000, 'a'); // one long word
  auto start = std::chrono::steady_clock::now();
  std::vector<int32_t> ids = encodeOk(tok, text);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(ids.size(), 10'000u);
  EXPECT_LT(seconds, 1.0);
}

TEST_F(NeoxTokenizerTest, ReadsBosEosFromTokenizerConfig) {
  TempDir dir;
  test::writeFile(dir.file("tokenizer.json"), *json);
  test::writeFile(dir.file("tokenizer_config.json"),
                  R"({"bos_token": {"content": "<|padding|>"},
                      "eos_token": "<|endoftext|>"})");
  Tokenizer tok = loadOk(dir.file("tokenizer.json"));
  EXPECT_EQ(tok.bosId(), 1);
  EXPECT_EQ(tok.eosId(), 0);

  test::writeFile(dir.file("tokenizer_config.json"), R"({"eos_token": "</s>"})");
  EXPECT_EQ(Tokenizer::load(dir.file("tokenizer.json")).status().message(),
            dir.file("tokenizer_config.json") + ": key 'eos_token': '</s>' is not a token of " +
                dir.file("tokenizer.json"));
}

//===----------------------------------------------------------------------===//
// Small hand-written tokenizers
//===----------------------------------------------------------------------===//

/// A byte-level tokenizer.json: all 256 bytes (minus |dropBytes|), then
/// |extraVocab| and |merges|; |model| adds model keys and |rest| top-level
/// keys.
std::string smallTokenizer(const std::vector<std::string> &extraVocab, const std::string &merges,
                           const std::string &model = "", const std::string &rest = "",
                           const std::string &dropBytes = "") {
  std::string vocab;
  int id = 0;
  for (int b = 0; b < 256; ++b) {
    if (dropBytes.find(char(b)) != std::string::npos)
      continue;
    vocab += (id ? "," : "") + quoteJson(byteLevelSpelling(std::string(1, char(b)))) + ":" +
             std::to_string(id);
    ++id;
  }
  for (const std::string &token : extraVocab)
    vocab += "," + quoteJson(token) + ":" + std::to_string(id++);
  std::string pre =
      R"("pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
                       "decoder": {"type": "ByteLevel"})";
  return "{" + (rest.empty() ? pre : rest) + R"(, "model": {"type": "BPE", "vocab": {)" + vocab +
         "}, \"merges\": " + merges + model + "}}";
}

TEST(SmallTokenizerTest, AppliesMergesByRank) {
  // "ab" (rank 1) beats "bc" (rank 2) in "abc"; "aa" merges leftmost first.
  Tokenizer tok = fromJsonOk(
      smallTokenizer({"bc", "ab", "aa", "aaaa", "xy"}, R"(["x y", "a b", "b c", "a a", "aa aa"])"));
  int32_t bc = 256, ab = 257, aa = 258, aaaa = 259;
  EXPECT_EQ(encodeOk(tok, "abc"), (std::vector<int32_t>{ab, 'c'}));
  EXPECT_EQ(encodeOk(tok, "bc"), (std::vector<int32_t>{bc}));
  EXPECT_EQ(encodeOk(tok, "aaa"), (std::vector<int32_t>{aa, 'a'}));
  EXPECT_EQ(encodeOk(tok, "aaaaa"), (std::vector<int32_t>{aaaa, 'a'}));
  EXPECT_EQ(encodeOk(tok, "a a"), (std::vector<int32_t>{'a', ' ', 'a'}));
}

TEST(SmallTokenizerTest, MissingByteIsNamedOrUnk) {
  std::string noQ = smallTokenizer({}, "[]", "", "", "q");
  Tokenizer tok = fromJsonOk(noQ);
  EXPECT_EQ(tok.encode("aqa").status().message(),
            "test.json: byte 0x71 has no token in the vocabulary and the "
            "model has no unk_token");
  Tokenizer withUnk =
      fromJsonOk(smallTokenizer({"<unk>"}, "[]", R"(, "unk_token": "<unk>")", "", "q"));
  int32_t unk = *withUnk.tokenToId("<unk>");
  EXPECT_EQ(encodeOk(withUnk, "aqq"), (std::vector<int32_t>{'a', unk, unk}));
  Tokenizer fused = fromJsonOk(
      smallTokenizer({"<unk>"}, "[]", R"(, "unk_token": "<unk>", "fuse_unk": true)", "", "q"));
  EXPECT_EQ(encodeOk(fused, "aqq"), (std::vector<int32_t>{'a', unk}));
}

TEST(SmallTokenizerTest, IgnoreMergesUsesWholeWords) {
  Tokenizer tok =
      fromJsonOk(smallTokenizer({"ab", "abc"}, R"(["a b"])", R"(, "ignore_merges": true)"));
  EXPECT_EQ(encodeOk(tok, "abc"), (std::vector<int32_t>{257}));
  EXPECT_EQ(encodeOk(tok, "abd"), (std::vector<int32_t>{256, 'd'}));
}

TEST(SmallTokenizerTest, ComponentsInSequencesAreAccepted) {
  std::string rest =
      R"("normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}]},
         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
             {"type": "ByteLevel", "add_prefix_space": true, "use_regex": true}]},
         "post_processor": {"type": "ByteLevel", "trim_offsets": false},
         "decoder": {"type": "Sequence", "decoders": [{"type": "ByteLevel"}]})";
  Tokenizer tok = fromJsonOk(smallTokenizer({}, "[]", "", rest));
  EXPECT_EQ(encodeOk(tok, "e\xCC\x81"), (std::vector<int32_t>{' ', 0xC3, 0xA9}));
}

TEST(SmallTokenizerTest, UnsupportedPartsAreNamed) {
  struct Case {
    std::string json;
    std::string message;
  };
  std::string bl = R"("pre_tokenizer": {"type": "ByteLevel"})";
  std::string dec = R"("decoder": {"type": "ByteLevel"})";
  const Case cases[] = {
      {smallTokenizer({}, "[]", "", R"("normalizer": {"type": "NFKC"}, )" + bl + ", " + dec),
       "test.json: key 'normalizer.type': unsupported normalizer 'NFKC' (NFC, "
       "Prepend and Replace are supported)"},
      {smallTokenizer({}, "[]", "",
                      R"("normalizer": {"type": "Sequence", "normalizers": [)"
                      R"({"type": "NFC"}, {"type": "Lowercase"}]}, )" +
                          bl + ", " + dec),
       "test.json: key 'normalizer.normalizers[1].type': unsupported "
       "normalizer 'Lowercase' (NFC, Prepend and Replace are supported)"},
      {smallTokenizer({}, "[]", "", R"("pre_tokenizer": {"type": "Whitespace"}, )" + dec),
       "test.json: key 'pre_tokenizer.type': unsupported pre_tokenizer "
       "'Whitespace' (ByteLevel, Metaspace or none are supported)"},
      {smallTokenizer({}, "[]", "", R"("pre_tokenizer": null, )" + dec),
       "test.json: key 'decoder.type': a ByteLevel decoder needs the ByteLevel pre-tokenizer, "
       "and this tokenizer has none"},
      {smallTokenizer({}, "[]", "",
                      R"("pre_tokenizer": {"type": "Metaspace", "prepend_scheme": "sometimes"})"),
       "test.json: key 'pre_tokenizer.prepend_scheme': expected always, first or never, got "
       "'sometimes'"},
      {smallTokenizer({}, "[]", "",
                      R"("normalizer": {"type": "Replace", "pattern": {"Regex": " +"}, )"
                      R"("content": "x"}, "pre_tokenizer": null)"),
       "test.json: key 'normalizer.pattern': only a String pattern is supported (not a Regex)"},
      {smallTokenizer({}, "[]", "",
                      R"("pre_tokenizer": null, "decoder": {"type": "Strip", "content": "x", )"
                      R"("start": 1, "stop": 0})"),
       "test.json: key 'decoder.type': only Strip of up to 16 leading spaces is supported"},
      {smallTokenizer(
           {}, "[]", "",
           R"("pre_tokenizer": null, "post_processor": {"type": "TemplateProcessing", )"
           R"("single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}], )"
           R"("special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}})"),
       "test.json: key 'post_processor.single': the template has no sequence ($A)"},
      {smallTokenizer(
           {}, "[]", "",
           R"("pre_tokenizer": null, "post_processor": {"type": "TemplateProcessing", )"
           R"("single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, )"
           R"({"Sequence": {"id": "A", "type_id": 0}}], )"
           R"("special_tokens": {"<s>": {"id": "<s>", "ids": [9999], "tokens": ["<s>"]}}})"),
       "test.json: key 'post_processor': adds token id 9999, which is not in the vocabulary"},
      {smallTokenizer({}, "[]", "", bl + R"(, "decoder": null)"),
       "test.json: key 'decoder': expected one ByteLevel decoder, got 0"},
      {smallTokenizer({}, "[]", "",
                      bl + ", " + dec + R"(, "post_processor": {"type": "BertProcessing"})"),
       "test.json: key 'post_processor.type': unsupported post_processor "
       "'BertProcessing' (ByteLevel and TemplateProcessing are supported)"},
      {R"({"model": {"type": "WordPiece", "vocab": {}}})",
       "test.json: key 'model.type': unsupported model type 'WordPiece' (only "
       "BPE is supported)"},
      {smallTokenizer({}, "[]", R"(, "byte_fallback": true)"),
       "test.json: key 'model.byte_fallback': is not supported with the ByteLevel "
       "pre-tokenizer (byte-level BPE covers every byte)"},
      {smallTokenizer({}, "[]", R"(, "dropout": 0.1)"),
       "test.json: key 'model.dropout': BPE dropout is not supported"},
      {smallTokenizer({}, "[]", R"(, "continuing_subword_prefix": "##")"),
       "test.json: key 'model.continuing_subword_prefix': is not supported "
       "(byte-level and SentencePiece-style BPE use none)"},
      {smallTokenizer({}, R"(["a"])"),
       "test.json: key 'model.merges[0]': expected \"left right\", got 'a'"},
      {smallTokenizer({}, R"([["a", 1]])"),
       "test.json: key 'model.merges[0]': expected \"left right\" or "
       "[\"left\", \"right\"], got array"},
      {smallTokenizer({}, R"(["a zz"])"),
       "test.json: key 'model.merges[0]': token 'zz' is not in the "
       "vocabulary"},
      {smallTokenizer({}, R"(["a b"])"),
       "test.json: key 'model.merges[0]': merged token 'ab' is not in the "
       "vocabulary"},
      {smallTokenizer({}, "[]", R"(, "unk_token": "<unk>")"),
       "test.json: key 'model.unk_token': '<unk>' is not in the vocabulary"},
      {smallTokenizer({}, "[]", "", bl + ", " + dec + R"(, "added_tokens": [{"id": 3}])"),
       "test.json: missing key 'added_tokens[0].content'"},
      {smallTokenizer({}, "[]", "",
                      bl + ", " + dec + R"(, "added_tokens": [{"id": -1, "content": "x"}])"),
       "test.json: key 'added_tokens[0].id': token id -1 is outside [0, "
       "16777216)"},
      {smallTokenizer({}, "[]", "",
                      bl + ", " + dec + R"(, "added_tokens": [{"id": 300, "content": ""}])"),
       "test.json: key 'added_tokens[0].content': an added token cannot be "
       "empty"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 0}, "merges": []},)" + bl + ", " + dec +
           "}",
       "test.json: model.vocab: id 0 is used by both 'a' and 'b'"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 99999999}, "merges": []}})",
       "test.json: key 'model.vocab.a': expected a token id in [0, 16777216), "
       "got integer 99999999"},
      {"[1]", "test.json: expected an object, got array"},
      // A stray large id in a small file (found by the fuzzer: it made the
      // id tables allocate a gigabyte).
      {smallTokenizer({}, "[]", "",
                      bl + ", " + dec + R"(, "added_tokens": [{"id": 2999923, "content": "<x>"}])"),
       "test.json: token ids run up to 2999923 but there are only 257 tokens; the ids must be "
       "nearly contiguous"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(Tokenizer::fromJson(c.json, "test.json").status().message(), c.message);
  EXPECT_EQ(Tokenizer::load("/nonexistent/tokenizer.json").status().message(),
            "/nonexistent/tokenizer.json: cannot open: No such file or "
            "directory");
}

} // namespace
