//===- Bpe.h - byte-level BPE model (vocabulary and merges) -----*- C++ -*-===//
//
// The "model" section of a Hugging Face tokenizer.json with "type": "BPE".
// Words arrive as raw bytes; each byte starts as the token that spells it
// in the byte-level alphabet, and merges are applied lowest rank first
// (leftmost first among equal ranks), as in HF tokenizers.
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
  /// Reads the "model" object; |model| names it in messages.
  static StatusOr<BpeModel> fromJson(const JsonObjectReader &model);

  /// Appends the ids of |word| (raw bytes) to |out|. Fails when a byte has
  /// no token and the model has no unk_token.
  Status encodeWord(std::string_view word, std::vector<int32_t> &out) const;

  /// The vocabulary: byte-level spelling -> id.
  const std::unordered_map<std::string, int32_t> &vocab() const { return vocab_; }

private:
  BpeModel() = default;
  Status readMerges(const JsonObjectReader &model);

  std::unordered_map<std::string, int32_t> vocab_;
  /// The token of each single byte, or -1.
  std::array<int32_t, 256> byteIds_{};
  /// (left id << 32 | right id) -> (rank, merged id).
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;
  std::optional<int32_t> unkId_;
  bool fuseUnk_ = false;
  bool ignoreMerges_ = false;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_TOKENIZER_BPE_H
