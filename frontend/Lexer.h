//===- Lexer.h - tokens of the model description language -------*- C++ -*-===//
#ifndef SSMC_FRONTEND_LEXER_H
#define SSMC_FRONTEND_LEXER_H

#include "frontend/Source.h"

#include <cstdint>
#include <string>

namespace ssmc::fe {

enum class Tok {
  Eof,
  Error,
  Ident,
  Int,
  Float,
  String,
  // Keywords.
  KwAnd,
  KwBlock,
  KwElse,
  KwFalse,
  KwFor,
  KwIf,
  KwImport,
  KwIn,
  KwModel,
  KwNone,
  KwNot,
  KwOr,
  KwParam,
  KwReturn,
  KwScope,
  KwTrue,
  // Punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  SlashSlash,
  Percent,
  EqEq,
  NotEq,
  Less,
  LessEq,
  Greater,
  GreaterEq,
  DotDot,
  At,
  Pipe,
};

/// Printable name of a token kind for "expected X" messages.
const char *tokName(Tok kind);

struct Token {
  Tok kind = Tok::Eof;
  Loc loc;
  std::string text; ///< Identifier name or decoded string contents.
  int64_t intValue = 0;
  double floatValue = 0;
  /// A line break (or a comment's end) lies between this token and the last.
  bool lineStart = false;
};

class Lexer {
public:
  /// A UTF-8 byte order mark at the start of the file is skipped (editors
  /// on Windows write one).
  Lexer(const SourceManager &sources, uint32_t file, DiagnosticEngine &diags)
      : text_(sources.text(file)), file_(file), diags_(diags) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF")
      pos_ = 3;
  }

  /// Returns the next token; Tok::Error after reporting a diagnostic.
  Token next();

private:
  Token make(Tok kind, size_t begin) const;
  Token error(size_t begin, size_t length, std::string message);
  Token lexNumber(size_t begin);
  Token lexString(size_t begin);
  /// Skips spaces and comments; returns false after reporting bad bytes.
  bool skipTrivia(Token &err);
  /// The token that starts at |begin| (after the trivia).
  Token nextAt(size_t begin);
  /// Checks the byte at |pos| in a comment or string; reports and returns 0
  /// for bytes that are not text, else the length of the character.
  size_t textCharAt(size_t pos, Token &err);

  std::string_view text_;
  uint32_t file_;
  DiagnosticEngine &diags_;
  size_t pos_ = 0;
};

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_LEXER_H
