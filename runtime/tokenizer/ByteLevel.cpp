//===- ByteLevel.cpp - GPT-2 byte-level alphabet and pre-tokenizer --------===//

#include "runtime/tokenizer/ByteLevel.h"
#include "runtime/io/Utf8.h"
#include "runtime/tokenizer/Unicode.h"

#include <array>

namespace ssmrt {

static bool standsForItself(uint32_t b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

static const std::array<uint32_t, 256> &byteTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b)
      t[b] = standsForItself(b) ? b : next++;
    return t;
  }();
  return table;
}

uint32_t byteToCodePoint(uint8_t byte) { return byteTable()[byte]; }

int byteFromCodePoint(uint32_t cp) {
  if (cp < 256)
    return standsForItself(cp) ? int(cp) : -1;
  if (cp >= 256 + 68)
    return -1;
  // The remapped bytes, in order, are those that do not stand for themselves.
  uint32_t k = cp - 256;
  for (uint32_t b = 0; b < 256; ++b)
    if (!standsForItself(b) && k-- == 0)
      return int(b);
  return -1;
}

std::string byteLevelSpelling(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes)
    appendUtf8(out, byteToCodePoint(static_cast<uint8_t>(c)));
  return out;
}

bool byteLevelBytes(std::string_view token, std::string &bytes) {
  bytes.clear();
  for (size_t pos = 0; pos < token.size();) {
    Utf8Char c = decodeUtf8(token, pos);
    if (c.codePoint < 0)
      return false;
    int b = byteFromCodePoint(static_cast<uint32_t>(c.codePoint));
    if (b < 0)
      return false;
    bytes += static_cast<char>(b);
    pos += c.length;
  }
  return true;
}

namespace {
/// Character classes of the GPT-2 pattern.
enum class CharClass : uint8_t { Letter, Number, Space, Other };

CharClass classify(uint32_t cp) {
  if (unicode::isLetter(cp))
    return CharClass::Letter;
  if (unicode::isNumber(cp))
    return CharClass::Number;
  if (unicode::isWhitespace(cp))
    return CharClass::Space;
  return CharClass::Other;
}
} // namespace

std::vector<std::pair<size_t, size_t>> splitGpt2Words(std::string_view text) {
  // Decode once; offsets[i] is the byte offset of character i.
  std::vector<uint32_t> cps;
  std::vector<CharClass> classes;
  std::vector<size_t> offsets;
  for (size_t pos = 0; pos < text.size();) {
    Utf8Char c = decodeUtf8(text, pos);
    uint32_t cp = static_cast<uint32_t>(c.codePoint);
    cps.push_back(cp);
    classes.push_back(classify(cp));
    offsets.push_back(pos);
    pos += c.length;
  }
  size_t n = cps.size();
  offsets.push_back(text.size());

  std::vector<std::pair<size_t, size_t>> words;
  auto emit = [&](size_t begin, size_t end) { words.emplace_back(offsets[begin], offsets[end]); };
  size_t i = 0;
  while (i < n) {
    // 's 't 're 've 'm 'll 'd (lowercase only, as in the pattern).
    if (cps[i] == '\'' && i + 1 < n) {
      uint32_t a = cps[i + 1];
      if (a == 's' || a == 't' || a == 'm' || a == 'd') {
        emit(i, i + 2);
        i += 2;
        continue;
      }
      if (i + 2 < n) {
        uint32_t b = cps[i + 2];
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
          emit(i, i + 3);
          i += 3;
          continue;
        }
      }
    }
    // ' ?\p{L}+', ' ?\p{N}+' and ' ?[^\s\p{L}\p{N}]+': an optional ASCII
    // space, then a run of one class.
    size_t start = i;
    size_t j = (cps[i] == ' ' && i + 1 < n) ? i + 1 : i;
    CharClass cls = classes[j];
    if (cls != CharClass::Space) {
      while (j < n && classes[j] == cls)
        ++j;
      emit(start, j);
      i = j;
      continue;
    }
    // '\s+(?!\S)' then '\s+': a whitespace run, minus its last character
    // when a non-space follows and the run is longer than one.
    j = i;
    while (j < n && classes[j] == CharClass::Space)
      ++j;
    if (j < n && j - i > 1)
      --j;
    emit(i, j);
    i = j;
  }
  return words;
}

} // namespace ssmrt
