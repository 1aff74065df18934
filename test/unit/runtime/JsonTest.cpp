//===- JsonTest.cpp - tests for the JSON parser and accessors -------------===//

#include "runtime/io/Json.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ssmrt;

namespace {

JsonValue parseOk(std::string_view text) {
  StatusOr<JsonDocument> doc = parseJson(text, "t.json");
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return doc.ok() ? doc->root : JsonValue();
}

std::string parseError(std::string_view text) {
  StatusOr<JsonDocument> doc = parseJson(text, "t.json");
  EXPECT_FALSE(doc.ok()) << "parsed: " << text;
  return doc.ok() ? "" : doc.status().message();
}

TEST(JsonTest, ParsesScalarsArraysAndObjectsInOrder) {
  JsonValue v = parseOk(R"( {"b": 1, "a": [true, false, null, "s"],
                            "c": {"x": -2.5e3}} )");
  ASSERT_TRUE(v.isObject());
  ASSERT_EQ(v.asObject().size(), 3u);
  EXPECT_EQ(v.asObject()[0].first, "b");
  EXPECT_EQ(v.asObject()[1].first, "a");
  EXPECT_EQ(v.asObject()[2].first, "c");
  EXPECT_TRUE(v.find("b")->isInteger());
  EXPECT_EQ(v.find("b")->asInt(), 1);
  const auto &a = v.find("a")->asArray();
  ASSERT_EQ(a.size(), 4u);
  EXPECT_TRUE(a[0].asBool());
  EXPECT_FALSE(a[1].asBool());
  EXPECT_TRUE(a[2].isNull());
  EXPECT_EQ(a[3].asString(), "s");
  EXPECT_EQ(v.find("c")->find("x")->asNumber(), -2500.0);
  EXPECT_FALSE(v.find("c")->find("x")->isInteger());
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(JsonTest, NumbersKeepExactIntegers) {
  JsonValue v = parseOk("[9007199254740993, -9223372036854775808, "
                        "9223372036854775808, 1.0, 1e2, -0, 0.5e-3]");
  const auto &a = v.asArray();
  EXPECT_TRUE(a[0].isInteger());
  EXPECT_EQ(a[0].asInt(), 9007199254740993LL); // not representable as double
  EXPECT_EQ(a[1].asInt(), INT64_MIN);
  EXPECT_FALSE(a[2].isInteger()); // beyond int64: a double only
  EXPECT_EQ(a[2].asNumber(), 9223372036854775808.0);
  EXPECT_FALSE(a[3].isInteger());
  EXPECT_FALSE(a[4].isInteger());
  EXPECT_EQ(a[4].asNumber(), 100.0);
  EXPECT_TRUE(a[5].isInteger());
  EXPECT_EQ(a[6].asNumber(), 0.0005);
}

TEST(JsonTest, OutOfRangeNumbersSaturateLikePython) {
  JsonValue v = parseOk("[1e400, -1e400, 1e-400, 0.0000e99999, "
                        "1000000000000000019884624838656]");
  const auto &a = v.asArray();
  EXPECT_EQ(a[0].asNumber(), INFINITY);
  EXPECT_EQ(a[1].asNumber(), -INFINITY);
  EXPECT_EQ(a[2].asNumber(), 0.0);
  EXPECT_EQ(a[3].asNumber(), 0.0);
  EXPECT_EQ(a[4].asNumber(), 1e30);
}

TEST(JsonTest, AcceptsInfinityAndNaN) {
  JsonValue v = parseOk(R"({"time_step_limit": [0.0, Infinity],
                            "n": NaN, "m": -Infinity})");
  const auto &limit = v.find("time_step_limit")->asArray();
  EXPECT_EQ(limit[0].asNumber(), 0.0);
  EXPECT_TRUE(std::isinf(limit[1].asNumber()) && limit[1].asNumber() > 0);
  EXPECT_TRUE(std::isnan(v.find("n")->asNumber()));
  EXPECT_EQ(v.find("m")->asNumber(), -INFINITY);
}

