//===- Utf8.h - UTF-8 validation for source text ----------------*- C++ -*-===//
#ifndef SSMC_FRONTEND_UTF8_H
#define SSMC_FRONTEND_UTF8_H

#include "runtime/io/Utf8.h"

#include <cstddef>
#include <string_view>

namespace ssmc::fe {

/// Length of the valid UTF-8 sequence starting at |text[pos]| (1 to 4), or 0
/// if the bytes there are not valid UTF-8 (runtime/io/Utf8.h decides).
inline size_t utf8SequenceLength(std::string_view text, size_t pos) {
  if (pos >= text.size())
    return 0;
  ssmrt::Utf8Char c = ssmrt::decodeUtf8(text, pos);
  return c.codePoint >= 0 ? c.length : 0;
}

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_UTF8_H
