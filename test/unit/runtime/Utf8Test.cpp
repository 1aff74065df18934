//===- Utf8Test.cpp - tests for UTF-8 decoding and validation -------------===//

#include "runtime/io/Utf8.h"

#include <gtest/gtest.h>

using namespace ssmrt;

namespace {

TEST(Utf8Test, DecodesValidSequences) {
  std::string s = "A\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80";
  Utf8Char c = decodeUtf8(s, 0);
  EXPECT_EQ(c.codePoint, 'A');
  EXPECT_EQ(c.length, 1u);
  EXPECT_EQ(decodeUtf8(s, 1).codePoint, 0xE9);
  EXPECT_EQ(decodeUtf8(s, 3).codePoint, 0x4E2D);
  c = decodeUtf8(s, 6);
  EXPECT_EQ(c.codePoint, 0x1F600);
  EXPECT_EQ(c.length, 4u);
  EXPECT_EQ(findInvalidUtf8(s), std::string::npos);
}

TEST(Utf8Test, AppendRoundTripsEveryScalarValue) {
  for (uint32_t cp = 0; cp < 0x110000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF)
      continue;
    std::string s;
    appendUtf8(s, cp);
    Utf8Char c = decodeUtf8(s, 0);
    ASSERT_EQ(c.codePoint, static_cast<int32_t>(cp));
    ASSERT_EQ(c.length, s.size());
  }
}

TEST(Utf8Test, FindsInvalidBytes) {
  EXPECT_EQ(findInvalidUtf8("ab\xFF"), 2u);
  EXPECT_EQ(findInvalidUtf8("\xC0\x80"), 0u);         // overlong NUL
  EXPECT_EQ(findInvalidUtf8("x\xE0\x80\x80"), 1u);    // overlong
  EXPECT_EQ(findInvalidUtf8("xy\xED\xA0\x80"), 2u);   // surrogate
  EXPECT_EQ(findInvalidUtf8("\xF4\x90\x80\x80"), 0u); // above U+10FFFF
  EXPECT_EQ(findInvalidUtf8("abc\xE4\xB8"), 3u);      // truncated
  EXPECT_EQ(findInvalidUtf8("\x80"), 0u);             // lone continuation
}

TEST(Utf8Test, MaximalSubpartsBecomeOneReplacementEach) {
  // The examples of Unicode 15, table 3-8.
  std::string in = "\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41";
  std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(toValidUtf8(in), fffd + fffd + fffd + fffd + fffd + fffd + fffd + fffd + "A");
  EXPECT_EQ(toValidUtf8("\xED\xA0\x80\x41"), fffd + fffd + fffd + "A");
  EXPECT_EQ(toValidUtf8("\xF1\x80\x80\xE1\x80\xC2\x41"), fffd + fffd + fffd + "A");
  Utf8Char c = decodeUtf8("\xF0\x9F\x98", 0);
  EXPECT_EQ(c.codePoint, -1);
  EXPECT_TRUE(c.truncated);
  EXPECT_EQ(c.length, 3u);
}

TEST(Utf8Test, PrintableForMessage) {
  EXPECT_EQ(printableForMessage("a\nb\xFF\xC3\xA9"), "a\\x0Ab\\xFF\xC3\xA9");
  EXPECT_EQ(printableForMessage(std::string(100, 'x'), 4), "xxxx...");
}

} // namespace
