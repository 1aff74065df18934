//===- AddedTokens.h - matching added tokens in raw text --------*- C++ -*-===//
//
// Hugging Face tokenizers cut added tokens (such as "<|endoftext|>" or
// GPT-NeoX's runs of spaces) out of the text before pre-tokenization: at
// each step the leftmost match wins, and the longest among those starting
// there. Tokens marked normalized=false are matched on the raw text,
// normalized=true ones on the normalized pieces in between.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TOKENIZER_ADDEDTOKENS_H
#define SSMC_RUNTIME_TOKENIZER_ADDEDTOKENS_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ssmrt {

/// One entry of tokenizer.json's "added_tokens".
struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = false;
  bool normalized = true;
  bool singleWord = false;
  bool lstrip = false;
  bool rstrip = false;
};

/// A stretch of text: either an added token (id >= 0) or plain text
/// (id == -1) still to be tokenized.
struct TextPiece {
  int32_t id;
  size_t begin, end;
};

/// Finds a set of added tokens in text (a byte trie; the leftmost-longest
/// rule of HF's Aho-Corasick automaton).
class AddedTokenMatcher {
public:
  /// Adds |token|, matched by the bytes |pattern| (its content, normalized
  /// when the token is).
  void add(const AddedToken &token, std::string pattern);

  /// Splits |text| into added tokens and the plain text between them,
  /// honouring single_word, lstrip and rstrip. Empty pieces are dropped.
  std::vector<TextPiece> split(std::string_view text) const;

  bool empty() const { return tokens_.empty(); }

private:
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> children;
    int32_t token = -1;
  };
  /// Length of the longest pattern at |pos|, and its token through |token|;
  /// 0 if none matches.
  size_t longestMatch(std::string_view text, size_t pos, int32_t &token) const;

  std::vector<Node> nodes_{Node()};
  std::vector<AddedToken> tokens_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_TOKENIZER_ADDEDTOKENS_H
