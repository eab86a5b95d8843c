// Value: the dynamic record value every serde decodes into and every
// operator and expression works on — null, bool, int64, double, string,
// bytes, array, or object (fields in insertion order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "streamapp/status.h"

namespace streamapp {

struct Field;

class Value {
 public:
  enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kBytes, kArray, kObject };
  using Array = std::vector<Value>;
  using Object = std::vector<Field>;  // insertion-ordered; lookups are linear (records are small)
  // Raw bytes, kept apart from text so serdes can round-trip them.
  struct Bytes {
    std::string data;
    bool operator==(const Bytes&) const = default;
  };

  Value() = default;
  Value(std::nullptr_t) {}                           // NOLINT
  Value(bool b) : v_(b) {}                           // NOLINT
  Value(int v) : v_(int64_t{v}) {}                   // NOLINT
  Value(int64_t v) : v_(v) {}                        // NOLINT
  Value(double v) : v_(v) {}                         // NOLINT
  Value(std::string s) : v_(std::move(s)) {}         // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}  // NOLINT
  Value(const char* s) : v_(std::string(s)) {}       // NOLINT
  Value(Bytes b) : v_(std::move(b)) {}               // NOLINT
  Value(Array a) : v_(std::move(a)) {}               // NOLINT
  Value(Object o) : v_(std::move(o)) {}              // NOLINT

  static Value MakeObject() { return Value(Object{}); }
  static Value MakeArray() { return Value(Array{}); }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_bytes() const { return type() == Type::kBytes; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors require the matching type (checked by std::get).
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  // int or double as double.
  double as_number() const { return is_int() ? static_cast<double>(as_int()) : as_double(); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  const Bytes& as_bytes() const { return std::get<Bytes>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Object field access; null when not an object or no such field.
  const Value* Find(std::string_view name) const;
  Value* Find(std::string_view name);
  // Sets (or adds) a field; turns a null value into an object first.
  Value& Set(std::string_view name, Value v);
  // Removes a field; returns the removed value, or null if none.
  Value Remove(std::string_view name);

  bool operator==(const Value& other) const;

  // Compact JSON. Bytes are written as base64 strings; non-finite doubles as null.
  std::string ToJson() const;
  void AppendJson(std::string* out) const;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Bytes, Array, Object> v_;
};

struct Field {
  std::string name;
  Value value;
  bool operator==(const Field&) const = default;
};

std::string_view TypeName(Value::Type type);

// A parsed field path: "user.id", "items[0].sku". Parse once, look up often.
class FieldPath {
 public:
  struct Segment {
    std::string name;  // empty when this segment is an index
    int64_t index = -1;
    bool operator==(const Segment&) const = default;
  };

  static Result<FieldPath> Parse(std::string_view text);

  // The value at the path inside `root`, or null when any step is missing.
  const Value* Lookup(const Value& root) const;
  // Sets the value at the path, creating objects on the way (not arrays).
  Status Assign(Value& root, Value v) const;
  // Removes the value at the path; returns it, or null when absent.
  Value Remove(Value& root) const;

  const std::vector<Segment>& segments() const { return segments_; }
  const std::string& text() const { return text_; }
  bool operator==(const FieldPath&) const = default;

 private:
  std::vector<Segment> segments_;
  std::string text_;
};

}  // namespace streamapp
