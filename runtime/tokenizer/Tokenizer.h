//===- Tokenizer.h - Hugging Face BPE tokenizers ----------------*- C++ -*-===//
//
// Loads a tokenizer.json with a BPE model and encodes exactly as HF
// tokenizers does:
//   1. added tokens with normalized=false are cut out of the raw text;
//   2. the rest is normalized (NFC, Prepend, Replace; TextSteps.h);
//   3. added tokens with normalized=true are cut out of that;
//   4. each remaining piece is pre-tokenized and its words go through BPE.
// Two families: byte-level (GPT-2/GPT-NeoX, what Mamba checkpoints ship:
// the ByteLevel pre-tokenizer and decoder) and SentencePiece-style (Llama,
// Mistral, Jamba, Mamba-Codestral: characters with <0xXX> byte fallback,
// spaces as ▁ through a Metaspace pre-tokenizer or Prepend/Replace
// normalizers, and a TemplateProcessing post-processor that adds <s>).
// Anything else in the file that would change the result is rejected with
// an error naming it rather than ignored.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TOKENIZER_TOKENIZER_H
#define SSMC_RUNTIME_TOKENIZER_TOKENIZER_H

#include "runtime/Status.h"
#include "runtime/tokenizer/AddedTokens.h"
#include "runtime/tokenizer/Bpe.h"
#include "runtime/tokenizer/TextSteps.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssmrt {

class Tokenizer {
public:
  /// Loads the tokenizer.json at |path|. A tokenizer_config.json in the same
  /// directory, if present, supplies bos_token and eos_token, and its
  /// add_bos_token / add_eos_token decide whether encodeWithSpecial() adds
  /// them (over the post-processor) and add_prefix_space whether a
  /// SentencePiece-style tokenizer puts ▁ before the text.
  static StatusOr<Tokenizer> load(const std::string &path);

  /// Parses tokenizer.json text; |name| prefixes error messages.
  static StatusOr<Tokenizer> fromJson(std::string_view json, const std::string &name);

  /// Token ids of |utf8|, with no special tokens added. Invalid UTF-8 is an
  /// error that gives the byte offset.
  StatusOr<std::vector<int32_t>> encode(std::string_view utf8) const;
  /// encode() with the special tokens the tokenizer adds around a text
  /// (e.g. <s> in front), as HF's encode with add_special_tokens.
  StatusOr<std::vector<int32_t>> encodeWithSpecial(std::string_view utf8) const;

  /// The text of |ids|. Unknown ids are dropped and invalid UTF-8 becomes
  /// U+FFFD, as in HF's decode; a SentencePiece-style decoder strips the
  /// text's leading space.
  std::string decode(const std::vector<int32_t> &ids, bool skipSpecial = false) const;

  /// The bytes |id| decodes to (possibly part of a UTF-8 character; ▁ as a
  /// space); empty for an unknown id.
  std::string_view tokenBytes(int32_t id) const;

  /// 1 + the largest id of the vocabulary and the added tokens.
  int32_t vocabSize() const { return static_cast<int32_t>(tokens_.size()); }
  /// The token's spelling (byte-level alphabet for vocabulary tokens, the
  /// content for added ones), or nullopt for an unknown id.
  std::optional<std::string_view> idToToken(int32_t id) const;
  std::optional<int32_t> tokenToId(std::string_view token) const;
  bool isSpecial(int32_t id) const;

  /// From tokenizer_config.json, else the added token "<|endoftext|>".
  std::optional<int32_t> bosId() const { return bosId_; }
  std::optional<int32_t> eosId() const { return eosId_; }

private:
  Tokenizer(std::string name, BpeModel model) : name_(std::move(name)), model_(std::move(model)) {}
  Status readPipeline(const JsonObjectReader &root);
  Status readPostProcessor(const JsonObjectReader &root);
  Status readAddedTokens(const JsonObjectReader &root);
  Status buildIdTables();
  Status readConfig(const std::string &configPath);
  Status encodePlain(std::string_view text, bool atStart, std::vector<int32_t> &out) const;

  std::string name_;
  BpeModel model_;
  std::vector<AddedToken> addedTokens_;
  AddedTokenMatcher rawMatcher_;        // normalized=false tokens
  AddedTokenMatcher normalizedMatcher_; // normalized=true tokens
  std::vector<NormalizerStep> normalizers_;
  // Byte-level pre-tokenizer (ByteLevel.h).
  bool addPrefixSpace_ = false;
  bool useRegex_ = true;
  // SentencePiece style: a Metaspace pre-tokenizer (or none) and decoder.
  std::optional<Metaspace> metaspace_;
  PieceDecoder pieceDecoder_;
  // Added around a text by encodeWithSpecial.
  std::vector<int32_t> prefixIds_, suffixIds_;

  // Indexed by id.
  std::vector<std::string> tokens_;
  std::vector<std::string> bytes_;
  std::vector<bool> known_;
  std::vector<bool> special_;
  std::optional<int32_t> bosId_, eosId_;
};

/// Turns generated ids into text one at a time: each call returns the
/// newly completed UTF-8 text and holds back a character whose bytes are
/// split across tokens. All next() results plus flush() equal decode().
class DecodeStream {
public:
  explicit DecodeStream(const Tokenizer &tokenizer, bool skipSpecial = false)
      : tokenizer_(&tokenizer), skipSpecial_(skipSpecial) {}

  std::string next(int32_t id);
  /// Returns what is held back, an incomplete character becoming U+FFFD.
  std::string flush();

private:
  const Tokenizer *tokenizer_;
  bool skipSpecial_;
  std::string pending_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_TOKENIZER_TOKENIZER_H
