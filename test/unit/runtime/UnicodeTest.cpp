//===- UnicodeTest.cpp - character classes, NFC and the GPT-2 split -------===//

#include "runtime/tokenizer/Unicode.h"
#include "runtime/tokenizer/ByteLevel.h"

#include <gtest/gtest.h>

using namespace ssmrt;
using namespace ssmrt::unicode;

namespace {

TEST(UnicodeTest, CharacterClasses) {
  for (uint32_t cp : {0x61u, 0x5Au, 0xE9u, 0x3B1u, 0x416u, 0x4E2Du, 0xAC00u, 0x5D0u, 0x627u,
                      0x1F00u, 0x11F04u /* Kawi, 15.0 */, 0x2EBF0u /* CJK ext. I, 15.1 */})
    EXPECT_TRUE(isLetter(cp)) << std::hex << cp;
  for (uint32_t cp : {0x30u, 0x39u, 0xB2u, 0xBDu, 0x663u, 0x216Bu, 0x2460u})
    EXPECT_TRUE(isNumber(cp)) << std::hex << cp;
  for (uint32_t cp : {0x20u, 0x09u, 0x0Au, 0x0Bu, 0x85u, 0xA0u, 0x1680u, 0x2000u, 0x200Au, 0x2028u,
                      0x2029u, 0x202Fu, 0x3000u})
    EXPECT_TRUE(isWhitespace(cp)) << std::hex << cp;
  for (uint32_t cp : {0x21u, 0x27u, 0x200Bu, 0xFEFFu, 0x1Cu, 0x180Eu, 0x1F600u, 0x301u})
    EXPECT_FALSE(isLetter(cp) || isNumber(cp) || isWhitespace(cp)) << std::hex << cp;
  EXPECT_EQ(combiningClass(0x301), 230);
  EXPECT_EQ(combiningClass(0x328), 202);
  EXPECT_EQ(combiningClass('a'), 0);
}

TEST(UnicodeTest, Nfc) {
  EXPECT_EQ(toNfc("plain ascii"), "plain ascii");
  EXPECT_EQ(toNfc("e\xCC\x81"), "\xC3\xA9");               // e + acute
  EXPECT_EQ(toNfc("\xE2\x84\xAB"), "\xC3\x85");            // Angstrom sign
  EXPECT_EQ(toNfc("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), // jamo -> 각
            "\xEA\xB0\x81");
  EXPECT_EQ(toNfc("\xE0\xA5\x98"), "\xE0\xA4\x95\xE0\xA4\xBC"); // excluded
  // a + acute (230) + ogonek (202): reordered, then both compose in turn.
  EXPECT_EQ(toNfc("a\xCC\x81\xCC\xA8"), "\xC4\x85\xCC\x81");
  // HF normalizes with Unicode 9.0 data, where U+0D3B (Unicode 10, class 9)
  // is still unassigned and so not reordered before U+05B0 (class 10).
  EXPECT_EQ(toNfc("\xD6\xB0\xE0\xB4\xBB"), "\xD6\xB0\xE0\xB4\xBB");
  // A leading combining mark stays as is.
  EXPECT_EQ(toNfc("\xCC\x81"
                  "a"),
            "\xCC\x81"
            "a");
  EXPECT_EQ(toNfc(""), "");
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (auto [b, e] : splitGpt2Words(text))
    out.emplace_back(text.substr(b, e - b));
  return out;
}

TEST(UnicodeTest, Gpt2Split) {
  using V = std::vector<std::string>;
  EXPECT_EQ(words("Hello world"), (V{"Hello", " world"}));
  EXPECT_EQ(words("I'm they're 'S"), (V{"I", "'m", " they", "'re", " '", "S"}));
  EXPECT_EQ(words("a  b   c"), (V{"a", " ", " b", "  ", " c"}));
  EXPECT_EQ(words("x \n\ny"), (V{"x", " \n", "\n", "y"}));
  EXPECT_EQ(words("end  "), (V{"end", "  "}));
  EXPECT_EQ(words("12ab!?."), (V{"12", "ab", "!?."}));
  EXPECT_EQ(words(" 3.14"), (V{" 3", ".", "14"}));
  EXPECT_EQ(words("caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87"),
            (V{"caf\xC3\xA9", " \xE4\xB8\xAD\xE6\x96\x87"}));
  EXPECT_TRUE(words("").empty());
}

TEST(UnicodeTest, ByteLevelAlphabet) {
  EXPECT_EQ(byteToCodePoint(' '), 0x120u);
  EXPECT_EQ(byteToCodePoint('\n'), 0x10Au);
  EXPECT_EQ(byteToCodePoint('A'), uint32_t('A'));
  EXPECT_EQ(byteToCodePoint(0xAD), 0x143u);
  for (int b = 0; b < 256; ++b)
    EXPECT_EQ(byteFromCodePoint(byteToCodePoint(static_cast<uint8_t>(b))), b);
  EXPECT_EQ(byteFromCodePoint(' '), -1);
  EXPECT_EQ(byteFromCodePoint(0x144), -1);
  std::string bytes;
  EXPECT_TRUE(byteLevelBytes(byteLevelSpelling("a b\xFF"), bytes));
  EXPECT_EQ(bytes, "a b\xFF");
  EXPECT_FALSE(byteLevelBytes("a b", bytes));
}

} // namespace
