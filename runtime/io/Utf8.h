//===- Utf8.h - UTF-8 decoding, validation and encoding ---------*- C++ -*-===//
//
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. Invalid input is measured in "maximal subparts" (Unicode 15,
// section 3.9), the unit that Rust's from_utf8_lossy and the WHATWG decoder
// replace with one U+FFFD, so lossy output matches Hugging Face tokenizers.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_UTF8_H
#define SSMC_RUNTIME_IO_UTF8_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ssmrt {

/// One decoded UTF-8 sequence.
struct Utf8Char {
  /// The code point, or -1 when the bytes are not valid UTF-8.
  int32_t codePoint;
  /// Bytes consumed: the sequence length, or the maximal invalid subpart (>=
  /// 1).
  uint32_t length;
  /// True when the sequence is a valid prefix cut short by the end of input.
  bool truncated;
};

/// Decodes the sequence that starts at |s[pos]|; |pos| must be < |s.size()|.
Utf8Char decodeUtf8(std::string_view s, size_t pos);

/// Appends the UTF-8 encoding of |codePoint| (must be a scalar value).
void appendUtf8(std::string &out, uint32_t codePoint);

/// Returns the offset of the first byte that is not part of a valid sequence,
/// or std::string_view::npos when |s| is entirely valid UTF-8.
size_t findInvalidUtf8(std::string_view s);

/// Returns |s| with each maximal invalid subpart replaced by U+FFFD.
std::string toValidUtf8(std::string_view s);

/// Returns |s| fit for an error message: control characters and invalid
/// UTF-8 become \xNN, and anything past |maxBytes| becomes "...".
std::string printableForMessage(std::string_view s, size_t maxBytes = 80);

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_UTF8_H
