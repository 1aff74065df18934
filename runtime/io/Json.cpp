//===- Json.cpp - JSON values, quoting and typed object access ------------===//

#include "runtime/io/Json.h"
#include "runtime/io/MappedFile.h"
#include "runtime/io/Utf8.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ssmrt {

//===----------------------------------------------------------------------===//
// JsonValue
//===----------------------------------------------------------------------===//

JsonValue JsonValue::makeBool(bool value) {
  JsonValue v;
  v.kind_ = Kind::Bool;
  v.bool_ = value;
  return v;
}

JsonValue JsonValue::makeNumber(double value, bool isInteger, int64_t intValue) {
  JsonValue v;
  v.kind_ = Kind::Number;
  v.number_ = value;
  v.isInteger_ = isInteger;
  v.int_ = isInteger ? intValue : 0;
  return v;
}

JsonValue JsonValue::makeString(std::string value) {
  JsonValue v;
  v.kind_ = Kind::String;
  v.string_ = std::move(value);
  return v;
}

JsonValue JsonValue::makeArray(std::vector<JsonValue> elements) {
  JsonValue v;
  v.kind_ = Kind::Array;
  v.array_ = std::move(elements);
  return v;
}

JsonValue JsonValue::makeObject(std::vector<Member> members) {
  JsonValue v;
  v.kind_ = Kind::Object;
  v.object_ = std::move(members);
  return v;
}

const JsonValue *JsonValue::find(std::string_view key) const {
  for (const Member &m : object_)
    if (m.first == key)
      return &m.second;
  return nullptr;
}

/// Formats |v| as the shortest round-tripping decimal, with ".0" added to
/// integral values so that "expected an integer, got number 2.0" reads right.
static std::string formatNumber(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  return s;
}

std::string JsonValue::describe() const {
  switch (kind_) {
  case Kind::Null: return "null";
  case Kind::Bool: return bool_ ? "true" : "false";
  case Kind::Number:
    return isInteger_ ? "integer " + std::to_string(int_) : "number " + formatNumber(number_);
  case Kind::String: return "string";
  case Kind::Array: return "array";
  case Kind::Object: return "object";
  }
  return "?";
}

//===----------------------------------------------------------------------===//
// Documents and quoting
//===----------------------------------------------------------------------===//

StatusOr<JsonObjectReader> JsonDocument::rootObject() const {
  return JsonObjectReader::make(root, name);
}

StatusOr<JsonDocument> readJsonFile(const std::string &path) {
  StatusOr<MappedFile> file = MappedFile::open(path);
  if (!file.ok())
    return file.status();
  return parseJson(file->bytes(), path);
}

std::string quoteJson(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out += buf;
      } else {
        out += ch;
      }
    }
  }
  out += '"';
  return out;
}

//===----------------------------------------------------------------------===//
// JsonObjectReader
//===----------------------------------------------------------------------===//

StatusOr<JsonObjectReader> JsonObjectReader::make(const JsonValue &value, std::string where,
                                                  std::string path) {
  if (!value.isObject()) {
    std::string what = "expected an object, got " + value.describe();
    if (path.empty())
      return Status::error(where + ": " + what);
    return Status::error(where + ": key '" + printableForMessage(path) + "': " + what);
  }
  return JsonObjectReader(&value, std::move(where), std::move(path));
}

std::string JsonObjectReader::keyPath(std::string_view key) const {
  std::string full = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return printableForMessage(full);
}

Status JsonObjectReader::error(std::string_view key, std::string_view what) const {
  return Status::error(where_ + ": key '" + keyPath(key) + "': " + std::string(what));
}

StatusOr<const JsonValue *> JsonObjectReader::require(std::string_view key) const {
  const JsonValue *v = object_->find(key);
  if (!v) {
    std::string what = "missing key '" + keyPath(key) + "'";
    return Status::error(where_ + ": " + what);
  }
  return v;
}

static Status typeError(const JsonObjectReader &reader, std::string_view key, const char *expected,
                        const JsonValue &got) {
  return reader.error(key, std::string("expected ") + expected + ", got " + got.describe());
}

/// Decodes a JSON number, or HF's {"__float__": "Infinity"} spelling.
static bool asNumberLike(const JsonValue &v, double &out) {
  if (v.isNumber()) {
    out = v.asNumber();
    return true;
  }
  const JsonValue *f = v.find("__float__");
  if (!f || !f->isString() || v.asObject().size() != 1)
    return false;
  const std::string &s = f->asString();
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (s == "Infinity" || s == "inf")
    out = inf;
  else if (s == "-Infinity" || s == "-inf")
    out = -inf;
  else if (s == "NaN" || s == "nan")
    out = std::numeric_limits<double>::quiet_NaN();
  else
    return false;
  return true;
}