TEST(JsonTest, DecodesEscapesAndUnicode) {
  JsonValue v = parseOk(R"(["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u4e2d", "\ud83d\ude00",)"
                        R"( "\u0000x", "Ġé😀"])");
  const auto &a = v.asArray();
  EXPECT_EQ(a[0].asString(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(a[1].asString(), "A\xC3\xA9\xE4\xB8\xAD");
  EXPECT_EQ(a[2].asString(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(a[3].asString(), std::string("\0x", 2));
  EXPECT_EQ(a[4].asString(), "\xC4\xA0\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonTest, SkipsByteOrderMark) { EXPECT_TRUE(parseOk("\xEF\xBB\xBF{}").isObject()); }

TEST(JsonTest, ErrorsGiveLineAndColumn) {
  struct Case {
    const char *text;
    const char *message;
  };
  const Case cases[] = {
      {"", "t.json:1:1: unexpected end of input, expected a value"},
      {"{\n  \"a\": 1,\n  \"b\" 2}", "t.json:3:7: unexpected character '2', "
                                     "expected ':' after object key"},
      {"{\"a\": 1,}", "t.json:1:9: unexpected character '}', expected a "
                      "string key"},
      {"[1 2]", "t.json:1:4: unexpected character '2', expected ',' or ']' "
                "in array"},
      {"{\"a\": 1 \"b\"}", "t.json:1:9: unexpected character '\"', expected "
                           "',' or '}' in object"},
      {"[1]\n x", "t.json:2:2: unexpected character 'x' after the JSON value"},
      {"[tru]", "t.json:1:2: unexpected character 't', expected a value"},
      {"\"abc", "t.json:1:1: unterminated string"},
      {"\"a\tb\"", "t.json:1:3: control character 0x09 in string (must be "
                   "escaped)"},
      {"\"a\\qb\"", "t.json:1:3: invalid escape '\\q' in string"},
      {"\"\\u12G4\"", "t.json:1:6: invalid \\u escape: character 'G' is not a "
                      "hex digit"},
      {"\"\\ud800\"", "t.json:1:2: invalid \\u escape: high surrogate not "
                      "followed by a low surrogate"},
      {"\"\\ud800\\u0041\"", "t.json:1:2: invalid \\u escape: high surrogate "
                             "not followed by a low surrogate"},
      {"\"\\udc00\"", "t.json:1:2: invalid \\u escape: unpaired low "
                      "surrogate"},
      {"\"\xC3\x28\"", "t.json:1:2: invalid UTF-8 byte 0xC3 in string"},
      {"\"\xED\xA0\x80\"", "t.json:1:2: invalid UTF-8 byte 0xED in string"},
      {"\"\xC0\xAF\"", "t.json:1:2: invalid UTF-8 byte 0xC0 in string"},
      {"[01]", "t.json:1:3: invalid number: leading zeros are not allowed"},
      {"[1.]", "t.json:1:4: invalid number: expected a digit after '.'"},
      {"[1e+]", "t.json:1:5: invalid number: expected a digit in the "
                "exponent"},
      {"[-]", "t.json:1:3: invalid number: expected a digit"},
      {"[+1]", "t.json:1:2: unexpected character '+', expected a value"},
      {"[\xFF]", "t.json:1:2: unexpected byte 0xFF, expected a value"},
      {"{\"k\": 1, \"j\": 2, \"k\": 3}", "t.json:1:18: duplicate key 'k'"},
      {"[Infinit]", "t.json:1:2: unexpected character 'I', expected a value"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.text), c.message) << "input: " << c.text;
}

TEST(JsonTest, DuplicateKeysInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 1000; ++i)
    text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",";
  text += "\"k500\": 0}";
  EXPECT_NE(parseError(text).find("duplicate key 'k500'"), std::string::npos);
}

TEST(JsonTest, RejectsDeepNesting) {
  std::string ok(kMaxJsonDepth, '[');
  ok += std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parseOk(ok).isArray());

  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(parseError(deep), "t.json:1:257: nesting is deeper than 256 "
                              "levels");
  // Far deeper input must fail the same way, not overflow the stack.
  EXPECT_NE(parseError(std::string(1'000'000, '[')).find("nesting"), std::string::npos);
  std::string objects;
  for (int i = 0; i < 300; ++i)
    objects += "{\"a\":";
  EXPECT_EQ(parseError(objects), "t.json:1:1281: nesting is deeper than 256 "
                                 "levels");
}

TEST(JsonTest, QuoteJsonRoundTrips) {
  std::string s = std::string("a\"b\\c\n\x01\x1f", 8) + "é";
  StatusOr<JsonDocument> doc = parseJson(quoteJson(s), "q");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->root.asString(), s);
}

//===----------------------------------------------------------------------===//
// JsonObjectReader
//===----------------------------------------------------------------------===//

class JsonReaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    StatusOr<JsonDocument> parsed = parseJson(R"({
      "hidden_size": 768, "name": "mamba", "eps": 1e-5, "flag": true,
      "ratio": 2, "nothing": null, "limit": [0.0, Infinity],
      "hf_inf": {"__float__": "Infinity"}, "shape": [2, 3],
      "ssm_cfg": {"d_state": "16"}, "half": 1.5, "float_int": 2.0, "huge": 1e300
    })",
                                              "config.json");
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    doc = std::move(*parsed);
  }
  JsonObjectReader reader() {
    StatusOr<JsonObjectReader> r = doc.rootObject();
    EXPECT_TRUE(r.ok());
    return *r;
  }
  JsonDocument doc;
};

