//===- JsonParser.cpp - recursive-descent JSON parser ---------------------===//
//
// Positions are tracked as byte offsets; line and column are computed only
// when an error is reported.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/Json.h"
#include "runtime/io/Utf8.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <numeric>

namespace ssmrt {
namespace {

class JsonParser {
public:
  JsonParser(std::string_view text, const std::string &name) : text_(text), name_(name) {}

  Status parseDocument(JsonValue &root) {
    // Tolerate a UTF-8 byte order mark, as many editors write one.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF")
      pos_ = 3;
    skipWhitespace();
    SSMRT_RETURN_IF_ERROR(parseValue(root, 0));
    skipWhitespace();
    if (pos_ != text_.size())
      return error(pos_, "unexpected " + describeChar(pos_) + " after the JSON value");
    return okStatus();
  }

private:
  Status error(size_t at, const std::string &what) const {
    size_t line = 1, lineStart = 0;
    for (size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        lineStart = i + 1;
      }
    }
    return Status::error(name_ + ":" + std::to_string(line) + ":" +
                         std::to_string(at - lineStart + 1) + ": " + what);
  }

  std::string describeChar(size_t at) const {
    if (at >= text_.size())
      return "end of input";
    auto c = static_cast<unsigned char>(text_[at]);
    char buf[32];
    if (c >= 0x20 && c < 0x7F)
      std::snprintf(buf, sizeof(buf), "character '%c'", c);
    else
      std::snprintf(buf, sizeof(buf), "byte 0x%02X", c);
    return buf;
  }

  void skipWhitespace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool consumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  Status parseValue(JsonValue &out, int depth) {
    if (pos_ >= text_.size())
      return error(pos_, "unexpected end of input, expected a value");
    char c = text_[pos_];
    switch (c) {
    case '{': return parseObject(out, depth + 1);
    case '[': return parseArray(out, depth + 1);
    case '"': {
      std::string s;
      SSMRT_RETURN_IF_ERROR(parseString(s));
      out = JsonValue::makeString(std::move(s));
      return okStatus();
    }
    default: break;
    }
    if (consumeWord("true")) {
      out = JsonValue::makeBool(true);
      return okStatus();
    }
    if (consumeWord("false")) {
      out = JsonValue::makeBool(false);
      return okStatus();
    }
    if (consumeWord("null")) {
      out = JsonValue();
      return okStatus();
    }
    if (consumeWord("NaN")) {
      out = JsonValue::makeNumber(std::numeric_limits<double>::quiet_NaN(), false, 0);
      return okStatus();
    }
    if (consumeWord("Infinity")) {
      out = JsonValue::makeNumber(std::numeric_limits<double>::infinity(), false, 0);
      return okStatus();
    }
    if (consumeWord("-Infinity")) {
      out = JsonValue::makeNumber(-std::numeric_limits<double>::infinity(), false, 0);
      return okStatus();
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber(out);
    return error(pos_, "unexpected " + describeChar(pos_) + ", expected a value");
  }

  Status checkDepth(int depth) const {
    if (depth > kMaxJsonDepth)
      return error(pos_, "nesting is deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return okStatus();
  }

  Status parseArray(JsonValue &out, int depth) {
    SSMRT_RETURN_IF_ERROR(checkDepth(depth));
    ++pos_; // '['
    std::vector<JsonValue> elements;
    skipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out = JsonValue::makeArray(std::move(elements));
      return okStatus();
    }
    while (true) {
      skipWhitespace();
      elements.emplace_back();
      SSMRT_RETURN_IF_ERROR(parseValue(elements.back(), depth));
      skipWhitespace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        break;
      }
      return error(pos_, "unexpected " + describeChar(pos_) + ", expected ',' or ']' in array");
    }
    out = JsonValue::makeArray(std::move(elements));
    return okStatus();
  }

