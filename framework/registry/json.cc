#include "registry/json.h"

#include <cstdio>

namespace streamapp::registry {
namespace {

void Quote(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

Json Json::StringArray(const std::vector<std::string>& items) {
  Array a;
  for (const std::string& s : items) a.emplace_back(s);
  return Json(std::move(a));
}

Json& Json::Set(const std::string& key, Json value) {
  Object& o = std::get<Object>(v_);
  for (auto& [k, v] : o) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  o.emplace_back(key, std::move(value));
  return o.back().second;
}

Json& Json::Push(Json value) {
  Array& a = std::get<Array>(v_);
  a.push_back(std::move(value));
  return a.back();
}

std::string Json::Dump() const {
  std::string out;
  DumpTo(out, 0);
  out += '\n';
  return out;
}

void Json::DumpTo(std::string& out, int indent) const {
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  const std::string close(static_cast<size_t>(indent), ' ');
  if (std::holds_alternative<std::nullptr_t>(v_)) {
    out += "null";
  } else if (const bool* b = std::get_if<bool>(&v_)) {
    out += *b ? "true" : "false";
  } else if (const long long* i = std::get_if<long long>(&v_)) {
    out += std::to_string(*i);
  } else if (const double* d = std::get_if<double>(&v_)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", *d);
    out += buf;
  } else if (const std::string* s = std::get_if<std::string>(&v_)) {
    Quote(out, *s);
  } else if (const Array* a = std::get_if<Array>(&v_)) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    bool scalars = true;
    for (const Json& j : *a) scalars = scalars && !std::holds_alternative<Array>(j.v_) && !j.is_object();
    if (scalars) {
      out += '[';
      for (size_t k = 0; k < a->size(); ++k) {
        if (k > 0) out += ", ";
        (*a)[k].DumpTo(out, indent);
      }
      out += ']';
      return;
    }
    out += "[\n";
    for (size_t k = 0; k < a->size(); ++k) {
      out += pad;
      (*a)[k].DumpTo(out, indent + 2);
      out += k + 1 < a->size() ? ",\n" : "\n";
    }
    out += close + ']';
  } else {
    const Object& o = std::get<Object>(v_);
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    for (size_t k = 0; k < o.size(); ++k) {
      out += pad;
      Quote(out, o[k].first);
      out += ": ";
      o[k].second.DumpTo(out, indent + 2);
      out += k + 1 < o.size() ? ",\n" : "\n";
    }
    out += close + '}';
  }
}

}  // namespace streamapp::registry