TEST_F(JsonReaderTest, ReadsTypedValues) {
  JsonObjectReader r = reader();
  EXPECT_EQ(*r.getInt("hidden_size"), 768);
  EXPECT_EQ(*r.getString("name"), "mamba");
  EXPECT_EQ(*r.getNumber("eps"), 1e-5);
  EXPECT_EQ(*r.getNumber("ratio"), 2.0);
  EXPECT_TRUE(*r.getBool("flag"));
  EXPECT_EQ(*r.getNumber("hf_inf"), INFINITY);
  EXPECT_EQ(*r.getNumberArray("limit"), (std::vector<double>{0.0, INFINITY}));
  EXPECT_EQ(*r.getIntArray("shape"), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ((*r.getArray("limit"))->size(), 2u);
}

TEST_F(JsonReaderTest, OptionalValuesFallBack) {
  JsonObjectReader r = reader();
  EXPECT_EQ(*r.getInt("absent", 7), 7);
  EXPECT_EQ(*r.getInt("nothing", 7), 7);
  EXPECT_EQ(*r.getInt("hidden_size", 7), 768);
  EXPECT_EQ(*r.getBool("absent", true), true);
  EXPECT_EQ(*r.getString("absent", "x"), "x");
  EXPECT_EQ(*r.getNumber("absent", 0.5), 0.5);
  EXPECT_EQ(r.getInt("name", 7).status().message(),
            "config.json: key 'name': expected an integer, got string");
}

TEST_F(JsonReaderTest, ErrorsNameTheFileAndKey) {
  JsonObjectReader r = reader();
  EXPECT_EQ(r.getInt("name").status().message(),
            "config.json: key 'name': expected an integer, got string");
  EXPECT_EQ(r.getInt("half").status().message(),
            "config.json: key 'half': expected an integer, got number 1.5");
  // An integral number written as a float (Python writes 2.0) is the
  // integer; one too large for an exact double is not.
  ASSERT_TRUE(r.getInt("float_int").ok());
  EXPECT_EQ(*r.getInt("float_int"), 2);
  EXPECT_EQ(r.getInt("huge").status().message(),
            "config.json: key 'huge': expected an integer, got number 1e+300");
  EXPECT_EQ(r.getInt("missing").status().message(), "config.json: missing key 'missing'");
  EXPECT_EQ(r.getString("hidden_size").status().message(),
            "config.json: key 'hidden_size': expected a string, got integer "
            "768");
  EXPECT_EQ(r.getBool("nothing").status().message(),
            "config.json: key 'nothing': expected a boolean, got null");
  EXPECT_EQ(r.getNumber("shape").status().message(),
            "config.json: key 'shape': expected a number, got array");
  EXPECT_EQ(r.getObject("name").status().message(),
            "config.json: key 'name': expected an object, got string");
  EXPECT_EQ(r.getArray("ssm_cfg").status().message(),
            "config.json: key 'ssm_cfg': expected an array, got object");
  EXPECT_EQ(r.getIntArray("limit").status().message(),
            "config.json: key 'limit': element 0: expected an integer, got "
            "number 0.0");
  EXPECT_EQ(r.error("hidden_size", "must be even").message(),
            "config.json: key 'hidden_size': must be even");
}

TEST_F(JsonReaderTest, NestedObjectsUseDottedPaths) {
  StatusOr<JsonObjectReader> ssm = reader().getObject("ssm_cfg");
  ASSERT_TRUE(ssm.ok());
  EXPECT_EQ(ssm->getInt("d_state").status().message(),
            "config.json: key 'ssm_cfg.d_state': expected an integer, got "
            "string");
  EXPECT_EQ(ssm->getInt("d_conv").status().message(), "config.json: missing key 'ssm_cfg.d_conv'");
}

TEST(JsonFileTest, ReadJsonFileNamesThePath) {
  StatusOr<JsonDocument> doc = readJsonFile("/nonexistent/config.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(), "/nonexistent/config.json: cannot open: No such file or "
                                    "directory");
  StatusOr<JsonObjectReader> notObject =
      JsonObjectReader::make(JsonValue::makeBool(true), "x.json");
  EXPECT_EQ(notObject.status().message(), "x.json: expected an object, got true");
}

} // namespace
