//===- AddedTokens.cpp - matching added tokens in raw text ----------------===//

#include "runtime/tokenizer/AddedTokens.h"
#include "runtime/io/Utf8.h"
#include "runtime/tokenizer/Unicode.h"

namespace ssmrt {

void AddedTokenMatcher::add(const AddedToken &token, std::string pattern) {
  if (pattern.empty())
    return;
  int32_t node = 0;
  for (char ch : pattern) {
    auto byte = static_cast<uint8_t>(ch);
    int32_t next = -1;
    for (const auto &child : nodes_[node].children)
      if (child.first == byte)
        next = child.second;
    if (next < 0) {
      next = static_cast<int32_t>(nodes_.size());
      nodes_[node].children.emplace_back(byte, next);
      nodes_.emplace_back();
    }
    node = next;
  }
  // The same pattern twice: the later entry wins, as in HF.
  nodes_[node].token = static_cast<int32_t>(tokens_.size());
  tokens_.push_back(token);
}

size_t AddedTokenMatcher::longestMatch(std::string_view text, size_t pos, int32_t &token) const {
  size_t best = 0;
  int32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    auto byte = static_cast<uint8_t>(text[i]);
    int32_t next = -1;
    for (const auto &child : nodes_[node].children)
      if (child.first == byte)
        next = child.second;
    if (next < 0)
      break;
    node = next;
    if (nodes_[node].token >= 0) {
      best = i + 1 - pos;
      token = nodes_[node].token;
    }
  }
  return best;
}

/// The last character of |text| (valid UTF-8, non-empty), or -1.
static int32_t lastChar(std::string_view text) {
  if (text.empty())
    return -1;
  size_t pos = text.size() - 1;
  while (pos > 0 && (static_cast<uint8_t>(text[pos]) & 0xC0) == 0x80)
    --pos;
  return decodeUtf8(text, pos).codePoint;
}

static bool isWordChar(int32_t cp) {
  return cp >= 0 && unicode::isWordChar(static_cast<uint32_t>(cp));
}

std::vector<TextPiece> AddedTokenMatcher::split(std::string_view text) const {
  std::vector<TextPiece> pieces;
  size_t textStart = 0; // start of the pending plain text
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t token = -1;
    size_t length = longestMatch(text, pos, token);
    if (length == 0) {
      ++pos;
      continue;
    }
    size_t start = pos, stop = pos + length;
    pos = stop;
    const AddedToken &t = tokens_[token];
    if (t.singleWord) {
      int32_t before = lastChar(text.substr(0, start));
      int32_t after = stop < text.size() ? decodeUtf8(text, stop).codePoint : -1;
      if (isWordChar(before) || isWordChar(after))
        continue;
    }
    if (t.lstrip) {
      while (start > textStart) {
        int32_t cp = lastChar(text.substr(0, start));
        if (!unicode::isWhitespace(cp))
          break;
        size_t len = 1;
        while ((static_cast<uint8_t>(text[start - len]) & 0xC0) == 0x80)
          ++len;
        start -= len;
      }
    }
    if (t.rstrip) {
      while (stop < text.size()) {
        Utf8Char c = decodeUtf8(text, stop);
        if (c.codePoint < 0 || !unicode::isWhitespace(c.codePoint))
          break;
        stop += c.length;
      }
      pos = stop;
    }
    if (textStart < start)
      pieces.push_back({-1, textStart, start});
    pieces.push_back({t.id, start, stop});
    textStart = stop;
  }
  if (textStart < text.size())
    pieces.push_back({-1, textStart, text.size()});
  return pieces;
}

} // namespace ssmrt
