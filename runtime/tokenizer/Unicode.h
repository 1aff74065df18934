//===- Unicode.h - character properties and NFC for tokenizers --*- C++ -*-===//
//
// Just the Unicode the Hugging Face byte-level BPE pipeline needs: the
// classes of the GPT-2 pre-tokenizer regex (\p{L}, \p{N}, \s), word
// characters for added tokens, and NFC.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TOKENIZER_UNICODE_H
#define SSMC_RUNTIME_TOKENIZER_UNICODE_H

#include <cstdint>
#include <string>
#include <string_view>

namespace ssmrt {
namespace unicode {

/// General category L* (what the regex \p{L} matches).
bool isLetter(uint32_t cp);
/// General category N* (\p{N}).
bool isNumber(uint32_t cp);
/// The White_Space property: what Oniguruma's \s and Rust's
/// char::is_whitespace match.
bool isWhitespace(uint32_t cp);
/// A word character as the Rust regex crate's \w defines it (Alphabetic,
/// marks, decimal digits, connector punctuation, ZWNJ/ZWJ); HF tokenizers
/// uses it for added tokens with single_word.
bool isWordChar(uint32_t cp);
/// Canonical combining class (0 for starters).
uint8_t combiningClass(uint32_t cp);

/// Returns the NFC form of |utf8|, which must be valid UTF-8.
std::string toNfc(std::string_view utf8);

} // namespace unicode
} // namespace ssmrt

#endif // SSMC_RUNTIME_TOKENIZER_UNICODE_H
