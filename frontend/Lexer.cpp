//===- Lexer.cpp - tokens of the model description language ---------------===//
#include "frontend/Lexer.h"
#include "frontend/Utf8.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

using namespace ssmc::fe;

const char *ssmc::fe::tokName(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "end of file";
  case Tok::Error: return "invalid token";
  case Tok::Ident: return "identifier";
  case Tok::Int: return "integer";
  case Tok::Float: return "number";
  case Tok::String: return "string";
  case Tok::KwAnd: return "'and'";
  case Tok::KwBlock: return "'block'";
  case Tok::KwElse: return "'else'";
  case Tok::KwFalse: return "'false'";
  case Tok::KwFor: return "'for'";
  case Tok::KwIf: return "'if'";
  case Tok::KwImport: return "'import'";
  case Tok::KwIn: return "'in'";
  case Tok::KwModel: return "'model'";
  case Tok::KwNone: return "'none'";
  case Tok::KwNot: return "'not'";
  case Tok::KwOr: return "'or'";
  case Tok::KwParam: return "'param'";
  case Tok::KwReturn: return "'return'";
  case Tok::KwScope: return "'scope'";
  case Tok::KwTrue: return "'true'";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Colon: return "':'";
  case Tok::Assign: return "'='";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::SlashSlash: return "'//'";
  case Tok::Percent: return "'%'";
  case Tok::EqEq: return "'=='";
  case Tok::NotEq: return "'!='";
  case Tok::Less: return "'<'";
  case Tok::LessEq: return "'<='";
  case Tok::Greater: return "'>'";
  case Tok::GreaterEq: return "'>='";
  case Tok::DotDot: return "'..'";
  case Tok::At: return "'@'";
  case Tok::Pipe: return "'|'";
  }
  return "token";
}

namespace {
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

Tok keyword(std::string_view word) {
  struct Entry {
    const char *word;
    Tok kind;
  };
  static const Entry table[] = {
      {"and", Tok::KwAnd},       {"block", Tok::KwBlock},   {"else", Tok::KwElse},
      {"false", Tok::KwFalse},   {"for", Tok::KwFor},       {"if", Tok::KwIf},
      {"import", Tok::KwImport}, {"in", Tok::KwIn},         {"model", Tok::KwModel},
      {"none", Tok::KwNone},     {"not", Tok::KwNot},       {"or", Tok::KwOr},
      {"param", Tok::KwParam},   {"return", Tok::KwReturn}, {"scope", Tok::KwScope},
      {"true", Tok::KwTrue},
  };
  for (const Entry &e : table)
    if (word == e.word)
      return e.kind;
  return Tok::Ident;
}

std::string describeByte(unsigned char c) {
  char buf[48];
  if (c >= 0x20 && c < 0x7f)
    std::snprintf(buf, sizeof buf, "unexpected character '%c'", c);
  else
    std::snprintf(buf, sizeof buf, "invalid byte 0x%02X (not text)", c);
  return buf;
}
} // namespace

Token Lexer::make(Tok kind, size_t begin) const {
  Token t;
  t.kind = kind;
  t.loc = {file_, static_cast<uint32_t>(begin), static_cast<uint32_t>(pos_ - begin)};
  return t;
}

Token Lexer::error(size_t begin, size_t length, std::string message) {
  Token t;
  t.kind = Tok::Error;
  t.loc = {file_, static_cast<uint32_t>(begin), static_cast<uint32_t>(length)};
  diags_.error(t.loc, std::move(message));
  return t;
}

size_t Lexer::textCharAt(size_t pos, Token &err) {
  unsigned char c = static_cast<unsigned char>(text_[pos]);
  if (c < 0x20 && c != '\t' && c != '\r') {
    err = error(pos, 1, describeByte(c));
    return 0;
  }
  if (c == 0x7f) {
    err = error(pos, 1, describeByte(c));
    return 0;
  }
  size_t n = utf8SequenceLength(text_, pos);
  if (n == 0)
    err = error(pos, 1, describeByte(c) + ": the file is not UTF-8 text");
  return n;
}

bool Lexer::skipTrivia(Token &err) {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n') {
        size_t n = textCharAt(pos_, err);
        if (n == 0)
          return false;
        pos_ += n;
      }
    } else {
      break;
    }
  }
  return true;
}

Token Lexer::next() {
  Token err;
  size_t start = pos_;
  if (!skipTrivia(err))
    return err;
  size_t begin = pos_;
  Token t = nextAt(begin);
  t.lineStart = text_.substr(start, begin - start).find('\n') != std::string_view::npos;
  return t;
}

