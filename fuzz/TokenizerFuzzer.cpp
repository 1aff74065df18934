//===- TokenizerFuzzer.cpp - libFuzzer target for the BPE tokenizer -------===//
//
// Encodes the input with three fixed tokenizers: a plain one, for which
// decode(encode(text)) must give the text back, one with NFC and added
// tokens using lstrip, rstrip and single_word, and a SentencePiece-style
// one (byte fallback; the round trip is exact too). Streaming decode must match
// decode. An input that starts with '{' is also loaded as tokenizer.json
// and, if valid, used to encode a fixed sentence.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/Json.h"
#include "runtime/io/Utf8.h"
#include "runtime/tokenizer/ByteLevel.h"
#include "runtime/tokenizer/Tokenizer.h"
#include "runtime/tokenizer/Unicode.h"

#include <cstdio>
#include <cstdlib>

using namespace ssmrt;

/// A byte-level tokenizer.json: 256 byte tokens, a few merges, and
/// |extra| top-level members.
static std::string fixedTokenizerJson(const std::string &extra) {
  std::string vocab;
  for (int b = 0; b < 256; ++b)
    vocab += (b ? "," : "") + quoteJson(byteLevelSpelling(std::string(1, char(b)))) + ":" +
             std::to_string(b);
  const char *merges[][2] = {
      {"\xC4\xA0", "t"}, {"h", "e"},  {"\xC4\xA0t", "he"},      {"i", "n"},
      {"a", "n"},        {"an", "d"}, {"\xC4\xA0", "\xC4\xA0"}, {"\xC3", "\xA9"}};
  std::string mergeList;
  int id = 256;
  for (auto &m : merges) {
    std::string left = m[0], right = m[1];
    // "\xC3" "\xA9" are raw bytes: spell them in the byte-level alphabet.
    if (left == "\xC3") {
      left = byteLevelSpelling(left);
      right = byteLevelSpelling(right);
    }
    vocab += "," + quoteJson(left + right) + ":" + std::to_string(id++);
    mergeList += std::string(mergeList.empty() ? "" : ",") + "[" + quoteJson(left) + "," +
                 quoteJson(right) + "]";
  }
  return R"({"version": "1.0", )" + extra +
         R"("pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
            "decoder": {"type": "ByteLevel"},
            "model": {"type": "BPE", "vocab": {)" +
         vocab + "}, \"merges\": [" + mergeList + "]}}";
}

static const Tokenizer &plainTokenizer() {
  static const Tokenizer *tok = [] {
    StatusOr<Tokenizer> t = Tokenizer::fromJson(fixedTokenizerJson(R"("added_tokens": [
            {"id": 300, "content": "<|endoftext|>", "special": true,
             "normalized": false},
            {"id": 301, "content": "  ", "normalized": true}], )"),
                                                "plain");
    if (!t.ok())
      std::abort();
    return new Tokenizer(std::move(*t));
  }();
  return *tok;
}

static const Tokenizer &nfcTokenizer() {
  static const Tokenizer *tok = [] {
    StatusOr<Tokenizer> t =
        Tokenizer::fromJson(fixedTokenizerJson(R"("normalizer": {"type": "NFC"}, "added_tokens": [
            {"id": 300, "content": "<mask>", "special": true, "lstrip": true,
             "normalized": false},
            {"id": 301, "content": "xyz", "single_word": true, "rstrip": true,
             "normalized": false},
            {"id": 302, "content": "\u00e9t\u00e9", "normalized": true}], )"),
                            "nfc");
    if (!t.ok())
      std::abort();
    return new Tokenizer(std::move(*t));
  }();
  return *tok;
}

/// A SentencePiece-style tokenizer (Llama's legacy pipeline): byte
/// fallback, ▁ for spaces, a few merges.
static const Tokenizer &pieceTokenizer() {
  static const Tokenizer *tok = [] {
    std::string vocab = R"("<unk>": 0, "<s>": 1, "</s>": 2)";
    int id = 3;
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      vocab += std::string(", \"") + name + "\": " + std::to_string(id++);
    }
    for (const char *t : {"\u2581", "t", "h", "e", "a", "\u2581t", "he", "\u2581the"})
      vocab += std::string(", \"") + t + "\": " + std::to_string(id++);
    std::string json = R"({"added_tokens": [
        {"id": 0, "content": "<unk>", "special": true, "normalized": false},
        {"id": 1, "content": "<s>", "special": true, "normalized": false},
        {"id": 2, "content": "</s>", "special": true, "normalized": false}],
      "normalizer": {"type": "Sequence", "normalizers": [
        {"type": "Prepend", "prepend": "\u2581"},
        {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
      "pre_tokenizer": null,
      "decoder": {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
      "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "vocab": {)" +
                       vocab + R"(}, "merges": [["\u2581", "t"], ["h", "e"], ["\u2581t", "he"]]}})";
    StatusOr<Tokenizer> t = Tokenizer::fromJson(json, "piece");
    if (!t.ok())
      std::abort();
    return new Tokenizer(std::move(*t));
  }();
  return *tok;
}

/// Encodes |text|; checks ids, streaming and (if |exact|) the round trip.
/// |strips|: decode() drops the leading space that streaming keeps.
static void exercise(const Tokenizer &tok, std::string_view text, bool exact, bool strips = false) {
  StatusOr<std::vector<int32_t>> ids = tok.encode(text);
  if (!ids.ok()) {
    if (findInvalidUtf8(text) == std::string_view::npos)
      std::abort(); // Every byte has a token, so only bad UTF-8 may fail.
    return;
  }
  for (int32_t id : *ids)
    if (!tok.idToToken(id))
      std::abort();
  std::string decoded = tok.decode(*ids);
  if (exact && decoded != text)
    std::abort();
  DecodeStream stream(tok);
  std::string streamed;
  for (int32_t id : *ids)
    streamed += stream.next(id);
  streamed += stream.flush();
  if (strips && !streamed.empty() && streamed[0] == ' ')
    streamed.erase(0, 1);
  if (streamed != decoded || findInvalidUtf8(decoded) != std::string_view::npos)
    std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  exercise(plainTokenizer(), text, /*exact=*/true);
  exercise(nfcTokenizer(), text, /*exact=*/false);
  // Exact unless the text has its own ▁, which decodes to a space, or an
  // added token, after which the Prepend normalizer adds a ▁ (as in HF).
  bool plain = true;
  for (const char *s : {"\xE2\x96\x81", "<unk>", "<s>", "</s>"})
    plain = plain && text.find(s) == std::string_view::npos;
  exercise(pieceTokenizer(), text, plain, /*strips=*/true);
  if (findInvalidUtf8(text) == std::string_view::npos) {
    std::string nfc = unicode::toNfc(text);
    if (unicode::toNfc(nfc) != nfc)
      std::abort();
  }

  if (size > 0 && data[0] == '{') {
    StatusOr<Tokenizer> tok = Tokenizer::fromJson(text, "fuzz.json");
    if (tok.ok()) {
      StatusOr<std::vector<int32_t>> ids =
          tok->encode("Hello  world, it's <|endoftext|> caf\xC3\xA9 123!");
      if (ids.ok())
        (void)tok->decode(*ids, /*skipSpecial=*/true);
    } else if (tok.status().message().rfind("fuzz.json", 0) != 0) {
      std::abort();
    }
  }
  return 0;
}
