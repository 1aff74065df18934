//===- Json.h - a small JSON DOM for config and header files ----*- C++ -*-===//
//
// Parses the JSON that model checkpoints ship: config.json, tokenizer.json,
// safetensors headers and shard indexes. Beyond RFC 8259 it accepts the bare
// tokens Infinity, -Infinity and NaN (Python's json module writes them; HF
// Mamba-2 configs contain "time_step_limit": [0.0, Infinity]) and a leading
// UTF-8 byte order mark. It rejects duplicate keys in one object, since a
// repeated tensor or config name is ambiguous. Errors read
// "<name>:<line>:<column>: <what>", with 1-based line and byte column.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_JSON_H
#define SSMC_RUNTIME_IO_JSON_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssmrt {

/// One JSON value. Objects keep their members in document order.
class JsonValue {
public:
  enum class Kind : uint8_t { Null, Bool, Number, String, Array, Object };
  using Member = std::pair<std::string, JsonValue>;

  JsonValue() = default;
  static JsonValue makeBool(bool value);
  /// A number; |isInteger| marks a literal written without fraction or
  /// exponent that fits in int64_t, whose exact value is |intValue|.
  static JsonValue makeNumber(double value, bool isInteger, int64_t intValue);
  static JsonValue makeString(std::string value);
  static JsonValue makeArray(std::vector<JsonValue> elements);
  static JsonValue makeObject(std::vector<Member> members);

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isNumber() const { return kind_ == Kind::Number; }
  bool isInteger() const { return kind_ == Kind::Number && isInteger_; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }

  /// Typed access; each requires the matching kind.
  bool asBool() const { return bool_; }
  double asNumber() const { return number_; }
  int64_t asInt() const { return int_; }
  /// An integer literal, or a number with an integral value of at most
  /// 2^53 in magnitude written with a fraction or exponent (192.0, as
  /// Python's json writes a float): true, with the value in |out|.
  bool asIntegral(int64_t &out) const;
  const std::string &asString() const { return string_; }
  const std::vector<JsonValue> &asArray() const { return array_; }
  const std::vector<Member> &asObject() const { return object_; }

  /// Returns the member named |key| of an object, or null if there is none
  /// (or this is not an object). Linear in the number of members.
  const JsonValue *find(std::string_view key) const;

  /// A short description for error messages: "string", "number 1.5", ...
  std::string describe() const;

private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  bool isInteger_ = false;
  double number_ = 0;
  int64_t int_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<Member> object_;
};

class JsonObjectReader;

/// A parsed document and the name its error messages use.
struct JsonDocument {
  std::string name;
  JsonValue root;

  /// Typed access to the root, which must be an object.
  StatusOr<JsonObjectReader> rootObject() const;
};

/// Nesting deeper than this is rejected, so hostile input cannot exhaust the
/// stack of the recursive parser.
constexpr int kMaxJsonDepth = 256;

/// Parses |text|; |name| (usually the file name) prefixes error messages.
StatusOr<JsonDocument> parseJson(std::string_view text, std::string name);

/// Reads and parses the file at |path|; messages are prefixed with |path|.
StatusOr<JsonDocument> readJsonFile(const std::string &path);

/// Returns |s| as a quoted JSON string literal (escaping ", \ and controls).
std::string quoteJson(std::string_view s);

/// Typed, error-reporting access to the members of one JSON object. Errors
/// read "<where>: key '<path>': expected an integer, got string", where
/// <where> is the document name and <path> the dotted key path.
class JsonObjectReader {
public:
  /// Fails unless |value| is an object. |path| names |value| itself ("" for
  /// the root); |value| must outlive the reader.
  static StatusOr<JsonObjectReader> make(const JsonValue &value, std::string where,
                                         std::string path = "");

  const JsonValue &value() const { return *object_; }
  const std::string &where() const { return where_; }
  bool has(std::string_view key) const { return object_->find(key); }
  const JsonValue *find(std::string_view key) const { return object_->find(key); }

  /// Required members.
  StatusOr<int64_t> getInt(std::string_view key) const;
  /// Accepts integers, Infinity, NaN and HF's {"__float__": "Infinity"}.
  StatusOr<double> getNumber(std::string_view key) const;
  StatusOr<bool> getBool(std::string_view key) const;
  StatusOr<std::string> getString(std::string_view key) const;
  StatusOr<const std::vector<JsonValue> *> getArray(std::string_view key) const;
  StatusOr<JsonObjectReader> getObject(std::string_view key) const;
  StatusOr<std::vector<int64_t>> getIntArray(std::string_view key) const;
  StatusOr<std::vector<double>> getNumberArray(std::string_view key) const;

  /// Optional members: |fallback| when the key is absent or null, an error
  /// when it is present with the wrong type.
  StatusOr<int64_t> getInt(std::string_view key, int64_t fallback) const;
  StatusOr<double> getNumber(std::string_view key, double fallback) const;
  StatusOr<bool> getBool(std::string_view key, bool fallback) const;
  StatusOr<std::string> getString(std::string_view key, std::string fallback) const;

  /// An error about member |key|: "<where>: key '<path>': <what>".
  Status error(std::string_view key, std::string_view what) const;

private:
  JsonObjectReader(const JsonValue *object, std::string where, std::string path)
      : object_(object), where_(std::move(where)), path_(std::move(path)) {}
  StatusOr<const JsonValue *> require(std::string_view key) const;
  std::string keyPath(std::string_view key) const;

  const JsonValue *object_;
  std::string where_;
  std::string path_;
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_JSON_H