bool JsonValue::asIntegral(int64_t &out) const {
  if (isInteger()) {
    out = int_;
    return true;
  }
  if (!isNumber() || !(std::fabs(number_) <= 9007199254740992.0) || number_ != std::trunc(number_))
    return false;
  out = static_cast<int64_t>(number_);
  return true;
}

StatusOr<int64_t> JsonObjectReader::getInt(std::string_view key) const {
  StatusOr<const JsonValue *> v = require(key);
  if (!v.ok())
    return v.status();
  int64_t out;
  if (!(*v)->asIntegral(out))
    return typeError(*this, key, "an integer", **v);
  return out;
}

StatusOr<double> JsonObjectReader::getNumber(std::string_view key) const {
  StatusOr<const JsonValue *> v = require(key);
  if (!v.ok())
    return v.status();
  double out;
  if (!asNumberLike(**v, out))
    return typeError(*this, key, "a number", **v);
  return out;
}

StatusOr<bool> JsonObjectReader::getBool(std::string_view key) const {
  StatusOr<const JsonValue *> v = require(key);
  if (!v.ok())
    return v.status();
  if (!(*v)->isBool())
    return typeError(*this, key, "a boolean", **v);
  return (*v)->asBool();
}

StatusOr<std::string> JsonObjectReader::getString(std::string_view key) const {
  StatusOr<const JsonValue *> v = require(key);
  if (!v.ok())
    return v.status();
  if (!(*v)->isString())
    return typeError(*this, key, "a string", **v);
  return (*v)->asString();
}

StatusOr<const std::vector<JsonValue> *> JsonObjectReader::getArray(std::string_view key) const {
  StatusOr<const JsonValue *> v = require(key);
  if (!v.ok())
    return v.status();
  if (!(*v)->isArray())
    return typeError(*this, key, "an array", **v);
  return &(*v)->asArray();
}

StatusOr<JsonObjectReader> JsonObjectReader::getObject(std::string_view key) const {
  StatusOr<const JsonValue *> v = require(key);
  if (!v.ok())
    return v.status();
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return make(**v, where_, std::move(path));
}

StatusOr<std::vector<int64_t>> JsonObjectReader::getIntArray(std::string_view key) const {
  StatusOr<const std::vector<JsonValue> *> array = getArray(key);
  if (!array.ok())
    return array.status();
  std::vector<int64_t> out;
  for (size_t i = 0; i < (*array)->size(); ++i) {
    const JsonValue &e = (**array)[i];
    if (!e.isInteger())
      return error(key,
                   "element " + std::to_string(i) + ": expected an integer, got " + e.describe());
    out.push_back(e.asInt());
  }
  return out;
}

StatusOr<std::vector<double>> JsonObjectReader::getNumberArray(std::string_view key) const {
  StatusOr<const std::vector<JsonValue> *> array = getArray(key);
  if (!array.ok())
    return array.status();
  std::vector<double> out;
  for (size_t i = 0; i < (*array)->size(); ++i) {
    double d;
    if (!asNumberLike((**array)[i], d))
      return error(key, "element " + std::to_string(i) + ": expected a number, got " +
                            (**array)[i].describe());
    out.push_back(d);
  }
  return out;
}

/// True when the optional member |key| is absent or null.
static bool isAbsent(const JsonObjectReader &reader, std::string_view key) {
  const JsonValue *v = reader.find(key);
  return !v || v->isNull();
}

StatusOr<int64_t> JsonObjectReader::getInt(std::string_view key, int64_t fallback) const {
  return isAbsent(*this, key) ? StatusOr<int64_t>(fallback) : getInt(key);
}

StatusOr<double> JsonObjectReader::getNumber(std::string_view key, double fallback) const {
  return isAbsent(*this, key) ? StatusOr<double>(fallback) : getNumber(key);
}

StatusOr<bool> JsonObjectReader::getBool(std::string_view key, bool fallback) const {
  return isAbsent(*this, key) ? StatusOr<bool>(fallback) : getBool(key);
}

StatusOr<std::string> JsonObjectReader::getString(std::string_view key,
                                                  std::string fallback) const {
  return isAbsent(*this, key) ? StatusOr<std::string>(std::move(fallback)) : getString(key);
}

} // namespace ssmrt
