// A small ordered JSON tree with a stable pretty printer, for the generated
// reference and schema (their text is checked into docs/, so the output
// must be byte-for-byte reproducible).
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace streamapp::registry {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() : v_(nullptr) {}
  Json(bool b) : v_(b) {}
  Json(int i) : v_(static_cast<long long>(i)) {}
  Json(long long i) : v_(i) {}
  Json(double d) : v_(d) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}
  static Json EmptyObject() { return Json(Object{}); }
  static Json StringArray(const std::vector<std::string>& items);

  // Adds (or replaces) a member; this must be an object.
  Json& Set(const std::string& key, Json value);
  // Appends to an array.
  Json& Push(Json value);
  bool is_object() const { return std::holds_alternative<Object>(v_); }
  const Object* as_object() const { return std::get_if<Object>(&v_); }

  // Two-space indentation, one member per line; short scalar arrays inline.
  std::string Dump() const;

 private:
  void DumpTo(std::string& out, int indent) const;
  std::variant<std::nullptr_t, bool, long long, double, std::string, Array, Object> v_;
};

}  // namespace streamapp::registry