Token Lexer::nextAt(size_t begin) {
  if (pos_ >= text_.size())
    return make(Tok::Eof, begin);
  char c = text_[pos_];
  if (isIdentStart(c)) {
    while (pos_ < text_.size() && isIdentChar(text_[pos_]))
      ++pos_;
    Token t = make(keyword(text_.substr(begin, pos_ - begin)), begin);
    t.text = std::string(text_.substr(begin, pos_ - begin));
    return t;
  }
  if (isDigit(c))
    return lexNumber(begin);
  if (c == '"')
    return lexString(begin);
  auto two = [&](char second) { return pos_ + 1 < text_.size() && text_[pos_ + 1] == second; };
  auto punct = [&](Tok kind, size_t len) {
    pos_ += len;
    return make(kind, begin);
  };
  switch (c) {
  case '(': return punct(Tok::LParen, 1);
  case ')': return punct(Tok::RParen, 1);
  case '[': return punct(Tok::LBracket, 1);
  case ']': return punct(Tok::RBracket, 1);
  case '{': return punct(Tok::LBrace, 1);
  case '}': return punct(Tok::RBrace, 1);
  case ',': return punct(Tok::Comma, 1);
  case ':': return punct(Tok::Colon, 1);
  case '+': return punct(Tok::Plus, 1);
  case '-': return punct(Tok::Minus, 1);
  case '*': return punct(Tok::Star, 1);
  case '%': return punct(Tok::Percent, 1);
  case '@': return punct(Tok::At, 1);
  case '|': return punct(Tok::Pipe, 1);
  case '/': return two('/') ? punct(Tok::SlashSlash, 2) : punct(Tok::Slash, 1);
  case '=': return two('=') ? punct(Tok::EqEq, 2) : punct(Tok::Assign, 1);
  case '<': return two('=') ? punct(Tok::LessEq, 2) : punct(Tok::Less, 1);
  case '>': return two('=') ? punct(Tok::GreaterEq, 2) : punct(Tok::Greater, 1);
  case '!':
    if (two('='))
      return punct(Tok::NotEq, 2);
    break;
  case '.':
    if (two('.'))
      return punct(Tok::DotDot, 2);
    break;
  default: break;
  }
  unsigned char uc = static_cast<unsigned char>(c);
  if (uc >= 0x80) {
    size_t n = utf8SequenceLength(text_, pos_);
    if (n == 0)
      return error(begin, 1, describeByte(uc) + ": the file is not UTF-8 text");
    // The code point too: the character may be invisible (U+200B).
    uint32_t cp = static_cast<unsigned char>(text_[begin]) & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; ++k)
      cp = cp << 6 | (static_cast<unsigned char>(text_[begin + k]) & 0x3F);
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", cp);
    return error(begin, n,
                 "unexpected character " + std::string(code) + " '" +
                     std::string(text_.substr(begin, n)) + "'");
  }
  return error(begin, 1, describeByte(uc));
}

Token Lexer::lexNumber(size_t begin) {
  bool isFloat = false;
  while (pos_ < text_.size() && isDigit(text_[pos_]))
    ++pos_;
  // A fraction, but not the start of a range `0..n`.
  if (pos_ < text_.size() && text_[pos_] == '.' &&
      !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '.')) {
    isFloat = true;
    ++pos_;
    while (pos_ < text_.size() && isDigit(text_[pos_]))
      ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    size_t save = pos_;
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
      ++pos_;
    if (pos_ >= text_.size() || !isDigit(text_[pos_])) {
      pos_ = save + 1;
      while (pos_ < text_.size() && isIdentChar(text_[pos_]))
        ++pos_;
      return error(begin, pos_ - begin,
                   "invalid number '" + std::string(text_.substr(begin, pos_ - begin)) +
                       "': exponent has no digits");
    }
    while (pos_ < text_.size() && isDigit(text_[pos_]))
      ++pos_;
    isFloat = true;
  }
  // `12ab`, `1.5.2`: glued trailing characters make a bad number.
  size_t end = pos_;
  while (end < text_.size() &&
         (isIdentChar(text_[end]) ||
          (text_[end] == '.' && !(end + 1 < text_.size() && text_[end + 1] == '.'))))
    ++end;
  if (end != pos_) {
    pos_ = end;
    return error(begin, end - begin,
                 "invalid number '" + std::string(text_.substr(begin, end - begin)) + "'");
  }
  std::string spelling(text_.substr(begin, pos_ - begin));
  Token t = make(isFloat ? Tok::Float : Tok::Int, begin);
  errno = 0;
  if (isFloat) {
    t.floatValue = std::strtod(spelling.c_str(), nullptr);
    if (errno == ERANGE)
      return error(begin, pos_ - begin, "number '" + spelling + "' is out of range");
  } else {
    t.intValue = std::strtoll(spelling.c_str(), nullptr, 10);
    if (errno == ERANGE)
      return error(begin, pos_ - begin, "integer '" + spelling + "' does not fit in 64 bits");
  }
  return t;
}

Token Lexer::lexString(size_t begin) {
  ++pos_; // opening quote
  std::string value;
  Token err;
  while (true) {
    if (pos_ >= text_.size() || text_[pos_] == '\n')
      return error(begin, pos_ - begin, "unterminated string");
    char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      break;
    }
    if (c == '\\') {
      if (pos_ + 1 >= text_.size())
        return error(begin, pos_ - begin, "unterminated string");
      char e = text_[pos_ + 1];
      switch (e) {
      case '"': value += '"'; break;
      case '\\': value += '\\'; break;
      case 'n': value += '\n'; break;
      case 't': value += '\t'; break;
      default: return error(pos_, 2, "unknown escape sequence in string");
      }
      pos_ += 2;
      continue;
    }
    size_t n = textCharAt(pos_, err);
    if (n == 0)
      return err;
    value.append(text_.substr(pos_, n));
    pos_ += n;
  }
  Token t = make(Tok::String, begin);
  t.text = std::move(value);
  return t;
}
