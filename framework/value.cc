#include "streamapp/value.h"

#include <charconv>
#include <cmath>

namespace streamapp {
namespace {

void AppendEscaped(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kHex[(c >> 4) & 0xF]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendBase64(std::string* out, std::string_view in) {
  static const char* kTable = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out->push_back(kTable[(n >> 18) & 63]);
    out->push_back(kTable[(n >> 12) & 63]);
    out->push_back(kTable[(n >> 6) & 63]);
    out->push_back(kTable[n & 63]);
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out->push_back(kTable[(n >> 18) & 63]);
    out->push_back(kTable[(n >> 12) & 63]);
    out->push_back(i + 1 < in.size() ? kTable[(n >> 6) & 63] : '=');
    out->push_back('=');
  }
}

}  // namespace

std::string_view TypeName(Value::Type type) {
  switch (type) {
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return "bool";
    case Value::Type::kInt: return "int";
    case Value::Type::kDouble: return "double";
    case Value::Type::kString: return "string";
    case Value::Type::kBytes: return "bytes";
    case Value::Type::kArray: return "array";
    case Value::Type::kObject: return "object";
  }
  return "unknown";
}

const Value* Value::Find(std::string_view name) const {
  if (!is_object()) return nullptr;
  for (const Field& f : as_object()) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

Value* Value::Find(std::string_view name) { return const_cast<Value*>(std::as_const(*this).Find(name)); }

Value& Value::Set(std::string_view name, Value v) {
  if (is_null()) v_ = Object{};
  if (Value* existing = Find(name)) {
    *existing = std::move(v);
    return *existing;
  }
  Object& obj = as_object();
  obj.push_back(Field{std::string(name), std::move(v)});
  return obj.back().value;
}

Value Value::Remove(std::string_view name) {
  if (!is_object()) return Value();
  Object& obj = as_object();
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it->name == name) {
      Value out = std::move(it->value);
      obj.erase(it);
      return out;
    }
  }
  return Value();
}

bool Value::operator==(const Value& other) const {
  // Numbers compare by value across int and double, as in JSON.
  if (is_number() && other.is_number()) {
    if (is_int() && other.is_int()) return as_int() == other.as_int();
    return as_number() == other.as_number();
  }
  return v_ == other.v_;
}

std::string Value::ToJson() const {
  std::string out;
  AppendJson(&out);
  return out;
}

void Value::AppendJson(std::string* out) const {
  switch (type()) {
    case Type::kNull: out->append("null"); break;
    case Type::kBool: out->append(as_bool() ? "true" : "false"); break;
    case Type::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, as_int());
      out->append(buf, r.ptr);
      break;
    }
    case Type::kDouble: {
      double d = as_double();
      if (!std::isfinite(d)) {
        out->append("null");
        break;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
      out->append(buf, r.ptr);
      break;
    }
    case Type::kString: AppendEscaped(out, as_string()); break;
    case Type::kBytes:
      out->push_back('"');
      AppendBase64(out, as_bytes().data);
      out->push_back('"');
      break;
    case Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& v : as_array()) {
        if (!first) out->push_back(',');
        first = false;
        v.AppendJson(out);
      }
      out->push_back(']');
      break;
    }
    case Type::kObject: {
      out->push_back('{');
      bool first = true;
      for (const Field& f : as_object()) {
        if (!first) out->push_back(',');
        first = false;
        AppendEscaped(out, f.name);
        out->push_back(':');
        f.value.AppendJson(out);
      }
      out->push_back('}');
      break;
    }
  }
}

Result<FieldPath> FieldPath::Parse(std::string_view text) {
  FieldPath path;
  path.text_ = std::string(text);
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    return Status::InvalidArgument("field path '" + std::string(text) + "' at column " + std::to_string(i + 1) + ": " + why);
  };
  if (text.empty()) return fail("empty path");
  while (i < text.size()) {
    if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos) return fail("missing ']'");
      int64_t index = 0;
      auto r = std::from_chars(text.data() + i + 1, text.data() + close, index);
      if (r.ec != std::errc() || r.ptr != text.data() + close || index < 0) return fail("expected an index >= 0");
      path.segments_.push_back({"", index});
      i = close + 1;
      if (i < text.size() && text[i] == '.') {
        ++i;
        if (i == text.size()) return fail("path ends with '.'");
      }
      continue;
    }
    size_t end = i;
    while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
    if (end == i) return fail("empty field name");
    path.segments_.push_back({std::string(text.substr(i, end - i)), -1});
    i = end;
    if (i < text.size() && text[i] == '.') {
      ++i;
      if (i == text.size()) return fail("path ends with '.'");
    }
  }
  return path;
}

const Value* FieldPath::Lookup(const Value& root) const {
  const Value* cur = &root;
  for (const Segment& s : segments_) {
    if (s.index >= 0) {
      if (!cur->is_array() || s.index >= static_cast<int64_t>(cur->as_array().size())) return nullptr;
      cur = &cur->as_array()[static_cast<size_t>(s.index)];
    } else {
      cur = cur->Find(s.name);
      if (cur == nullptr) return nullptr;
    }
  }
  return cur;
}

Status FieldPath::Assign(Value& root, Value v) const {
  Value* cur = &root;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    const bool last = i + 1 == segments_.size();
    if (s.index >= 0) {
      if (!cur->is_array() || s.index >= static_cast<int64_t>(cur->as_array().size())) {
        return Status::DataError("cannot assign " + text_ + ": no array element " + std::to_string(s.index));
      }
      cur = &cur->as_array()[static_cast<size_t>(s.index)];
      if (last) *cur = std::move(v);
      continue;
    }
    if (!cur->is_object() && !cur->is_null()) {
      return Status::DataError("cannot assign " + text_ + ": '" + s.name + "' is inside a " +
                               std::string(TypeName(cur->type())) + ", not an object");
    }
    if (last) {
      cur->Set(s.name, std::move(v));
    } else {
      Value* next = cur->Find(s.name);
      cur = next != nullptr ? next : &cur->Set(s.name, Value::MakeObject());
    }
  }
  return Status::Ok();
}

Value FieldPath::Remove(Value& root) const {
  if (segments_.empty()) return Value();
  Value* parent = &root;
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.index >= 0) {
      if (!parent->is_array() || s.index >= static_cast<int64_t>(parent->as_array().size())) return Value();
      parent = &parent->as_array()[static_cast<size_t>(s.index)];
    } else {
      parent = parent->Find(s.name);
      if (parent == nullptr) return Value();
    }
  }
  const Segment& last = segments_.back();
  if (last.index >= 0) {
    if (!parent->is_array() || last.index >= static_cast<int64_t>(parent->as_array().size())) return Value();
    auto& arr = parent->as_array();
    Value out = std::move(arr[static_cast<size_t>(last.index)]);
    arr.erase(arr.begin() + last.index);
    return out;
  }
  return parent->Remove(last.name);
}

}  // namespace streamapp
