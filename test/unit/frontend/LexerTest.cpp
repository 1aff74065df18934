//===- LexerTest.cpp - tokens of the model description language -----------===//
#include "frontend/Lexer.h"

#include <gtest/gtest.h>

using namespace ssmc::fe;

namespace {
std::vector<Token> lexAll(const std::string &text, std::string *error = nullptr) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  uint32_t file = sources.addFile("t.ssm", text);
  Lexer lexer(sources, file, diags);
  std::vector<Token> out;
  while (true) {
    Token t = lexer.next();
    out.push_back(t);
    if (t.kind == Tok::Eof || t.kind == Tok::Error)
      break;
  }
  if (error)
    *error = diags.format();
  return out;
}
} // namespace

TEST(Lexer, KeywordsPunctuationAndNames) {
  auto toks = lexAll("model m(tokens) { x = a // 2 % 3 .. @ | == != <= >= < > }");
  std::vector<Tok> kinds;
  for (const Token &t : toks)
    kinds.push_back(t.kind);
  std::vector<Tok> expected = {
      Tok::KwModel, Tok::Ident,     Tok::LParen, Tok::Ident,      Tok::RParen, Tok::LBrace,
      Tok::Ident,   Tok::Assign,    Tok::Ident,  Tok::SlashSlash, Tok::Int,    Tok::Percent,
      Tok::Int,     Tok::DotDot,    Tok::At,     Tok::Pipe,       Tok::EqEq,   Tok::NotEq,
      Tok::LessEq,  Tok::GreaterEq, Tok::Less,   Tok::Greater,    Tok::RBrace, Tok::Eof};
  EXPECT_EQ(kinds, expected);
  EXPECT_EQ(toks[1].text, "m");
}

TEST(Lexer, Numbers) {
  auto toks = lexAll("0 42 1.5 1e-5 2.5E+3 0..8");
  ASSERT_EQ(toks.size(), 9u);
  EXPECT_EQ(toks[1].intValue, 42);
  EXPECT_EQ(toks[2].kind, Tok::Float);
  EXPECT_DOUBLE_EQ(toks[2].floatValue, 1.5);
  EXPECT_DOUBLE_EQ(toks[3].floatValue, 1e-5);
  EXPECT_DOUBLE_EQ(toks[4].floatValue, 2500.0);
  // `0..8` is a range, not a float.
  EXPECT_EQ(toks[5].kind, Tok::Int);
  EXPECT_EQ(toks[6].kind, Tok::DotDot);
  EXPECT_EQ(toks[7].intValue, 8);
}

TEST(Lexer, StringsAndComments) {
  auto toks = lexAll("# a comment with ünïcode\n\"a.{i}\\\"b\\\\\" # trailing");
  ASSERT_EQ(toks.size(), 2u);
  EXPECT_EQ(toks[0].kind, Tok::String);
  EXPECT_EQ(toks[0].text, "a.{i}\"b\\");
}

TEST(Lexer, ErrorsNamePositionAndText) {
  std::string error;
  auto toks = lexAll("x = \"open", &error);
  EXPECT_EQ(toks.back().kind, Tok::Error);
  EXPECT_NE(error.find("t.ssm:1:5: error: unterminated string"), std::string::npos) << error;

  toks = lexAll("x = 3.4.5", &error);
  EXPECT_NE(error.find("invalid number '3.4.5'"), std::string::npos) << error;

  toks = lexAll("x = $", &error);
  EXPECT_NE(error.find("t.ssm:1:5: error: unexpected character '$'"), std::string::npos) << error;

  toks = lexAll(std::string("ok\n\xc3\x28"), &error);
  EXPECT_NE(error.find("t.ssm:2:1: error: invalid byte 0xC3 (not text)"), std::string::npos)
      << error;

  // An overlong encoding of '/' is not UTF-8.
  toks = lexAll(std::string("# \xc0\xaf"), &error);
  EXPECT_NE(error.find("not UTF-8"), std::string::npos) << error;
}