  Status parseObject(JsonValue &out, int depth) {
    SSMRT_RETURN_IF_ERROR(checkDepth(depth));
    ++pos_; // '{'
    std::vector<JsonValue::Member> members;
    std::vector<size_t> keyOffsets;
    skipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      out = JsonValue::makeObject(std::move(members));
      return okStatus();
    }
    while (true) {
      skipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != '"')
        return error(pos_, "unexpected " + describeChar(pos_) + ", expected a string key");
      keyOffsets.push_back(pos_);
      members.emplace_back();
      SSMRT_RETURN_IF_ERROR(parseString(members.back().first));
      skipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != ':')
        return error(pos_, "unexpected " + describeChar(pos_) + ", expected ':' after object key");
      ++pos_;
      skipWhitespace();
      SSMRT_RETURN_IF_ERROR(parseValue(members.back().second, depth));
      skipWhitespace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        break;
      }
      return error(pos_, "unexpected " + describeChar(pos_) + ", expected ',' or '}' in object");
    }
    SSMRT_RETURN_IF_ERROR(checkDuplicateKeys(members, keyOffsets));
    out = JsonValue::makeObject(std::move(members));
    return okStatus();
  }

  /// Reports the first key (in document order) that repeats an earlier one.
  /// Sorting keeps this O(n log n) for large objects such as a vocabulary.
  Status checkDuplicateKeys(const std::vector<JsonValue::Member> &members,
                            const std::vector<size_t> &keyOffsets) const {
    std::vector<size_t> order(members.size());
    std::iota(order.begin(), order.end(), 0);
    // Ties broken by position: a stable order without std::stable_sort,
    // which clang flags for a deprecated libstdc++ 12 internal.
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      int c = members[a].first.compare(members[b].first);
      return c != 0 ? c < 0 : a < b;
    });
    size_t firstDuplicate = members.size();
    for (size_t i = 1; i < order.size(); ++i)
      if (members[order[i]].first == members[order[i - 1]].first)
        firstDuplicate = std::min(firstDuplicate, order[i]);
    if (firstDuplicate == members.size())
      return okStatus();
    return error(keyOffsets[firstDuplicate],
                 "duplicate key '" + printableForMessage(members[firstDuplicate].first) + "'");
  }

  Status parseNumber(JsonValue &out) {
    size_t start = pos_;
    auto isDigit = [&](size_t i) { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; };
    if (text_[pos_] == '-')
      ++pos_;
    if (!isDigit(pos_))
      return error(pos_, "invalid number: expected a digit");
    // Decimal exponent of the leading significant digit, to tell overflow
    // from underflow when from_chars reports a range error.
    long magnitude = 0;
    bool sawNonZero = false;
    if (text_[pos_] == '0') {
      ++pos_;
      if (isDigit(pos_))
        return error(pos_, "invalid number: leading zeros are not allowed");
    } else {
      sawNonZero = true;
      while (isDigit(pos_)) {
        ++magnitude;
        ++pos_;
      }
    }
    bool isInteger = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      isInteger = false;
      ++pos_;
      if (!isDigit(pos_))
        return error(pos_, "invalid number: expected a digit after '.'");
      while (isDigit(pos_)) {
        if (!sawNonZero) {
          if (text_[pos_] != '0')
            sawNonZero = true;
          else
            --magnitude;
        }
        ++pos_;
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      isInteger = false;
      ++pos_;
      bool negative = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        negative = text_[pos_++] == '-';
      if (!isDigit(pos_))
        return error(pos_, "invalid number: expected a digit in the exponent");
      long exponent = 0;
      while (isDigit(pos_)) {
        exponent = std::min(exponent * 10 + (text_[pos_] - '0'), 100000L);
        ++pos_;
      }
      magnitude += negative ? -exponent : exponent;
    }
    std::string_view literal = text_.substr(start, pos_ - start);
    const char *first = literal.data();
    const char *last = literal.data() + literal.size();

    int64_t intValue = 0;
    if (isInteger) {
      auto r = std::from_chars(first, last, intValue);
      isInteger = r.ec == std::errc() && r.ptr == last;
      if (!isInteger)
        intValue = 0;
    }
    double value = 0;
    auto r = std::from_chars(first, last, value);
    if (r.ec == std::errc::result_out_of_range) {
      // Match Python and strtod: overflow gives infinity, underflow zero.
      bool negative = literal[0] == '-';
      double limit = (sawNonZero && magnitude > 0) ? std::numeric_limits<double>::infinity() : 0.0;
      value = negative ? -limit : limit;
    } else if (r.ec != std::errc() || r.ptr != last) {
      return error(start, "invalid number '" + std::string(literal) + "'");
    }
    out = JsonValue::makeNumber(value, isInteger, intValue);
    return okStatus();
  }

  Status parseHex4(uint32_t &out) {
    if (pos_ + 4 > text_.size())
      return error(pos_, "unexpected end of input in \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_ + i];
      uint32_t digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return error(pos_ + i,
                     "invalid \\u escape: " + describeChar(pos_ + i) + " is not a hex digit");
      out = out * 16 + digit;
    }
    pos_ += 4;
    return okStatus();
  }

  /// Parses "\uXXXX" (pos_ is at the 'u'), pairing surrogates.
  Status parseUnicodeEscape(std::string &out) {
    size_t escapeStart = pos_ - 1;
    ++pos_; // 'u'
    uint32_t cp;
    SSMRT_RETURN_IF_ERROR(parseHex4(cp));
    if (cp >= 0xDC00 && cp <= 0xDFFF)
      return error(escapeStart, "invalid \\u escape: unpaired low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (text_.substr(pos_, 2) != "\\u")
        return error(escapeStart, "invalid \\u escape: high surrogate not followed by a "
                                  "low surrogate");
      pos_ += 2;
      uint32_t low;
      SSMRT_RETURN_IF_ERROR(parseHex4(low));
      if (low < 0xDC00 || low > 0xDFFF)
        return error(escapeStart, "invalid \\u escape: high surrogate not followed by a "
                                  "low surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, cp);
    return okStatus();
  }

  Status parseString(std::string &out) {
    size_t start = pos_;
    ++pos_; // opening quote
    while (true) {
      // Copy the run of plain ASCII in one go.
      size_t runStart = pos_;
      while (pos_ < text_.size()) {
        auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
          break;
        ++pos_;
      }
      out.append(text_.substr(runStart, pos_ - runStart));
      if (pos_ >= text_.size())
        return error(start, "unterminated string");
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return okStatus();
      }
      if (c < 0x20) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "control character 0x%02X in string (must be escaped)", c);
        return error(pos_, buf);
      }
      if (c >= 0x80) {
        Utf8Char u = decodeUtf8(text_, pos_);
        if (u.codePoint < 0) {
          char buf[48];
          std::snprintf(buf, sizeof(buf), "invalid UTF-8 byte 0x%02X in string", c);
          return error(pos_, buf);
        }
        out.append(text_.substr(pos_, u.length));
        pos_ += u.length;
        continue;
      }
      // Backslash escape.
      if (pos_ + 1 >= text_.size())
        return error(start, "unterminated string");
      char e = text_[pos_ + 1];
      switch (e) {
      case '"':
      case '\\':
      case '/': out += e; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u':
        ++pos_;
        SSMRT_RETURN_IF_ERROR(parseUnicodeEscape(out));
        continue;
      default:
        return error(pos_, "invalid escape '\\" + printableForMessage(text_.substr(pos_ + 1, 1)) +
                               "' in string");
      }
      pos_ += 2;
    }
  }

  std::string_view text_;
  const std::string &name_;
  size_t pos_ = 0;
};

} // namespace

StatusOr<JsonDocument> parseJson(std::string_view text, std::string name) {
  JsonDocument doc;
  doc.name = std::move(name);
  JsonParser parser(text, doc.name);
  SSMRT_RETURN_IF_ERROR(parser.parseDocument(doc.root));
  return doc;
}

} // namespace ssmrt
