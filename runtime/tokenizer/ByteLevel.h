//===- ByteLevel.h - GPT-2 byte alphabet and pre-tokenizer ------*- C++ -*-===//
//
// Byte-level BPE works on bytes, but its vocabulary is written with one
// printable character per byte (GPT-2's bytes_to_unicode): printable
// Latin-1 bytes stand for themselves and the other 68 bytes map to U+0100..
// in order, so a space is "Ġ" (U+0120) and a newline "Ċ" (U+010A).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TOKENIZER_BYTELEVEL_H
#define SSMC_RUNTIME_TOKENIZER_BYTELEVEL_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssmrt {

/// The code point that stands for |byte| in a byte-level vocabulary.
uint32_t byteToCodePoint(uint8_t byte);

/// The byte that |codePoint| stands for, or -1 if it stands for none.
int byteFromCodePoint(uint32_t codePoint);

/// Spells |bytes| in the byte-level alphabet (UTF-8 of the mapped chars).
std::string byteLevelSpelling(std::string_view bytes);

/// Undoes byteLevelSpelling(): returns false if |token| is not valid UTF-8
/// or holds a character outside the byte-level alphabet.
bool byteLevelBytes(std::string_view token, std::string &bytes);

/// Splits valid UTF-8 |text| into words with the GPT-2 pattern
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// and returns each word as a [begin, end) byte range. The pattern covers
/// every character, so the words tile |text|.
std::vector<std::pair<size_t, size_t>> splitGpt2Words(std::string_view text);

} // namespace ssmrt

#endif // SSMC_RUNTIME_TOKENIZER_BYTELEVEL_H
