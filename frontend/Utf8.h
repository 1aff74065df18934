//===- Utf8.h - UTF-8 validation for source text ----------------*- C++ -*-===//
#ifndef SSMC_FRONTEND_UTF8_H
#define SSMC_FRONTEND_UTF8_H

#include <cstddef>
#include <string_view>

namespace ssmc::fe {

/// Length of the valid UTF-8 sequence starting at |text[pos]| (1 to 4), or 0
/// if the bytes there are not valid UTF-8 (overlong forms, surrogates and
/// code points past U+10FFFF are invalid).
inline size_t utf8SequenceLength(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) -> unsigned {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i])
                                 : 0u;
  };
  unsigned c = byte(0);
  if (c < 0x80)
    return 1;
  auto cont = [&](size_t i) { return (byte(i) & 0xc0) == 0x80; };
  if (c >= 0xc2 && c <= 0xdf)
    return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2))
      return 0;
    if (c == 0xe0 && byte(1) < 0xa0)
      return 0; // overlong
    if (c == 0xed && byte(1) >= 0xa0)
      return 0; // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3))
      return 0;
    if (c == 0xf0 && byte(1) < 0x90)
      return 0; // overlong
    if (c == 0xf4 && byte(1) >= 0x90)
      return 0; // past U+10FFFF
    return 4;
  }
  return 0;
}

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_UTF8_H
