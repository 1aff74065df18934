//===- Unicode.cpp - character property lookups ---------------------------===//

#include "runtime/tokenizer/Unicode.h"
#include "runtime/tokenizer/UnicodeTables.h"

#include <algorithm>

namespace ssmrt {
namespace unicode {

static bool inRanges(const CodePointRange *ranges, size_t size, uint32_t cp) {
  const CodePointRange *end = ranges + size;
  // First range whose last code point is >= cp.
  const CodePointRange *it = std::lower_bound(
      ranges, end, cp, [](const CodePointRange &r, uint32_t c) { return r.last < c; });
  return it != end && it->first <= cp;
}

bool isLetter(uint32_t cp) {
  if (cp < 0x80)
    return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return inRanges(kLetterRanges, kLetterRangesSize, cp);
}

bool isNumber(uint32_t cp) {
  if (cp < 0x80)
    return cp >= '0' && cp <= '9';
  return inRanges(kNumberRanges, kNumberRangesSize, cp);
}

bool isWhitespace(uint32_t cp) {
  // The White_Space property has been this fixed list since Unicode 6.3.
  switch (cp) {
  case 0x09:
  case 0x0A:
  case 0x0B:
  case 0x0C:
  case 0x0D:
  case 0x20:
  case 0x85:
  case 0xA0:
  case 0x1680:
  case 0x2028:
  case 0x2029:
  case 0x202F:
  case 0x205F:
  case 0x3000: return true;
  default: return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool isWordChar(uint32_t cp) {
  if (cp < 0x80)
    return isLetter(cp) || isNumber(cp) || cp == '_';
  return inRanges(kWordRanges, kWordRangesSize, cp);
}

uint8_t combiningClass(uint32_t cp) {
  if (cp < 0x300)
    return 0;
  const CombiningClassRange *begin = kCombiningClassRanges;
  const CombiningClassRange *end = begin + kCombiningClassRangesSize;
  const CombiningClassRange *it = std::lower_bound(
      begin, end, cp, [](const CombiningClassRange &r, uint32_t c) { return r.last < c; });
  return (it != end && it->first <= cp) ? it->combiningClass : 0;
}

} // namespace unicode
} // namespace ssmrt
