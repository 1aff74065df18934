//===- Bpe.h - BPE model (vocabulary and merges) ----------------*- C++ -*-===//
//
// The "model" section of a Hugging Face tokenizer.json with "type": "BPE",
// in one of two alphabets:
//   byte-level (GPT-2 style): words arrive as raw bytes; each byte starts as
//     the token that spells it in the byte-level alphabet;
//   characters (SentencePiece style): each character starts as its own
//     token; one missing from the vocabulary becomes its UTF-8 bytes as
//     <0xXX> tokens with byte_fallback, else the unk token.
// Merges are applied lowest rank first (leftmost first among equal ranks),
// as in HF tokenizers.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TOKENIZER_BPE_H
#define SSMC_RUNTIME_TOKENIZER_BPE_H

#include "runtime/Status.h"
#include "runtime/io/Json.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ssmrt {

/// Token ids at or above this are rejected, so that a hostile file cannot
/// make the id-indexed tables huge.
constexpr int64_t kMaxTokenId = 1 << 24;

class BpeModel {
public:
  /// Reads the "model" object; |model| names it in messages. |byteLevel|
  /// picks the alphabet.
  static StatusOr<BpeModel> fromJson(const JsonObjectReader &model, bool byteLevel);

  /// Appends the ids of |word| (raw bytes, valid UTF-8 for the character
  /// alphabet) to |out|. Fails when a byte or character has no token and
  /// the model has no unk_token (HF drops it; an error says so instead).
  Status encodeWord(std::string_view word, std::vector<int32_t> &out) const;

  /// The vocabulary: spelling -> id.
  const std::unordered_map<std::string, int32_t> &vocab() const { return vocab_; }
  bool byteLevel() const { return byteLevel_; }

private:
  BpeModel() = default;
  Status readMerges(const JsonObjectReader &model);
  /// The first symbols of |word|, in order; false if one has no token.
  bool initialSymbols(std::string_view word, std::vector<int32_t> &ids, std::string &missing) const;

  std::unordered_map<std::string, int32_t> vocab_;
  bool byteLevel_ = true;
  bool byteFallback_ = false;
  /// The token of each single byte (its byte-level spelling, or <0xXX> for
  /// byte fallback), or -1.
  std::array<int32_t, 256> byteIds_{};
  /// (left id << 32 | right id) -> (rank, merged id).
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;
  std::optional<int32_t> unkId_;
  bool fuseUnk_ = false;
  bool ignoreMerges_ = false;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_TOKENIZER_BPE_H
