//===- Utf8.cpp - UTF-8 decoding, validation and encoding -----------------===//

#include "runtime/io/Utf8.h"

#include <cstdio>

namespace ssmrt {

Utf8Char decodeUtf8(std::string_view s, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t lead = byte(pos);
  if (lead < 0x80)
    return {lead, 1, false};

  // Length and the allowed range of the second byte, which is where overlong
  // forms, surrogates and values above U+10FFFF are ruled out (Table 3-7).
  uint32_t length;
  uint8_t lo = 0x80, hi = 0xBF;
  int32_t cp;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
    if (lead == 0xE0)
      lo = 0xA0;
    else if (lead == 0xED)
      hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
    if (lead == 0xF0)
      lo = 0x90;
    else if (lead == 0xF4)
      hi = 0x8F;
  } else {
    return {-1, 1, false};
  }

  for (uint32_t i = 1; i < length; ++i) {
    if (pos + i >= s.size())
      return {-1, i, true};
    uint8_t c = byte(pos + i);
    if (c < lo || c > hi)
      return {-1, i, false};
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, length, false};
}

void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t findInvalidUtf8(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    if (static_cast<uint8_t>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    Utf8Char c = decodeUtf8(s, pos);
    if (c.codePoint < 0)
      return pos;
    pos += c.length;
  }
  return std::string_view::npos;
}

std::string toValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    Utf8Char c = decodeUtf8(s, pos);
    if (c.codePoint < 0)
      out += "\xEF\xBF\xBD";
    else
      out.append(s.substr(pos, c.length));
    pos += c.length;
  }
  return out;
}

std::string printableForMessage(std::string_view s, size_t maxBytes) {
  std::string out;
  size_t pos = 0;
  while (pos < s.size()) {
    if (out.size() >= maxBytes) {
      out += "...";
      break;
    }
    Utf8Char c = decodeUtf8(s, pos);
    if (c.codePoint >= 0x20 && c.codePoint != 0x7F) {
      out.append(s.substr(pos, c.length));
      pos += c.length;
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<uint8_t>(s[pos]));
    out += buf;
    ++pos;
  }
  return out;
}

} // namespace ssmrt
