//===- JsonFuzzer.cpp - libFuzzer target for the JSON parser --------------===//
//
// Parses the input; every error must carry the document name, and every
// string of a parsed document must survive quoteJson() and a re-parse.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/Json.h"

#include <cstdlib>

using namespace ssmrt;

static void checkStrings(const JsonValue &v) {
  auto roundTrip = [](const std::string &s) {
    StatusOr<JsonDocument> again = parseJson(quoteJson(s), "quoted");
    if (!again.ok() || !again->root.isString() || again->root.asString() != s)
      std::abort();
  };
  if (v.isString())
    roundTrip(v.asString());
  for (const JsonValue &e : v.asArray())
    checkStrings(e);
  for (const JsonValue::Member &m : v.asObject()) {
    roundTrip(m.first);
    if (v.find(m.first) == nullptr)
      std::abort();
    checkStrings(m.second);
  }
  (void)v.describe();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  StatusOr<JsonDocument> doc = parseJson(text, "fuzz.json");
  if (!doc.ok()) {
    if (doc.status().message().rfind("fuzz.json:", 0) != 0)
      std::abort();
    return 0;
  }
  checkStrings(doc->root);
  return 0;
}
